"""The ledger's bounds: every limit a command accepts is one the ledger can hold, and every
amount a command accepts either fits an account or is refused with `total_too_large`
(issue 10's faults, as a class; the random sequences in test_rules.py reach the bounds too)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import ledger
from contracts import Minutes, Refusal
from contracts import timebank as c
from contracts.ledger import MAX_TOTAL
from ledger import Account


def account(ledger_: str, unit: str, debt_limit: int, max_balance: int | None) -> Account:
    return Account(uuid4(), ledger_, unit, uuid4(), debt_limit, max_balance)


def test_a_limit_any_command_accepts_is_one_the_ledger_can_hold():
    """Issue 10's faults: a debt limit of 2**63 or 2**63 - 1 is refused naming the field;
    the largest accepted one leaves every later balance answerable."""
    member = uuid4()
    for too_big in (2**63, 2**63 - 1, MAX_TOTAL + 1):
        with pytest.raises(ValidationError) as error:
            c.SetMemberLimits(member_id=member, debt_limit=too_big)
        assert error.value.errors()[0]["loc"] == ("debt_limit",)
        with pytest.raises(ValidationError):
            c.ConfigureCommunity(
                community="wijk", name="W", units=[{"unit": "hour", "debt_limit": too_big}]
            )
    largest = c.SetMemberLimits(member_id=member, debt_limit=MAX_TOTAL, max_balance=MAX_TOTAL)
    a = ledger.check_new_limits(
        account("wijk", "hour", 0, None), largest.debt_limit, largest.max_balance
    )
    assert TypeAdapter(Minutes).validate_python(a.available) == MAX_TOTAL


@given(first=st.integers(1, 2**62), second=st.integers(1, 2**62))
def test_credits_past_the_largest_total_are_refused_with_a_stable_code(first, second):
    """Issue 10's third fault: a second credit of 2**62 to one account. Any credits a
    contract accepts either fit or are refused with `total_too_large`, never overflow."""
    pot = account("wijk", "hour", MAX_TOTAL, None)
    member = account("wijk", "hour", 0, None)
    fitted = 0
    for amount in (first, second):
        try:
            posting = ledger.post_direct(uuid4(), pot, member, amount, "award")
        except Refusal as refusal:
            assert refusal.code == "total_too_large"
            assert fitted + amount > MAX_TOTAL
            continue
        pot, member, fitted = posting.debit, posting.credit, fitted + amount
    assert member.credits_posted == fitted <= MAX_TOTAL
