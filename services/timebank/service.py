"""The time bank service: its handlers on the kit, and its background sweeps."""

from __future__ import annotations

import asyncio
from pathlib import Path

from contracts import Actor
from contracts.timebank import TIMEBANK
from kit.logging import get_logger
from kit.service import Service
from kit.settings import ServiceSettings

from . import handlers, queries

MIGRATIONS = Path(__file__).parent / "migrations"
SWEEPER = Actor(role="system", id="timebank.sweeper")

log = get_logger(__name__)

COMMANDS = [
    "configure_community",
    "register_member",
    "approve_member",
    "suspend_member",
    "leave",
    "record_vog",
    "set_member_limits",
    "publish_listing",
    "close_listing",
    "propose_exchange",
    "accept_exchange",
    "record_exchange",
    "record_hours",
    "cancel_exchange",
    "dispute_exchange",
    "resolve_dispute",
    "donate",
    "award",
    "reverse_transfer",
]
QUERIES = [
    "balance",
    "statement",
    "export_csv",
    "community_stats",
    "search_listings",
    "get_member",
    "get_exchange",
    "ping",
]


class TimebankSettings(ServiceSettings):
    sweep_interval_s: float = 30.0
    """How often due exchanges are auto-confirmed and expired listings closed."""


def build(settings: TimebankSettings | None = None) -> Service:
    settings = settings or TimebankSettings()
    service = Service(TIMEBANK, MIGRATIONS, settings)
    for name in COMMANDS:
        service.command(name)(getattr(handlers, name))
    for name in QUERIES:
        service.query(name)(getattr(queries, name))
    # Confirmations carry the load (every posted hour): they are applied a batch at a time.
    service.command_batch("confirm_exchange")(handlers.confirm_exchanges)

    @service.background
    async def sweep(svc: Service) -> None:
        """Confirm exchanges whose period passed undisputed; close expired listings."""
        interval = getattr(svc.settings, "sweep_interval_s", 30.0)
        while True:
            await sweep_once(svc)
            await asyncio.sleep(interval)

    return service


async def sweep_once(svc: Service, batch: int = 50, max_batches: int = 20) -> tuple[int, int]:
    confirmed, failed = 0, 0
    for _ in range(max_batches):
        async with svc.unit_of_work(SWEEPER) as uow:
            due = await handlers.TimebankRepository(uow.conn).due_exchanges(batch + failed)
        todo = due[failed:] if failed else due
        if not todo:
            break
        for exchange_id in todo:
            # One exchange per transaction: one that cannot be posted holds back no other.
            try:
                async with svc.unit_of_work(SWEEPER) as uow:
                    confirmed += await handlers.auto_confirm(uow, exchange_id)
            except Exception as exc:
                failed += 1
                log.warning("auto-confirm failed", exchange_id=str(exchange_id), error=repr(exc))
        if len(due) < batch + failed:
            break
    async with svc.unit_of_work(SWEEPER) as uow:
        expired = await handlers.expire_listings(uow)
    if confirmed or expired:
        log.info("sweep", auto_confirmed=confirmed, listings_expired=expired)
    return confirmed, expired
