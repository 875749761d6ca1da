"""The ledger's rules alone, over random sequences in two units at once (minutes and euro
cents, as the time bank and the budget keep them), with amounts and limits from small to the
largest any contract accepts: after every step every invariant holds, every refusal has one of
the ledger's codes, and every figure a query shows fits the contracts and PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from pydantic import TypeAdapter, ValidationError

import ledger
from contracts import Cents, Minutes, Refusal
from contracts import timebank as c
from contracts.ledger import LEDGER_ERRORS, MAX_TOTAL
from ledger import Account, Transfer

BIGINT = 2**63 - 1
MINUTES, CENTS = TypeAdapter(Minutes), TypeAdapter(Cents)

# Small amounts make long histories; huge ones reach the bounds (2**62 is the largest amount
# a contract accepts, 2**61 the largest total and limit).
amounts = st.one_of(
    st.integers(-5, 500),
    st.sampled_from([MAX_TOTAL - 1, MAX_TOTAL, MAX_TOTAL + 1, 2**62, 2**62 + 1]),
    st.integers(MAX_TOTAL // 2, 2**62),
)
limits = st.one_of(st.integers(0, 1000), st.sampled_from([MAX_TOTAL, MAX_TOTAL + 1, 2**63]))


def account(ledger_: str, unit: str, debt_limit: int, max_balance: int | None) -> Account:
    return Account(uuid4(), ledger_, unit, uuid4(), debt_limit, max_balance)


class TwoUnitLedger(RuleBasedStateMachine):
    """Accounts in two units; transfers only ever join accounts of one unit."""

    def __init__(self):
        super().__init__()
        plans = ((0, None), (600, None), (MAX_TOTAL, None), (60, 90), (MAX_TOTAL, MAX_TOTAL))
        self.accounts = {
            a.id: a
            for ledger_, unit in (("wijk-west", "hour"), ("fonds-west", "EUR"))
            for a in (account(ledger_, unit, limit, cap) for limit, cap in plans)
        }
        self.units = {
            unit: [a.id for a in self.accounts.values() if a.unit == unit]
            for unit in ("hour", "EUR")
        }
        self.journal: list[Transfer] = []
        self.open_pending: list[Transfer] = []
        self.posted: list[Transfer] = []

    def _pair(self, unit: str, i: int, j: int) -> tuple[Account, Account]:
        ids = self.units[unit]
        return self.accounts[ids[i % len(ids)]], self.accounts[ids[j % len(ids)]]

    def _apply(self, posting: ledger.Posting) -> None:
        assert (posting.debit.unit, posting.credit.unit) == (posting.transfer.unit,) * 2
        self.accounts[posting.debit.id] = posting.debit
        self.accounts[posting.credit.id] = posting.credit
        self.journal.append(posting.transfer)

    def _refused(self, refusal: Refusal, allowed: set[str]) -> None:
        assert refusal.code in LEDGER_ERRORS and refusal.code in allowed, refusal.code
        # The message of the code can be filled in with what the refusal carries.
        LEDGER_ERRORS.error(refusal.code, refusal.details, **refusal.fmt)

    @rule(
        unit=st.sampled_from(["hour", "EUR"]),
        i=st.integers(0, 4),
        j=st.integers(0, 4),
        amount=amounts,
    )
    def reserve(self, unit, i, j, amount):
        debit, credit = self._pair(unit, i, j)
        try:
            posting = ledger.reserve(uuid4(), debit, credit, amount)
        except Refusal as refusal:
            self._refused(
                refusal,
                {
                    "amount_not_positive",
                    "same_account",
                    "over_debt_limit",
                    "above_max_balance",
                    "total_too_large",
                },
            )
            return
        self._apply(posting)
        self.open_pending.append(posting.transfer)

    @rule(
        unit=st.sampled_from(["hour", "EUR"]),
        i=st.integers(0, 4),
        j=st.integers(0, 4),
        amount=amounts,
    )
    def post_direct(self, unit, i, j, amount):
        debit, credit = self._pair(unit, i, j)
        try:
            posting = ledger.post_direct(uuid4(), debit, credit, amount, "donation")
        except Refusal as refusal:
            self._refused(
                refusal,
                {
                    "amount_not_positive",
                    "same_account",
                    "over_debt_limit",
                    "above_max_balance",
                    "total_too_large",
                },
            )
            return
        self._apply(posting)
        self.posted.append(posting.transfer)

    @precondition(lambda self: self.open_pending)
    @rule(k=st.integers(0, 100), fraction=st.integers(1, 12), void=st.booleans())
    def resolve(self, k, fraction, void):
        pending = self.open_pending.pop(k % len(self.open_pending))
        debit = self.accounts[pending.debit_account_id]
        credit = self.accounts[pending.credit_account_id]
        if void:
            self._apply(ledger.void_pending(uuid4(), pending, debit, credit))
            return
        amount = max(1, pending.amount * fraction // 10)  # sometimes more than reserved
        try:
            posting = ledger.post_pending(uuid4(), pending, debit, credit, amount)
        except Refusal as refusal:
            # A reservation that fit always fits when posted: only "more than agreed".
            assert refusal.code == "more_than_agreed" and amount > pending.amount
            self.open_pending.append(pending)
            return
        self._apply(posting)
        self.posted.append(posting.transfer)

    @precondition(lambda self: self.posted)
    @rule(k=st.integers(0, 100), amount=st.one_of(st.none(), amounts))
    def reverse(self, k, amount):
        original = self.posted[k % len(self.posted)]
        already = sum(t.amount for t in self.journal if t.reverses_id == original.id)
        try:
            posting = ledger.reverse(
                uuid4(),
                original,
                already,
                self.accounts[original.credit_account_id],
                self.accounts[original.debit_account_id],
                amount,
                "correctie",
                "coordinator:c",
            )
        except Refusal as refusal:
            self._refused(
                refusal,
                {
                    "not_reversible",
                    "over_debt_limit",
                    "above_max_balance",
                    "amount_not_positive",
                    "total_too_large",
                },
            )
            return
        self._apply(posting)

    @rule(
        unit=st.sampled_from(["hour", "EUR"]),
        i=st.integers(0, 4),
        debt_limit=limits,
        max_balance=st.one_of(st.none(), limits.filter(lambda v: v > 0)),
    )
    def set_limits(self, unit, i, debt_limit, max_balance):
        target, _ = self._pair(unit, i, i)
        try:
            changed = ledger.check_new_limits(target, debt_limit, max_balance)
        except Refusal as refusal:
            self._refused(refusal, {"over_debt_limit", "total_too_large"})
            return
        self.accounts[changed.id] = changed

    @invariant()
    def every_invariant_holds(self):
        assert ledger.violations(self.accounts.values(), self.journal) == []

    @invariant()
    def every_figure_fits_the_contracts_and_a_bigint(self):
        for a in self.accounts.values():
            for total in (
                a.debits_posted,
                a.credits_posted,
                a.debits_pending,
                a.credits_pending,
                a.debt_limit,
                a.max_balance or 0,
            ):
                assert 0 <= total <= BIGINT
            figures = (a.balance, a.available, a.credits_pending, a.debits_pending)
            adapter = MINUTES if a.unit == "hour" else CENTS
            for figure in figures:
                adapter.validate_python(figure)
            if a.unit == "hour":  # what the time bank's balance query answers
                c.UnitBalance(
                    unit=a.unit,
                    balance=a.balance,
                    pending_in=a.credits_pending,
                    pending_out=a.debits_pending,
                    available=a.available,
                    debt_limit=a.debt_limit,
                    max_balance=a.max_balance,
                )
        # Every running balance of a statement is a sum of one account's entries.
        for t in self.journal:
            assert 0 < t.amount <= MAX_TOTAL


TestTwoUnitLedger = TwoUnitLedger.TestCase
TestTwoUnitLedger.settings = settings(
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


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
    assert MINUTES.validate_python(a.available) == MAX_TOTAL


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
