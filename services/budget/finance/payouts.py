"""Payouts: money paid against a committed allocation, in one or more instalments.

A payout is `recorded` by finance, `sent` when it is in a SEPA batch handed to the bank, and
`paid` when a bank statement line shows the money left the fund's account. The sum of an
allocation's payouts never exceeds what is payable on it: its commitment less what was released
back to the earmark. Pure: decisions on values; the repository locks the allocation's row so two
finance users recording at once are decided one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from contracts import Refusal

from .amounts import decimal_text
from .periods import check_open

RECORDED, SENT, PAID, RETURNED = "recorded", "sent", "paid", "returned"
COMMITTED, ALLOCATION_PAID, SETTLED, RELEASED = "committed", "paid", "settled", "released"


def euros(cents: int) -> str:
    """`123456` -> `€1234.56`, for messages (the portal formats per language from details)."""
    return f"€{decimal_text(cents)}"


@dataclass(frozen=True)
class Allocation:
    """What finance needs of an allocation (cents). `committed` is the amount committed to it;
    `released` went back to the earmark unpaid (at settlement); `payable` is what may ever be
    paid on it."""

    id: UUID
    application_id: UUID
    fund_id: UUID
    earmark_id: UUID
    state: str
    committed: int
    released: int = 0

    @property
    def payable(self) -> int:
        return 0 if self.state == RELEASED else self.committed - self.released


@dataclass(frozen=True)
class Payout:
    """One instalment paid to an account (`iban` compact, checked by schwifty)."""

    id: UUID
    allocation_id: UUID
    application_id: UUID
    fund_id: UUID
    earmark_id: UUID
    amount: int
    iban: str
    account_holder: str
    instalment: int
    due_on: date
    state: str = RECORDED
    batch_id: UUID | None = None
    execution_date: date | None = None
    paid_on: date | None = None
    statement_id: UUID | None = None

    @property
    def end_to_end_id(self) -> str:
        return end_to_end_id(self.id)

    @property
    def iban_last4(self) -> str:
        return self.iban[-4:]

    def facts(self) -> dict:
        """The fields of `PayoutFacts` (events carry only the IBAN's last four characters)."""
        return {
            "payout_id": self.id,
            "allocation_id": self.allocation_id,
            "application_id": self.application_id,
            "fund_id": self.fund_id,
            "earmark_id": self.earmark_id,
            "amount": self.amount,
            "iban_last4": self.iban_last4,
        }

    def same_request(self, other: Payout) -> bool:
        """Whether `other` asks for this very payout (a repeated request with the same id)."""
        keys = ("allocation_id", "fund_id", "amount", "iban", "account_holder", "due_on")
        return all(getattr(self, k) == getattr(other, k) for k in keys)


def end_to_end_id(payout_id: UUID) -> str:
    """The SEPA end-to-end id of a payout: its id in 32 hex digits (SEPA allows 35 characters);
    the bank reports it back on the statement line."""
    return payout_id.hex


def payout_id_of(end_to_end: str | None) -> UUID | None:
    """The payout an end-to-end id names, or None when it is not one of ours."""
    text = (end_to_end or "").strip()
    if len(text) != 32:
        return None
    try:
        return UUID(hex=text)
    except ValueError:
        return None


def outstanding(payouts: list[Payout]) -> int:
    """What an allocation's payouts pay or will pay (cents): every payout not bounced back."""
    return sum(p.amount for p in payouts if p.state != RETURNED)


def left_to_pay(allocation: Allocation, payouts: list[Payout]) -> int:
    """What may still be recorded as a payout on the allocation (cents)."""
    return allocation.payable - outstanding(payouts)


def decide_payout(
    allocation: Allocation | None,
    payouts: list[Payout],
    request: Payout,
    closed: frozenset[str] = frozenset(),
) -> Payout | None:
    """Record `request` (instalment number filled in) against `allocation`, whose existing
    payouts are `payouts`. Returns None when the same payout was recorded before (nothing to
    do). Refused: `unknown_allocation` (none, or of another fund), `payout_id_conflict`,
    `allocation_not_committed` (released, or settled with nothing left to pay),
    `period_closed` (due date in a closed month), `over_committed` (details `left`)."""
    if allocation is None or allocation.fund_id != request.fund_id:
        raise Refusal("unknown_allocation", {"allocation_id": str(request.allocation_id)})
    for p in payouts:
        if p.id == request.id:
            if p.same_request(request):
                return None
            raise Refusal("payout_id_conflict", {"payout_id": str(request.id)})
    left = left_to_pay(allocation, payouts)
    if allocation.state == RELEASED or (allocation.state != COMMITTED and left <= 0):
        raise Refusal(
            "allocation_not_committed",
            {"allocation_id": str(allocation.id), "state": allocation.state},
            state=allocation.state,
        )
    check_open(request.due_on, closed)
    if request.amount > left:
        raise Refusal(
            "over_committed", {"left": left, "requested": request.amount}, left=euros(left)
        )
    return replace(
        request,
        application_id=allocation.application_id,
        earmark_id=allocation.earmark_id,
        instalment=len(payouts) + 1,
        state=RECORDED,
    )


def decide_batch(
    batch_id: UUID,
    fund_id: UUID,
    payout_ids: list[UUID],
    found: dict[UUID, Payout],
    execution_date: date,
    closed: frozenset[str] = frozenset(),
) -> list[Payout]:
    """The payouts of a new SEPA batch, in the order asked (each once), as they become: sent.
    Refused: `unknown_payout` (details `payout_id`; not found or of another fund),
    `payout_not_open` (already in a batch, or paid), `period_closed` (execution date)."""
    check_open(execution_date, closed)
    chosen: list[Payout] = []
    seen: set[UUID] = set()
    for payout_id in payout_ids:
        if payout_id in seen:
            continue
        seen.add(payout_id)
        payout = found.get(payout_id)
        if payout is None or payout.fund_id != fund_id:
            raise Refusal("unknown_payout", {"payout_id": str(payout_id)}, payout=str(payout_id))
        if payout.state != RECORDED:
            raise Refusal(
                "payout_not_open",
                {"payout_id": str(payout_id), "state": payout.state},
                payout=str(payout_id),
                state=payout.state,
            )
        chosen.append(replace(payout, state=SENT, batch_id=batch_id, execution_date=execution_date))
    return chosen
