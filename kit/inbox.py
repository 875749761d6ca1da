"""The inbox: the events each durable consumer has handled (`inbox`, kit/migrations), recorded
in the same transaction as their effects, so a redelivered event is recognised and skipped.
Every statement on the table is here."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

_RECORD_MANY = (
    "WITH ids AS (INSERT INTO inbox (consumer, event_id) "
    "SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id) "
    "SELECT coalesce(array_agg(event_id), '{}') FROM ids"
)
_RECORD_ONE = (
    "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true"
)

FORGET_BEFORE = (
    "DELETE FROM inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id "
    "FROM inbox WHERE handled_at < $1 LIMIT $2)"
)
"""Deletes up to $2 handled-event ids older than $1 (kit/retention.py runs it in batches)."""


async def record(conn: asyncpg.Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """Record the events as handled by `consumer`; return those that were not before (one
    statement for the batch; an id twice in it counts once)."""
    return set(await conn.fetchval(_RECORD_MANY, consumer, list(event_ids)))


async def record_one(conn: asyncpg.Connection, consumer: str, event_id: UUID) -> bool:
    """Record one event; False when `consumer` handled it before."""
    return bool(await conn.fetchval(_RECORD_ONE, consumer, event_id))
