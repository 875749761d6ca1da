"""Who may perform an operation: the policy declared beside each contract."""

from __future__ import annotations

from uuid import UUID

import pytest

from contracts import ROLES, Actor, Contract, Policy, ServiceContracts


class ForMember(Contract):
    member_id: UUID
    community: str


M = UUID("0190f7c4-0000-7000-8000-000000000001")
REQ = ForMember(member_id=M, community="maastricht-west")
POLICY = Policy(frozenset({"resident", "coordinator"}), own="member_id", scope="community")


def test_a_role_outside_the_policy_is_refused():
    assert POLICY.refusal(Actor(role="finance", id="f", scopes=("*",)), REQ) is not None


def test_a_member_acts_only_as_themself():
    assert POLICY.refusal(Actor(role="resident", id=str(M)), REQ) is None
    assert "member_id" in POLICY.refusal(Actor(role="resident", id="someone-else"), REQ)


def test_staff_act_only_within_their_scopes():
    inside = Actor(role="coordinator", id="c", scopes=("maastricht-west",))
    everywhere = Actor(role="coordinator", id="c", scopes=("*",))
    outside = Actor(role="coordinator", id="c", scopes=("wageningen",))
    assert POLICY.refusal(inside, REQ) is None
    assert POLICY.refusal(everywhere, REQ) is None
    assert "outside" in POLICY.refusal(outside, REQ)


def test_public_operations_admit_anyone_and_signed_in_is_the_default():
    assert all(Policy.public().refusal(Actor(role=r, id="x"), REQ) is None for r in ROLES)
    svc = ServiceContracts("demo")
    spec = svc.query("look", ForMember, ForMember)
    assert spec.policy.refusal(Actor(role="public", id="anonymous"), REQ) is not None
    assert spec.policy.refusal(Actor(role="resident", id=str(M)), REQ) is None


def test_a_policy_naming_a_missing_field_or_role_is_refused_at_declaration():
    svc = ServiceContracts("demo")
    with pytest.raises(ValueError, match="no field"):
        svc.command("act", ForMember, ForMember, policy=Policy(frozenset({"resident"}), own="x"))
    with pytest.raises(ValueError, match="unknown roles"):
        Policy(frozenset({"wizard"}))
