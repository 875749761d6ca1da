"""Matching: end-to-end id first, then amount + IBAN + nearest date; each payout and each line
once; whatever does not match is named by its line with a reason; a line seen before is
skipped, so the same statement twice pays nothing twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.budget.finance import (
    AMOUNT_IBAN_DATE,
    END_TO_END,
    PAID,
    SENT,
    PayoutIndex,
    StatementLine,
    match_lines,
)
from tests.support.finance import OTHER, RECIPIENT, allocation, payout

DAY = date(2027, 3, 5)


def sent(amount: int, **kw):
    return replace(payout(allocation(), amount), **{"state": SENT, "execution_date": DAY, **kw})


def line(number: int, amount: int, **kw) -> StatementLine:
    values = {"debit": True, "currency": "EUR", "booked_on": DAY, "counterparty_iban": RECIPIENT}
    values.update(kw)
    return StatementLine(number=number, amount=amount, **values)


def run(lines, payouts, imported=()):
    keys = [f"k{line.number}" for line in lines]
    return match_lines(lines, keys, set(imported), PayoutIndex(payouts))


def test_end_to_end_first_even_when_another_payout_fits_amount_and_iban():
    a, b = sent(500), sent(500)
    result = run([line(1, 500, end_to_end_id=b.id.hex)], [a, b])
    assert [(m.payout.id, m.by) for m in result.matches] == [(b.id, END_TO_END)]


def test_without_end_to_end_the_nearest_open_payout_of_that_amount_and_account():
    far = sent(700, execution_date=date(2027, 3, 1))
    near = sent(700, execution_date=date(2027, 3, 6))
    elsewhere = sent(700, iban=OTHER)
    result = run([line(1, 700), line(2, 700), line(3, 700)], [far, near, elsewhere])
    assert [(m.line.number, m.payout.id, m.by) for m in result.matches] == [
        (1, near.id, AMOUNT_IBAN_DATE),
        (2, far.id, AMOUNT_IBAN_DATE),
    ]
    assert [(p.line, p.code) for p in result.problems] == [(3, "no_matching_payout")]


def test_outside_the_date_window_no_match():
    result = run([line(1, 700, booked_on=date(2027, 4, 30))], [sent(700)])
    assert result.matches == [] and result.problems[0].code == "no_matching_payout"


def test_every_kind_of_line_that_does_not_pay_a_payout_is_named():
    paid = replace(sent(100), state=PAID)
    other = sent(300)
    lines = [
        line(1, 100, end_to_end_id=paid.id.hex),
        line(2, 301, end_to_end_id=other.id.hex),
        line(3, 300, currency="USD"),
        line(4, 300, debit=False),
        line(5, 300, booked=False),
        line(6, 999),
    ]
    result = run(lines, [paid, other])
    assert [(p.line, p.code) for p in result.problems] == [
        (1, "already_paid"),
        (2, "amount_differs"),
        (3, "foreign_currency"),
        (4, "no_matching_payout"),
        (5, "no_matching_payout"),
        (6, "no_matching_payout"),
    ]
    assert result.problems[1].payout_id == other.id
    assert "€3.00" in result.problems[1].detail and "€3.01" in result.problems[1].detail
    assert result.matches == []


def test_two_lines_for_one_payout_pay_it_once():
    p = sent(100)
    result = run([line(1, 100, end_to_end_id=p.id.hex), line(2, 100, end_to_end_id=p.id.hex)], [p])
    assert len(result.matches) == 1
    assert [(x.line, x.code) for x in result.problems] == [(2, "already_paid")]


def test_lines_imported_before_are_skipped():
    p = sent(100)
    result = run([line(1, 100, end_to_end_id=p.id.hex)], [p], imported={"k1"})
    assert (result.matches, result.problems, result.duplicates) == ([], [], 1)


@settings(max_examples=60)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.integers(0, 20), st.booleans()), max_size=25),
    st.lists(st.tuples(st.integers(1, 4), st.integers(0, 20)), max_size=25),
)
def test_each_payout_and_each_line_at_most_once(line_specs, payout_specs):
    payouts = [
        sent(amount * 100, execution_date=date(2027, 3, 1 + d)) for amount, d in payout_specs
    ]
    lines = [
        line(
            i,
            amount * 100,
            booked_on=date(2027, 3, 1 + d),
            end_to_end_id=payouts[i % len(payouts)].id.hex if by_id and payouts else None,
        )
        for i, (amount, d, by_id) in enumerate(line_specs, 1)
    ]
    result = run(lines, payouts)
    matched = [m.payout.id for m in result.matches]
    assert len(matched) == len(set(matched))
    numbers = [m.line.number for m in result.matches] + [p.line for p in result.problems]
    assert sorted(numbers) == list(range(1, len(lines) + 1))
    for m in result.matches:
        assert m.payout.amount == m.line.amount
