"""The initiatives service: its handler tables on the kit, and its consumers of the budget
service's and the time bank's events."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import Gauge

from contracts import budget as b
from contracts.initiatives import (
    DECIDE,
    DISCRETIONARY_ROOM,
    EXPORT_REGISTER,
    GET_APPLICATION,
    GRANT_DISCRETIONARY,
    INITIATIVES,
    MONITORING,
    MY_APPLICATIONS,
    PING,
    RECORD_MEETING,
    RECORD_REVIEW,
    REVIEW_QUEUE,
    REVIEW_REPORT,
    SAVE_DRAFT,
    SCREEN_APPLICATION,
    SUBMIT_APPLICATION,
    SUBMIT_REPORT,
    TRANSPARENCY_REGISTER,
    WITHDRAW_APPLICATION,
)
from contracts.timebank import TransferPosted, TransferReversed
from kit.service import Service
from kit.settings import ServiceSettings

from . import queries
from .handlers import applications, budget, hours, reports, reviews

MIGRATIONS = Path(__file__).parent / "migrations"
PARKED: dict[int, Gauge] = {}
"""The gauge of each service instance (a restarted job must not register it twice)."""


class InitiativesSettings(ServiceSettings):
    parked_gauge_interval_s: float = 15.0
    """How often the number of parked events is measured for `/metrics`."""


async def measure_parked(svc: Service) -> None:
    """`voorelkaar_parked_events`: events waiting for what they follow (docs/initiative-fund.md).
    A number that keeps growing means an event that will never fit: look at `parked_events`."""
    gauge = PARKED.get(id(svc.metrics))
    if gauge is None:
        gauge = PARKED[id(svc.metrics)] = Gauge(
            "voorelkaar_parked_events",
            "Events kept until what they follow has happened",
            registry=svc.metrics.registry,
        )
    interval = getattr(svc.settings, "parked_gauge_interval_s", 15.0)
    while True:
        gauge.set(await svc.pool.fetchval("SELECT count(*) FROM parked_events"))
        await asyncio.sleep(interval)


def build(settings: ServiceSettings | None = None) -> Service:
    return Service(
        INITIATIVES,
        MIGRATIONS,
        settings or InitiativesSettings(),
        commands={
            SAVE_DRAFT: applications.save_draft,
            SUBMIT_APPLICATION: applications.submit_application,
            WITHDRAW_APPLICATION: applications.withdraw_application,
            RECORD_MEETING: reviews.record_meeting,
            RECORD_REVIEW: reviews.record_review,
            DECIDE: reviews.decide,
            GRANT_DISCRETIONARY: reviews.grant_discretionary,
            SUBMIT_REPORT: reports.submit_report,
            REVIEW_REPORT: reports.review_report,
        },
        queries={
            GET_APPLICATION: queries.get_application,
            MY_APPLICATIONS: queries.my_applications,
            SCREEN_APPLICATION: queries.screen_application,
            REVIEW_QUEUE: queries.review_queue,
            DISCRETIONARY_ROOM: queries.discretionary_room,
            MONITORING: queries.monitoring,
            TRANSPARENCY_REGISTER: queries.transparency_register,
            EXPORT_REGISTER: queries.export_register,
            PING: queries.ping,
        },
        events={
            "from-budget": {
                b.FundCreated: budget.on_fund,
                b.FundUpdated: budget.on_fund,
                b.EarmarkAdjusted: budget.on_earmark_adjusted,
                b.MoneyTransferred: budget.on_money_transferred,
                b.RoundOpened: budget.on_round_opened,
                b.RoundClosed: budget.on_round_closed,
                b.RoundProjectRemoved: budget.on_project_removed,
                b.RoundProjectAdded: budget.on_allocation,
                b.AllocationCommitted: budget.on_allocation,
                b.AllocationNotGranted: budget.on_allocation,
                b.AllocationRefused: budget.on_allocation,
                b.AllocationReleased: budget.on_allocation,
                b.AllocationPaid: budget.on_allocation,
                b.AllocationSettled: budget.on_allocation,
            },
            "from-timebank": {
                TransferPosted: hours.on_transfer_posted,
                TransferReversed: hours.on_transfer_reversed,
            },
        },
        jobs=[measure_parked],
    )
