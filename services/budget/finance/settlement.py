"""Settling an allocation: its accounts become final (docs/initiative-fund.md).

On an accepted report (`application.reported`): the reported spending (at most what was
committed) is accounted as spent; committed money that will never be paid goes back to the
earmark; paid money not spent is to be repaid until finance records its return. Money already
on its way (payouts recorded or sent, not yet on a statement) stays committed, and so does
spending reported before it was paid (funds that pay afterwards): it may still be paid.

On a return without a report (money sent back): what the recipient kept counts as spent, and
everything committed and not paid goes back to the earmark. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from contracts import Refusal

from .payouts import SETTLED, Allocation, euros
from .periods import check_open


@dataclass(frozen=True)
class Position:
    """Where an allocation's money is (cents): `paid` reached the recipient (statements),
    `in_flight` is recorded or sent and not yet paid, `spent` and `returned` were booked from
    what was paid."""

    paid: int = 0
    in_flight: int = 0
    spent: int = 0
    returned: int = 0

    @property
    def with_recipient(self) -> int:
        """Paid and neither accounted as spent nor returned: what may still come back."""
        return self.paid - self.spent - self.returned


@dataclass(frozen=True)
class Settlement:
    """What settling books (cents): `release` committed money back to the earmark, `spend`
    from paid to spent now; `spent` the final spending, `to_be_repaid` what the recipient
    still has to send back."""

    spent: int
    release: int
    spend: int
    to_be_repaid: int
    basis: str


def settle_on_report(allocation: Allocation, at: Position, reported_spent: int) -> Settlement:
    """Settle with the report's spending (cents, the sum of its lines)."""
    spent = min(reported_spent, allocation.payable)
    keep = max(at.paid + at.in_flight, spent)
    spend = max(0, min(spent, at.paid - at.returned) - at.spent)
    return Settlement(
        spent=spent,
        release=max(0, allocation.payable - keep),
        spend=spend,
        to_be_repaid=max(0, at.paid - at.returned - spent),
        basis="report",
    )


def settle_on_return(allocation: Allocation, at: Position, amount: int) -> Settlement:
    """Settle when `amount` came back without a report: the rest of what was paid counts as
    spent, and nothing more will be paid."""
    kept = at.with_recipient - amount
    return Settlement(
        spent=at.spent + kept,
        release=max(0, allocation.payable - at.paid - at.in_flight),
        spend=kept,
        to_be_repaid=0,
        basis="return",
    )


def decide_return(
    allocation: Allocation | None,
    fund_id: UUID,
    at: Position,
    amount: int,
    received_on: date,
    closed: frozenset[str] = frozenset(),
) -> Settlement | None:
    """A return of `amount` for `allocation`: None when it is already settled (the money only
    goes back to the earmark), else the settlement it causes. Refused: `unknown_allocation`,
    `period_closed`, `return_exceeds_paid` (details `paid`: what is still with the recipient;
    nothing, for an allocation released unpaid)."""
    if allocation is None or allocation.fund_id != fund_id:
        raise Refusal("unknown_allocation", {"fund_id": str(fund_id)})
    check_open(received_on, closed)
    if amount > at.with_recipient:
        raise Refusal(
            "return_exceeds_paid",
            {"paid": at.with_recipient, "requested": amount},
            paid=euros(at.with_recipient),
        )
    if allocation.state == SETTLED:
        return None
    return settle_on_return(allocation, at, amount)
