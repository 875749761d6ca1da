"""Payouts: never more than committed, never on an allocation that is not committed, each
instalment numbered; a batch takes only open payouts of its fund; closed months refuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import Refusal, new_id
from services.budget.finance import (
    PAID,
    RECORDED,
    RELEASED,
    SENT,
    SETTLED,
    decide_batch,
    decide_payout,
    end_to_end_id,
    payout_id_of,
)
from tests.support.finance import FUND, allocation, payout


def refused(code: str, call, *args, **kw) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args, **kw)
    assert caught.value.code == code, caught.value.details
    return caught.value


def test_instalments_up_to_the_commitment_then_refused_naming_what_is_left():
    a = allocation(100_000)
    first = decide_payout(a, [], payout(a, 60_000))
    second = decide_payout(a, [first], payout(a, 40_000))
    assert (first.instalment, second.instalment) == (1, 2)
    assert first.state == RECORDED
    refusal = refused("over_committed", decide_payout, a, [first], payout(a, 40_001))
    assert refusal.details["left"] == 40_000
    refusal = refused("over_committed", decide_payout, a, [first, second], payout(a, 1))
    assert refusal.details["left"] == 0


def test_a_payout_bounced_back_no_longer_counts():
    a = allocation(10_000)
    bounced = replace(payout(a, 10_000), state="returned")
    assert decide_payout(a, [bounced], payout(a, 10_000)).instalment == 2


def test_unknown_or_other_funds_allocation_is_refused():
    a = allocation()
    refused("unknown_allocation", decide_payout, None, [], payout(a, 1))
    other = allocation(fund_id=new_id())
    refused("unknown_allocation", decide_payout, other, [], payout(a, 1, allocation_id=other.id))


def test_released_allocation_and_settled_with_nothing_left_are_not_committed():
    refusal = refused("allocation_not_committed", decide_payout, *_on(allocation(state=RELEASED)))
    assert refusal.details["state"] == RELEASED
    settled = allocation(10_000, state=SETTLED, released=10_000)
    refused("allocation_not_committed", decide_payout, *_on(settled))


def test_settled_allocation_with_spending_still_to_pay_may_be_paid():
    # a fund that pays afterwards: the report came first, 8,000 of 10,000 stays payable
    settled = allocation(10_000, state=SETTLED, released=2_000)
    assert decide_payout(settled, [], payout(settled, 8_000)).amount == 8_000
    refused("over_committed", decide_payout, settled, [], payout(settled, 8_001))


def _on(a):
    return a, [], payout(a, 1)


def test_same_payout_id_twice_is_nothing_new_but_different_content_conflicts():
    a = allocation()
    first = decide_payout(a, [], payout(a, 5_000))
    assert decide_payout(a, [first], replace(first, instalment=9)) is None
    refused("payout_id_conflict", decide_payout, a, [first], replace(first, amount=5_001))


def test_due_date_in_a_closed_month_is_refused():
    a = allocation()
    closed = frozenset({"2027-02"})
    refusal = refused(
        "period_closed", decide_payout, a, [], payout(a, 1, due_on=date(2027, 2, 28)), closed
    )
    assert refusal.details == {"period": "2027-02"}
    assert decide_payout(a, [], payout(a, 1, due_on=date(2027, 3, 1)), closed)


@given(st.lists(st.integers(1, 50_000), max_size=12), st.integers(1, 200_000))
def test_recorded_payouts_never_exceed_the_commitment(amounts, committed):
    a = allocation(committed)
    recorded = []
    for amount in amounts:
        try:
            recorded.append(decide_payout(a, recorded, payout(a, amount)))
        except Refusal as refusal:
            assert refusal.code == "over_committed"
    assert sum(p.amount for p in recorded) <= committed
    assert [p.instalment for p in recorded] == list(range(1, len(recorded) + 1))


def test_batch_takes_open_payouts_once_in_order_and_refuses_the_rest():
    a = allocation()
    p1, p2 = payout(a, 1), payout(a, 2)
    paid = replace(payout(a, 3), state=PAID)
    found = {p.id: p for p in (p1, p2, paid)}
    batch = new_id()
    sent = decide_batch(batch, FUND, [p2.id, p1.id, p2.id], found, date(2027, 3, 5))
    assert [p.id for p in sent] == [p2.id, p1.id]
    assert {(p.state, p.batch_id, p.execution_date) for p in sent} == {
        (SENT, batch, date(2027, 3, 5))
    }
    refusal = refused("payout_not_open", decide_batch, batch, FUND, [paid.id], found, date.today())
    assert refusal.details["state"] == PAID
    missing = new_id()
    refusal = refused("unknown_payout", decide_batch, batch, FUND, [missing], found, date.today())
    assert refusal.details["payout_id"] == str(missing)
    refused("unknown_payout", decide_batch, batch, new_id(), [p1.id], found, date.today())
    refused(
        "period_closed",
        decide_batch,
        batch,
        FUND,
        [p1.id],
        found,
        date(2027, 2, 1),
        frozenset({"2027-02"}),
    )


def test_end_to_end_id_names_the_payout_and_nothing_else():
    payout_id = new_id()
    text = end_to_end_id(payout_id)
    assert len(text) <= 35 and payout_id_of(text) == payout_id
    assert payout_id_of("NOTPROVIDED") is None
    assert payout_id_of(None) is None
    assert payout_id_of("z" * 32) is None
    assert isinstance(payout_id_of(UUID(int=5).hex), UUID)
