"""The ledger's rules, pure: examples and properties over random sequences of operations."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import ledger
from contracts import Refusal
from ledger import Account, Totals, Transfer


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


def recompute(journal: list[Transfer]) -> dict[UUID, Totals]:
    """The account totals that the journal implies, computed the slow and obvious way."""
    resolved = {t.pending_id for t in journal if t.pending_id}
    totals: dict[UUID, list[int]] = {}
    for t in journal:
        d = totals.setdefault(t.debit_account_id, [0, 0, 0, 0])
        c = totals.setdefault(t.credit_account_id, [0, 0, 0, 0])
        if t.phase == "posted":
            d[0] += t.amount
            c[1] += t.amount
        elif t.phase == "pending" and t.id not in resolved:
            d[2] += t.amount
            c[3] += t.amount
    return {k: Totals(*v) for k, v in totals.items()}


class LedgerMachine(RuleBasedStateMachine):
    """Random sequences of ledger operations, some refused: after every step the journal and
    the accounts agree, every unit balances, and no account is beyond its limits."""

    def __init__(self):
        super().__init__()
        self.accounts = {
            a.id: a
            for a in (
                account(debt_limit=limit, max_balance=cap)
                for limit, cap in ((0, None), (120, None), (600, 300), (60, 90))
            )
        }
        self.journal: list[Transfer] = []
        self.open_pending: list[Transfer] = []
        self.posted: list[Transfer] = []

    def _apply(self, posting: ledger.Posting) -> None:
        self.accounts[posting.debit.id] = posting.debit
        self.accounts[posting.credit.id] = posting.credit
        self.journal.append(posting.transfer)

    def _pair(self, i: int, j: int) -> tuple[Account, Account]:
        ids = list(self.accounts)
        return self.accounts[ids[i % len(ids)]], self.accounts[ids[j % len(ids)]]

    @rule(i=st.integers(0, 3), j=st.integers(0, 3), amount=st.integers(-5, 200))
    def reserve(self, i, j, amount):
        debit, credit = self._pair(i, j)
        try:
            posting = ledger.reserve(uuid4(), debit, credit, amount)
        except Refusal as refusal:
            assert refusal.code in {
                "amount_not_positive",
                "same_account",
                "over_debt_limit",
                "above_max_balance",
            }
            return
        self._apply(posting)
        self.open_pending.append(posting.transfer)

    @rule(i=st.integers(0, 3), j=st.integers(0, 3), amount=st.integers(1, 200))
    def post_direct(self, i, j, amount):
        debit, credit = self._pair(i, j)
        try:
            posting = ledger.post_direct(uuid4(), debit, credit, amount, "donation")
        except Refusal:
            return
        self._apply(posting)
        self.posted.append(posting.transfer)

    @precondition(lambda self: self.open_pending)
    @rule(k=st.integers(0, 100), fraction=st.integers(1, 12), void=st.booleans())
    def resolve(self, k, fraction, void):
        pending = self.open_pending.pop(k % len(self.open_pending))
        debit, credit = (
            self.accounts[pending.debit_account_id],
            self.accounts[pending.credit_account_id],
        )
        if void:
            self._apply(ledger.void_pending(uuid4(), pending, debit, credit))
            return
        amount = max(1, pending.amount * fraction // 10)  # sometimes more than reserved
        try:
            posting = ledger.post_pending(uuid4(), pending, debit, credit, amount)
        except Refusal as refusal:
            assert refusal.code == "more_than_agreed" and amount > pending.amount
            self.open_pending.append(pending)
            return
        self._apply(posting)
        self.posted.append(posting.transfer)

    @precondition(lambda self: self.posted)
    @rule(k=st.integers(0, 100), amount=st.integers(1, 200))
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
                "fix",
                "c",
            )
        except Refusal:
            return
        self._apply(posting)

    @invariant()
    def the_ledger_holds(self):
        assert (
            ledger.account_violations(list(self.accounts.values()), recompute(self.journal)) == []
        )

    @invariant()
    def no_pending_is_resolved_twice(self):
        resolutions = [t.pending_id for t in self.journal if t.pending_id]
        assert len(resolutions) == len(set(resolutions))


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_invariant_check_names_what_is_wrong():
    a, b = account(), account()
    p = ledger.post_direct(uuid4(), a, b, 30, "donation")
    journal = recompute([p.transfer])
    broken = Account(**{**p.debit.__dict__, "debits_posted": 31})
    found = ledger.account_violations([broken, p.credit], journal)
    assert any(str(broken.id) in f and "differ" in f for f in found)
    assert any("posted debits 31 != posted credits 30" in f for f in found)
    over = Account(**{**a.__dict__, "debits_posted": 700, "credits_posted": 0})
    assert any(
        "beyond its limits" in f for f in ledger.account_violations([over], {over.id: Totals(700)})
    )
