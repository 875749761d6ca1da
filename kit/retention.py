"""Forget answered commands and handled events once no retry can still bring them back.

A repeated `command_id` is answered from `processed_commands`; a redelivered event is skipped
because its id is in `inbox`. Both only matter while a retry can still arrive: a client retries
a command within seconds or minutes, and JetStream redelivers only what was not acknowledged
(within `ack_wait_s` × `max_deliver`) and drops a re-published event within
`duplicate_window_s`. Kept for days, they are safe to forget afterwards; kept for ever, they
grow without limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol

import asyncpg

from . import inbox, processed
from .logging import get_logger
from .settings import ServiceSettings

log = get_logger(__name__)


class Running(Protocol):
    """What the sweep needs of a started service."""

    pool: asyncpg.Pool
    settings: ServiceSettings


async def _delete_before(pool: asyncpg.Pool, statement: str, before: datetime, batch: int) -> int:
    # One short transaction per batch: the sweep never holds many row locks for long.
    deleted = 0
    while True:
        status = await pool.execute(statement, before, batch)
        n = int(status.rsplit(" ", 1)[-1])
        deleted += n
        if n < batch:
            return deleted


async def sweep_retention(
    pool: asyncpg.Pool, command_days: float, inbox_days: float, batch: int = 5000
) -> tuple[int, int]:
    """Delete answered commands older than `command_days` and handled-event ids older than
    `inbox_days`; return how many of each."""
    now = datetime.now(UTC)
    commands = await _delete_before(
        pool, processed.FORGET_BEFORE, now - timedelta(days=command_days), batch
    )
    events = await _delete_before(
        pool, inbox.FORGET_BEFORE, now - timedelta(days=inbox_days), batch
    )
    return commands, events


async def retention_job(svc: Running) -> None:
    """Every service's `jobs` role runs this: a sweep at start, then every interval."""
    s = svc.settings
    while True:
        commands, events = await sweep_retention(
            svc.pool, s.command_retention_days, s.inbox_retention_days
        )
        if commands or events:
            log.info("retention sweep", commands_forgotten=commands, events_forgotten=events)
        await asyncio.sleep(s.retention_sweep_interval_s)
