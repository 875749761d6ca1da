"""Allocations: money committed to an application, and what became of it (issues 12, 13).

An allocation is budget's answer to an application the initiatives service admitted to a
ballot (`application.admitted`) or granted directly (`application.granted_directly`). Each
application gets at most one allocation; every event names the application, so the initiatives
service can apply it whatever it saw before (see docs/initiative-fund.md).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from ..funding import DecisionPath
from ..registry import Policy
from ..text import Reason
from ..types import Cents, Contract, NeighbourhoodCode, PositiveCents, UtcDateTime
from .base import BUDGET
from .funds import FINANCE

NonNegativeCents = Annotated[int, Field(strict=True, ge=0, le=2**62)]
AllocationState = Literal["committed", "paid", "settled", "released"]


class AllocationFacts(Contract):
    allocation_id: UUID
    application_id: UUID
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode


@BUDGET.event("allocation.committed")
class AllocationCommitted(AllocationFacts):
    """Money is committed to the application: a pending transfer on the earmark holds it.

    `decided_by` says how: a ballot round (`round_id`, `votes`), reviewers, or one
    wijkmanager's discretionary grant (`decision_id` names the initiatives service's decision)."""

    amount: PositiveCents
    decided_by: DecisionPath
    round_id: UUID | None = None
    votes: Annotated[int, Field(ge=0)] | None = None
    decision_id: UUID | None = None
    pending_transfer_id: UUID
    committed_at: UtcDateTime


@BUDGET.event("allocation.not_granted")
class AllocationNotGranted(Contract):
    """The application was on a round's ballot and the tally did not select it."""

    application_id: UUID
    round_id: UUID
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    cost: PositiveCents
    votes: Annotated[int, Field(ge=0)]
    reason: Literal["not_selected", "round_cancelled"]


@BUDGET.event("allocation.refused")
class AllocationRefused(Contract):
    """A direct grant could not be committed: the earmark lacks the money (or no longer
    exists, or no longer decides this way). Nothing was committed; the initiatives service
    puts the application back in review and gives the manager's discretionary room back."""

    application_id: UUID
    decision_id: UUID
    fund_id: UUID
    earmark_id: UUID
    requested: PositiveCents
    available: Cents
    reason: Literal["insufficient_funds", "unknown_earmark", "path_not_allowed"]


@BUDGET.event("allocation.released")
class AllocationReleased(AllocationFacts):
    """The commitment was voided before anything was paid; the money is back on the earmark."""

    amount: PositiveCents
    reason: Literal["withdrawn", "cancelled"]
    note: Reason | None = None


@BUDGET.event("allocation.paid")
class AllocationPaid(AllocationFacts):
    """All committed money reached the recipient (the last payout was seen on a statement)."""

    committed: PositiveCents
    paid: PositiveCents
    paid_at: UtcDateTime


@BUDGET.event("allocation.settled")
class AllocationSettled(AllocationFacts):
    """The allocation's accounts are final: what was spent, and what went back to the earmark.

    `released` is committed money never paid out; `to_be_repaid` is paid money not spent that
    the recipient still has to send back; `returned` what they sent back so far."""

    committed: PositiveCents
    paid: NonNegativeCents
    spent: NonNegativeCents
    released: NonNegativeCents
    returned: NonNegativeCents
    to_be_repaid: NonNegativeCents
    basis: Literal["report", "return"]
    settled_at: UtcDateTime


class ReleaseAllocation(Contract):
    allocation_id: UUID
    fund_id: UUID
    reason: Literal["withdrawn", "cancelled"]
    note: Reason | None = None


class AllocationRef(Contract):
    allocation_id: UUID


class AllocationQuery(Contract):
    fund_id: UUID
    allocation_id: UUID | None = None
    application_id: UUID | None = None


class AllocationView(AllocationFacts):
    state: AllocationState
    decided_by: DecisionPath
    round_id: UUID | None = None
    committed: NonNegativeCents
    paid: NonNegativeCents
    spent: NonNegativeCents | None = None
    returned: NonNegativeCents
    released: NonNegativeCents
    committed_at: UtcDateTime


RELEASE_ALLOCATION = BUDGET.command(
    "release_allocation",
    ReleaseAllocation,
    AllocationRef,
    "Void a commitment before any payout; the money returns to the earmark.",
    errors=("unknown_allocation", "allocation_not_committed", "allocation_has_payouts"),
    policy=Policy(FINANCE, scope="fund_id"),
)
GET_ALLOCATION = BUDGET.query(
    "get_allocation",
    AllocationQuery,
    AllocationView,
    "One allocation by its id or its application's id.",
    errors=("unknown_allocation",),
    policy=Policy(FINANCE, scope="fund_id"),
)

__all__ = [
    "GET_ALLOCATION",
    "RELEASE_ALLOCATION",
    "AllocationCommitted",
    "AllocationFacts",
    "AllocationNotGranted",
    "AllocationPaid",
    "AllocationQuery",
    "AllocationRef",
    "AllocationRefused",
    "AllocationReleased",
    "AllocationSettled",
    "AllocationState",
    "AllocationView",
    "NonNegativeCents",
    "ReleaseAllocation",
]
