"""The budget service's events: fund rules (kept by revision), rounds, and allocations (applied
to the application when its state allows, else parked and tried again whenever it changes).
See docs/initiative-fund.md."""

from __future__ import annotations

from collections.abc import Callable

from contracts import Event, EventRegistry, utc_now
from contracts.budget import (
    BUDGET,
    AllocationCommitted,
    AllocationNotGranted,
    AllocationPaid,
    AllocationRefused,
    AllocationReleased,
    AllocationSettled,
    EarmarkAdjusted,
    FundCreated,
    FundUpdated,
    MoneyTransferred,
    RoundClosed,
    RoundOpened,
    RoundProjectAdded,
    RoundProjectRemoved,
)
from contracts.initiatives import (
    ApplicationClosed,
    ApplicationGranted,
    ApplicationNotGranted,
    ApplicationPaid,
)
from kit.logging import get_logger
from kit.uow import UnitOfWork

from ..domain import Application, NotYet, Outcome, allocations
from ..repository import Repository
from .common import repo

log = get_logger(__name__)

# -- funds and rounds --------------------------------------------------------------------------


async def on_fund(uow: UnitOfWork, event: Event[FundCreated] | Event[FundUpdated]) -> None:
    await repo(uow).store_fund(event.data)


async def on_earmark_adjusted(uow: UnitOfWork, event: Event[EarmarkAdjusted]) -> None:
    e = event.data
    await repo(uow).store_amount(e.earmark_id, e.amount_after, e.revision)


async def on_money_transferred(uow: UnitOfWork, event: Event[MoneyTransferred]) -> None:
    e, repository = event.data, repo(uow)
    await repository.store_amount(e.from_earmark_id, e.from_amount_after, e.revision)
    await repository.store_amount(e.to_earmark_id, e.to_amount_after, e.revision)


async def on_round_opened(uow: UnitOfWork, event: Event[RoundOpened]) -> None:
    e = event.data
    await repo(uow).round_opened(e.round_id, e.neighbourhood, e.closes_at)


async def on_round_closed(uow: UnitOfWork, event: Event[RoundClosed]) -> None:
    e = event.data
    await repo(uow).round_closed(e.round_id, e.neighbourhood, e.closed_at)


async def on_project_removed(uow: UnitOfWork, event: Event[RoundProjectRemoved]) -> None:
    repository = repo(uow)
    app = await repository.application(event.data.application_id, lock=True)
    if app is not None:
        app.note("off_ballot", "Van de stemlijst gehaald (ingetrokken).")
        await repository.save(app, event.actor, utc_now())


# -- allocations -------------------------------------------------------------------------------


def _granted(app: Application, e: AllocationCommitted):
    return ApplicationGranted(
        **app.facts(),
        allocation_id=e.allocation_id,
        amount=e.amount,
        decided_by=e.decided_by,
        round_id=e.round_id,
        votes=e.votes,
        granted_at=e.committed_at,
    )


def _not_granted(app: Application, e: AllocationNotGranted):
    return ApplicationNotGranted(**app.facts(), round_id=e.round_id, votes=e.votes, reason=e.reason)


def _paid(app: Application, e: AllocationPaid):
    return ApplicationPaid(
        **app.facts(), allocation_id=e.allocation_id, paid=e.paid, paid_at=e.paid_at
    )


def _closed(app: Application, e: AllocationReleased):
    return ApplicationClosed(**app.facts(), outcome="released", closed_at=utc_now())


# Per event model: the domain's applier, and the event this service publishes when it applied.
APPLIERS: dict[type, tuple[Callable, Callable | None]] = {
    AllocationCommitted: (allocations.committed, _granted),
    AllocationNotGranted: (allocations.not_granted, _not_granted),
    AllocationRefused: (allocations.refused, None),
    AllocationReleased: (allocations.released, _closed),
    AllocationPaid: (allocations.paid, _paid),
    AllocationSettled: (allocations.settled, None),
    RoundProjectAdded: (allocations.on_ballot, None),
}
_REGISTRY = EventRegistry(BUDGET)


async def _apply(uow: UnitOfWork, repository: Repository, app: Application, event: Event) -> bool:
    """Apply `event` to `app` and save it; False (nothing changed) when it must wait."""
    applier, published = APPLIERS[type(event.data)]
    try:
        outcome = applier(app, event.data)
    except NotYet:
        return False
    if outcome is Outcome.IGNORED:
        return True
    if outcome is Outcome.APPLIED:
        if published is not None:
            uow.emit(published(app, event.data), actor=event.actor)
        if isinstance(event.data, AllocationRefused) and app.decided_by == "discretionary":
            await repository.release_discretionary(event.data.decision_id)
    await repository.save(app, event.actor, utc_now())
    return True


async def on_allocation(uow: UnitOfWork, event: Event) -> None:
    """Any allocation event (and `round.project_added`): applied now, or parked."""
    repository = repo(uow)
    app = await repository.application(event.data.application_id, lock=True)
    if app is None:
        await repository.park(event, event.data.application_id, "unknown application")
        return
    if await _apply(uow, repository, app, event):
        await retry_parked(uow, repository, app)
    else:
        await repository.park(event, app.id, f"{event.type} while {app.state}")


async def retry_parked(uow: UnitOfWork, repository: Repository, app: Application) -> None:
    """Apply, in the order they occurred, the parked events of `app` that can be applied now;
    each applied one is deleted in this transaction, the others stay."""
    progress = True
    while progress:
        progress = False
        for row in await repository.parked(app.id):
            event = _REGISTRY.parse(bytes(row["payload"]))
            if await _apply(uow, repository, app, event):
                await repository.unpark(row["event_id"])
                log.info("parked event applied", event_id=str(row["event_id"]), type=row["type"])
                progress = True
