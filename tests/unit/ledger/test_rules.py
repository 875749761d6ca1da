"""The ledger's rules, pure: examples and properties over random sequences of operations."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from pydantic import TypeAdapter

import ledger
from contracts import Cents, Minutes, Refusal
from contracts.ledger import LEDGER_ERRORS, MAX_TOTAL
from ledger import Account, Totals, Transfer
from services.timebank.queries import balance_of


def account(debt_limit: int = 600, max_balance: int | None = None, **totals) -> Account:
    return Account(uuid4(), "wijk", "hour", uuid4(), debt_limit, max_balance, **totals)


def test_a_reservation_holds_minutes_on_both_sides_without_moving_them():
    a, b = account(), account()
    p = ledger.reserve(uuid4(), a, b, 90)
    assert (p.debit.debits_pending, p.credit.credits_pending) == (90, 90)
    assert p.debit.balance == 0 and p.debit.available == 510
    assert p.transfer.phase == "pending"


@pytest.mark.parametrize("amount", [0, -1])
def test_amounts_must_be_positive(amount):
    with pytest.raises(Refusal) as refusal:
        ledger.reserve(uuid4(), account(), account(), amount)
    assert refusal.value.code == "amount_not_positive"


def test_no_transfer_to_oneself():
    a = account()
    with pytest.raises(Refusal) as refusal:
        ledger.post_direct(uuid4(), a, a, 10, "donation")
    assert refusal.value.code == "same_account"


def test_the_debt_limit_counts_reservations_and_reports_what_is_left():
    a = account(debt_limit=100, debits_pending=60)
    with pytest.raises(Refusal) as refusal:
        ledger.reserve(uuid4(), a, account(), 41)
    assert refusal.value.code == "over_debt_limit"
    assert refusal.value.details["available"] == 40
    assert ledger.reserve(uuid4(), a, account(), 40).debit.available == 0


def test_the_maximum_balance_counts_incoming_reservations():
    rich = account(max_balance=100, credits_pending=90)
    with pytest.raises(Refusal) as refusal:
        ledger.reserve(uuid4(), account(), rich, 11)
    assert refusal.value.code == "above_max_balance"


def test_posting_less_than_reserved_releases_the_rest_and_more_is_refused():
    a, b = account(), account()
    p = ledger.reserve(uuid4(), a, b, 60)
    with pytest.raises(Refusal) as refusal:
        ledger.post_pending(uuid4(), p.transfer, p.debit, p.credit, 61)
    assert refusal.value.code == "more_than_agreed"
    posted = ledger.post_pending(uuid4(), p.transfer, p.debit, p.credit, 45)
    assert posted.debit.debits_pending == 0 and posted.debit.balance == -45
    assert posted.credit.balance == 45 and posted.transfer.pending_id == p.transfer.id


def test_a_reversal_runs_the_other_way_and_never_takes_back_more_than_was_moved():
    a, b = account(), account()
    original = ledger.post_direct(uuid4(), a, b, 60, "exchange")
    back = ledger.reverse(
        uuid4(), original.transfer, 0, original.credit, original.debit, 20, "te veel", "c"
    )
    assert (back.transfer.debit_account_id, back.transfer.credit_account_id) == (b.id, a.id)
    assert back.debit.balance == 40 and back.credit.balance == -40
    with pytest.raises(Refusal):
        ledger.reverse(uuid4(), original.transfer, 20, back.debit, back.credit, 41, "x", "c")
    with pytest.raises(Refusal):
        ledger.reverse(uuid4(), back.transfer, 0, back.credit, back.debit, 1, "x", "c")


def test_limits_cannot_be_set_below_what_is_in_use():
    a = account(debt_limit=600, debits_posted=300)
    with pytest.raises(Refusal):
        ledger.check_new_limits(a, 200, None)
    assert ledger.check_new_limits(a, 300, None).debt_limit == 300


BIGINT = 2**63 - 1
MINUTES, CENTS = TypeAdapter(Minutes), TypeAdapter(Cents)
MOVES = {
    "amount_not_positive",
    "same_account",
    "over_debt_limit",
    "above_max_balance",
    "total_too_large",
}

# Small amounts make long histories; huge ones reach the bounds (2**62 is the largest amount
# a contract accepts, 2**61 the largest total and limit).
amounts = st.one_of(
    st.integers(-5, 500),
    st.sampled_from([MAX_TOTAL - 1, MAX_TOTAL, MAX_TOTAL + 1, 2**62, 2**62 + 1]),
    st.integers(MAX_TOTAL // 2, 2**62),
)
limits = st.one_of(st.integers(0, 1000), st.sampled_from([MAX_TOTAL, MAX_TOTAL + 1, 2**63]))
units = st.sampled_from(["hour", "EUR"])


class LedgerMachine(RuleBasedStateMachine):
    """Random sequences of ledger operations in two units at once (minutes and euro cents, as
    the time bank and the budget keep them), with amounts and limits from small to past the
    largest any contract accepts, some refused: after every step the journal and the accounts
    agree, every ledger and unit balances, no account is beyond its limits, every refusal has
    one of the ledger's codes, and every figure a query shows fits the contracts and a bigint."""

    def __init__(self):
        super().__init__()
        plans = ((0, None), (600, None), (MAX_TOTAL, None), (60, 90), (MAX_TOTAL, MAX_TOTAL))
        self.accounts = {
            a.id: a
            for ledger_, unit in (("wijk-west", "hour"), ("fonds-west", "EUR"))
            for a in (Account(uuid4(), ledger_, unit, uuid4(), limit, cap) for limit, cap in plans)
        }
        self.units = {
            u: [a.id for a in self.accounts.values() if a.unit == u] for u in ("hour", "EUR")
        }
        self.journal: list[Transfer] = []
        self.open_pending: list[Transfer] = []
        self.posted: list[Transfer] = []

    def _pair(self, unit: str, i: int, j: int) -> tuple[Account, Account]:
        ids = self.units[unit]
        return self.accounts[ids[i % len(ids)]], self.accounts[ids[j % len(ids)]]

    def _apply(self, make, allowed: set[str]) -> Transfer | None:
        """The posting `make()` returns, applied; or its refusal, checked."""
        try:
            posting = make()
        except Refusal as refusal:
            assert refusal.code in allowed, refusal.code
            LEDGER_ERRORS.error(refusal.code, refusal.details, **refusal.fmt)  # it can be said
            return None
        assert posting.debit.unit == posting.credit.unit == posting.transfer.unit
        self.accounts[posting.debit.id] = posting.debit
        self.accounts[posting.credit.id] = posting.credit
        self.journal.append(posting.transfer)
        return posting.transfer

    @rule(unit=units, i=st.integers(0, 4), j=st.integers(0, 4), amount=amounts)
    def reserve(self, unit, i, j, amount):
        debit, credit = self._pair(unit, i, j)
        made = self._apply(lambda: ledger.reserve(uuid4(), debit, credit, amount), MOVES)
        if made:
            self.open_pending.append(made)

    @rule(unit=units, i=st.integers(0, 4), j=st.integers(0, 4), amount=amounts)
    def post_direct(self, unit, i, j, amount):
        debit, credit = self._pair(unit, i, j)
        made = self._apply(
            lambda: ledger.post_direct(uuid4(), debit, credit, amount, "donation"), MOVES
        )
        if made:
            self.posted.append(made)

    @precondition(lambda self: self.open_pending)
    @rule(k=st.integers(0, 100), fraction=st.integers(1, 12), void=st.booleans())
    def resolve(self, k, fraction, void):
        pending = self.open_pending.pop(k % len(self.open_pending))
        debit = self.accounts[pending.debit_account_id]
        credit = self.accounts[pending.credit_account_id]
        if void:
            self._apply(lambda: ledger.void_pending(uuid4(), pending, debit, credit), set())
            return
        amount = max(1, pending.amount * fraction // 10)  # sometimes more than reserved
        # A reservation that fit always fits when posted: the only refusal is "more than agreed".
        allowed = {"more_than_agreed"} if amount > pending.amount else set()
        made = self._apply(
            lambda: ledger.post_pending(uuid4(), pending, debit, credit, amount), allowed
        )
        (self.posted if made else self.open_pending).append(made or pending)

    @precondition(lambda self: self.posted)
    @rule(k=st.integers(0, 100), amount=st.one_of(st.none(), amounts))
    def reverse(self, k, amount):
        original = self.posted[k % len(self.posted)]
        already = sum(t.amount for t in self.journal if t.reverses_id == original.id)
        self._apply(
            lambda: ledger.reverse(
                uuid4(),
                original,
                already,
                self.accounts[original.credit_account_id],
                self.accounts[original.debit_account_id],
                amount,
                "correctie",
                "coordinator:c",
            ),
            MOVES | {"not_reversible"},
        )

    @rule(
        unit=units,
        i=st.integers(0, 4),
        debt_limit=limits,
        max_balance=st.one_of(st.none(), limits.filter(lambda v: v > 0)),
    )
    def set_limits(self, unit, i, debt_limit, max_balance):
        target, _ = self._pair(unit, i, i)
        try:
            changed = ledger.check_new_limits(target, debt_limit, max_balance)
        except Refusal as refusal:
            assert refusal.code in {"over_debt_limit", "total_too_large"}
            return
        self.accounts[changed.id] = changed

    @invariant()
    def every_invariant_holds(self):
        assert ledger.violations(self.accounts.values(), self.journal) == []

    @invariant()
    def every_figure_fits_the_contracts_and_a_bigint(self):
        for a in self.accounts.values():
            totals = (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending)
            assert all(0 <= v <= BIGINT for v in (*totals, a.debt_limit, a.max_balance or 0))
            adapter = MINUTES if a.unit == "hour" else CENTS
            for figure in (a.balance, a.available, a.credits_pending, a.debits_pending):
                adapter.validate_python(figure)
            if a.unit == "hour":
                balance_of(a)  # what the time bank's balance query answers validates
        assert all(0 < t.amount <= MAX_TOTAL for t in self.journal)


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(
    max_examples=250,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_invariant_check_names_what_is_wrong():
    a, b = account(), account()
    p = ledger.post_direct(uuid4(), a, b, 30, "donation")
    journal = ledger.recompute([p.transfer])
    broken = Account(**{**p.debit.__dict__, "debits_posted": 31})
    found = ledger.account_violations([broken, p.credit], journal)
    assert any(str(broken.id) in f and "differ" in f for f in found)
    assert any("posted debits 31 != posted credits 30" in f for f in found)
    over = Account(**{**a.__dict__, "debits_posted": 700, "credits_posted": 0})
    assert any(
        "beyond its limits" in f for f in ledger.account_violations([over], {over.id: Totals(700)})
    )
