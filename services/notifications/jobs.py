"""The service's own timed work: daily digests, exchange reminders, retention, and the send
queue's gauges. Each is safe with several replicas (row locks or the dedup key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from kit.logging import get_logger

from .domain import DEFAULT_TIME_ZONE, digest_day, digest_event_id, retention_cutoff
from .domain import timebank as tb
from .handlers.notify import notify
from .repository import Repository

log = get_logger(__name__)


async def digests_once(pool: asyncpg.Pool, now: datetime | None = None) -> int:
    """Make today's digest for everyone whose digest hour has come; release the held e-mails
    of people who no longer want one. Returns how many e-mails went into digests."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn:
        people = await Repository(conn).people_with_held()
    gathered = 0
    for person in people:
        person_id = person["person_id"]
        async with pool.acquire() as conn, conn.transaction():
            repo = Repository(conn)
            if not person["digest"]:
                await repo.release_held(person_id)
                continue
            last = await repo.lock_digest_day(person_id)  # two replicas: one makes it
            day = digest_day(
                now, person["time_zone"] or DEFAULT_TIME_ZONE, person["digest_hour"], last
            )
            if day is None:
                continue
            contact = (await repo.contacts([person_id])).get(person_id)
            language = contact.language if contact else "nl"
            gathered += await repo.make_digest(
                person_id, day, digest_event_id(person_id, day), language
            )
    return gathered


async def reminders_once(pool: asyncpg.Pool, now: datetime | None = None, limit: int = 100) -> int:
    """Tell both sides of each exchange whose reminder is due; returns how many reminders."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        due = await Repository(conn).take_due_reminders(now, limit)
        for r in due:
            notices = tb.reminder_notices(
                r["exchange_id"],
                r["community"],
                r["unit"],
                r["amount"],
                r["confirm_by"],
                r["provider"],
                r["receiver"],
            )
            await notify(conn, tb.reminder_event_id(r["exchange_id"]), notices)
    return len(due)


async def retention_once(pool: asyncpg.Pool, days: float, now: datetime | None = None) -> int:
    """Delete messages older than `days` (in batches, short transactions)."""
    cutoff = retention_cutoff(now or datetime.now(UTC), days)
    deleted = 0
    while True:
        async with pool.acquire() as conn:
            n = await Repository(conn).delete_before(cutoff, 5000)
        deleted += n
        if n < 5000:
            return deleted


async def queue_figures(pool: asyncpg.Pool) -> tuple[int, int, float]:
    """(queued, failed, age in seconds of the oldest queued e-mail) for the gauges."""
    row = await pool.fetchrow(
        "SELECT count(*) FILTER (WHERE state = 'queued') AS queued, "
        "count(*) FILTER (WHERE state = 'failed') AS failed, "
        "coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'queued')), "
        "0) AS oldest FROM messages WHERE state IN ('queued', 'failed')"
    )
    return row["queued"], row["failed"], float(row["oldest"])


def lead_time(hours: float) -> timedelta:
    return timedelta(hours=hours)
