"""The time bank service: its handlers on the kit, and its background sweeps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import ledger
from contracts import Actor
from contracts import timebank as c
from kit.logging import get_logger
from kit.service import Service
from kit.settings import ServiceSettings

from . import queries
from .handlers import exchanges, listings, members, pot, transfers
from .repository import LEDGER_CHECKS, TimebankRepository

MIGRATIONS = Path(__file__).parent / "migrations"
__all__ = ["LEDGER_CHECKS", "TimebankSettings", "build", "sweep_once"]
SWEEPER = Actor(role="system", id="timebank.sweeper")

log = get_logger(__name__)

COMMANDS = {
    c.CONFIGURE_COMMUNITY: members.configure_community,
    c.REGISTER_MEMBER: members.register_member,
    c.APPROVE_MEMBER: members.approve_member,
    c.SUSPEND_MEMBER: members.suspend_member,
    c.LEAVE: members.leave,
    c.RECORD_VOG: members.record_vog,
    c.SET_MEMBER_LIMITS: members.set_member_limits,
    c.PUBLISH_LISTING: listings.publish_listing,
    c.CLOSE_LISTING: listings.close_listing,
    c.PROPOSE_EXCHANGE: exchanges.propose_exchange,
    c.ACCEPT_EXCHANGE: exchanges.accept_exchange,
    c.RECORD_EXCHANGE: exchanges.record_exchange,
    c.RECORD_HOURS: exchanges.record_hours,
    c.CANCEL_EXCHANGE: exchanges.cancel_exchange,
    c.DISPUTE_EXCHANGE: exchanges.dispute_exchange,
    c.RESOLVE_DISPUTE: exchanges.resolve_dispute,
    c.DONATE: pot.donate,
    c.AWARD: pot.award,
    c.REVERSE_TRANSFER: transfers.reverse_transfer,
}
# Confirmations carry the load (every posted hour): they are applied a batch at a time.
BATCH_COMMANDS = {c.CONFIRM_EXCHANGE: exchanges.confirm_exchanges}
QUERIES = {
    c.BALANCE: queries.balance,
    c.STATEMENT: queries.statement,
    c.EXPORT_CSV: queries.export_csv,
    c.COMMUNITY_STATS: queries.community_stats,
    c.SEARCH_LISTINGS: queries.search_listings,
    c.GET_MEMBER: queries.get_member,
    c.GET_EXCHANGE: queries.get_exchange,
    c.PING: queries.ping,
}


class TimebankSettings(ServiceSettings):
    sweep_interval_s: float = 30.0
    """How often due exchanges are auto-confirmed and expired listings closed."""


def build(settings: TimebankSettings | None = None) -> Service:
    return Service(
        c.TIMEBANK,
        MIGRATIONS,
        settings or TimebankSettings(),
        commands=COMMANDS,
        batch_commands=BATCH_COMMANDS,
        queries=QUERIES,
        components=(ledger.COMPONENT,),
        jobs=[sweep],
    )


async def sweep(svc: Service) -> None:
    """Confirm exchanges whose period passed undisputed; close expired listings."""
    interval = getattr(svc.settings, "sweep_interval_s", 30.0)
    while True:
        await sweep_once(svc)
        await asyncio.sleep(interval)


async def sweep_once(svc: Service, batch: int = 50, max_batches: int = 20) -> tuple[int, int]:
    confirmed, failed = 0, 0
    for _ in range(max_batches):
        async with svc.unit_of_work(SWEEPER) as uow:
            due = await TimebankRepository(uow.conn).due_exchanges(batch + failed)
        todo = due[failed:] if failed else due
        if not todo:
            break
        for exchange_id in todo:
            # One exchange per transaction: one that cannot be posted holds back no other.
            try:
                async with svc.unit_of_work(SWEEPER) as uow:
                    confirmed += await exchanges.auto_confirm(uow, exchange_id)
            except Exception as exc:
                failed += 1
                log.warning("auto-confirm failed", exchange_id=str(exchange_id), error=repr(exc))
        if len(due) < batch + failed:
            break
    async with svc.unit_of_work(SWEEPER) as uow:
        expired = await listings.expire_listings(uow)
    if confirmed or expired:
        log.info("sweep", auto_confirmed=confirmed, listings_expired=expired)
    return confirmed, expired
