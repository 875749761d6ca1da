"""Who may perform the time bank's operations, declared once and checked by the kit before
a handler runs (`docs/authorization.md`). Rules that depend on stored state (whose exchange
is it) stay in the domain, with the same refusal codes."""

from __future__ import annotations

from ..registry import Policy

MEMBER_ROLES = frozenset({"resident", "organisation"})
"""Members act for themselves: `actor.id` is their member id."""
COORDINATOR_ROLES = frozenset({"coordinator", "operator"})
"""Coordinators (and operators) act on behalf of any member."""

COORDINATOR_ONLY = Policy(COORDINATOR_ROLES, code="coordinator_only")


def member_or_coordinator(own: str | None = None) -> Policy:
    """A member (as themself, when `own` names the request's member field) or a coordinator.
    Which exchange or listing is the member's own depends on stored state: the domain checks
    that, with the same code."""
    return Policy(MEMBER_ROLES | COORDINATOR_ROLES, own=own, code="not_your_account")
