"""The reconciliation report: per fund, earmark and allocation what was budgeted, committed,
paid, spent and returned, what is available, and every place where these do not agree. Pure:
the repository sums the rows, this assembles the figures and finds the mismatches.

Figures (cents, cumulative):
- allocation: budget = the amount committed to it; committed = that less what was released
  unpaid; paid = what statements showed leaving; spent = what its accepted report accounted
  for; returned = what came back; available = committed - paid (still to pay).
- earmark: budget = its amount; committed, paid, spent, returned = its allocations' sums;
  available = what its ledger account may still commit (neither reserved nor committed).
- fund: budget = its total; the sums of its earmarks; available = the total less what is
  earmarked, plus what the earmarks have available.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from contracts.budget import (
    AllocationFigures,
    EarmarkReconciliation,
    Mismatch,
    Reconciliation,
)

from .payouts import RELEASED, euros

LATE_AFTER_DAYS = 5
"""A sent payout with no statement line this many days after its execution date is flagged:
SEPA credit transfers are booked within one business day (EPC SCT rulebook), so five days
covers a long weekend and a bank holiday."""


@dataclass(frozen=True)
class AllocationMoney:
    """One allocation's sums (cents). `bank_paid` is every statement line attributed to its
    payouts, duplicates included: what really left the account."""

    allocation_id: UUID
    application_id: UUID
    earmark_id: UUID
    state: str
    committed: int
    released: int = 0
    paid: int = 0
    spent: int = 0
    returned: int = 0
    reported: bool = False
    bank_paid: int = 0

    @property
    def net_committed(self) -> int:
        return 0 if self.state == RELEASED else self.committed - self.released


@dataclass(frozen=True)
class EarmarkMoney:
    earmark_id: UUID
    name: str
    budget: int
    available: int


@dataclass(frozen=True)
class LooseLine:
    """A statement line that took money out of the account and paid no payout."""

    statement_id: UUID
    line: int
    amount: int
    code: str
    detail: str
    payout_id: UUID | None = None


@dataclass(frozen=True)
class SentPayout:
    payout_id: UUID
    allocation_id: UUID
    amount: int
    execution_date: date


def _allocation_figures(a: AllocationMoney) -> AllocationFigures:
    return AllocationFigures(
        allocation_id=a.allocation_id,
        application_id=a.application_id,
        budget=a.committed,
        committed=a.net_committed,
        paid=a.paid,
        spent=a.spent,
        returned=a.returned,
        available=a.net_committed - a.paid,
    )


def _allocation_mismatches(a: AllocationMoney) -> list[Mismatch]:
    found = []
    paid = max(a.paid, a.bank_paid)
    if a.state == RELEASED and paid > 0:
        found.append(
            Mismatch(
                kind="paid_without_commitment",
                allocation_id=a.allocation_id,
                amount=paid,
                detail=f"{euros(paid)} paid on a released allocation",
            )
        )
    elif paid > a.net_committed:
        found.append(
            Mismatch(
                kind="paid_more_than_committed",
                allocation_id=a.allocation_id,
                amount=paid - a.net_committed,
                detail=f"paid {euros(paid)}, committed {euros(a.net_committed)}",
            )
        )
    if a.reported and a.paid == 0:
        found.append(
            Mismatch(
                kind="report_without_payout",
                allocation_id=a.allocation_id,
                amount=a.spent,
                detail=f"report accepted ({euros(a.spent)} spent), nothing paid",
            )
        )
    return found


def reconcile(
    fund_id: UUID,
    total: int,
    earmarks: list[EarmarkMoney],
    allocations: list[AllocationMoney],
    loose_lines: list[LooseLine],
    sent: list[SentPayout],
    as_of: datetime,
    today: date,
    late_after_days: int = LATE_AFTER_DAYS,
) -> Reconciliation:
    """The report as of `as_of`; `sent` payouts executed more than `late_after_days` before
    `today` without a statement line are flagged."""
    by_earmark: dict[UUID, list[AllocationMoney]] = {e.earmark_id: [] for e in earmarks}
    mismatches: list[Mismatch] = []
    for a in allocations:
        by_earmark.setdefault(a.earmark_id, []).append(a)
        mismatches.extend(_allocation_mismatches(a))
    rows = []
    for e in earmarks:
        figures = [_allocation_figures(a) for a in by_earmark[e.earmark_id]]
        rows.append(
            EarmarkReconciliation(
                earmark_id=e.earmark_id,
                name=e.name,
                budget=e.budget,
                committed=sum(f.committed for f in figures),
                paid=sum(f.paid for f in figures),
                spent=sum(f.spent for f in figures),
                returned=sum(f.returned for f in figures),
                available=e.available,
                allocations=figures,
            )
        )
    for line in loose_lines:
        mismatches.append(
            Mismatch(
                kind="statement_line_without_payout",
                statement_id=line.statement_id,
                line=line.line,
                payout_id=line.payout_id,
                amount=line.amount,
                detail=f"{line.code}: {line.detail}"[:500],
            )
        )
    late = today - timedelta(days=late_after_days)
    for p in sent:
        if p.execution_date < late:
            mismatches.append(
                Mismatch(
                    kind="payout_without_statement_line",
                    allocation_id=p.allocation_id,
                    payout_id=p.payout_id,
                    amount=p.amount,
                    detail=f"sent for {p.execution_date.isoformat()}, not on any statement",
                )
            )
    return Reconciliation(
        fund_id=fund_id,
        as_of=as_of,
        budget=total,
        committed=sum(r.committed for r in rows),
        paid=sum(r.paid for r in rows),
        spent=sum(r.spent for r in rows),
        returned=sum(r.returned for r in rows),
        available=total - sum(e.budget for e in earmarks) + sum(e.available for e in earmarks),
        earmarks=rows,
        mismatches=mismatches,
    )
