"""Processed commands: each command id a service has answered, with its reply
(`processed_commands`, kit/migrations), so a repeated id gets the first reply and no second
effect. An id is claimed before its handler runs and its reply stored at the end of the same
transaction. Every statement on the table is here."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from .outbox import INSERT_EVENTS, OutgoingEvent, event_columns

_CLAIM = (
    "WITH claimed AS (INSERT INTO processed_commands (command_id, operation, request_hash) "
    "SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[]) "
    "ON CONFLICT DO NOTHING RETURNING command_id) "
    "SELECT coalesce(array_agg(command_id), '{}') "
    "FROM claimed, set_config('lock_timeout', $4, true)"
)
_ANSWERED = (
    "SELECT command_id, operation, request_hash, reply FROM processed_commands "
    "WHERE command_id = ANY($1::uuid[])"
)
# The events (into the outbox), the replies, and no trace of the commands not decided (so that
# a retry can run): one statement.
_FINISH = (
    f"WITH o AS ({INSERT_EVENTS}), "
    "p AS (UPDATE processed_commands AS p SET reply = v.reply, ok = v.ok "
    "FROM unnest($5::uuid[], $6::bytea[], $7::boolean[]) AS v(id, reply, ok) "
    "WHERE p.command_id = v.id), "
    "d AS (DELETE FROM processed_commands WHERE command_id = ANY($8::uuid[])) "
    "SELECT 1"
)

FORGET_BEFORE = (
    "DELETE FROM processed_commands WHERE command_id IN (SELECT command_id "
    "FROM processed_commands WHERE created_at < $1 LIMIT $2)"
)
"""Deletes up to $2 answered commands older than $1 (kit/retention.py runs it in batches)."""


async def claim(
    conn: asyncpg.Connection,
    command_ids: Sequence[UUID],
    operations: Sequence[str],
    request_hashes: Sequence[bytes],
    lock_timeout: str,
) -> set[UUID]:
    """Claim the ids with a placeholder row each, in one statement that also sets the
    transaction's `lock_timeout`; return those claimed. An id that is there already was
    answered before; if another replica is answering it right now, the insert waits for that
    transaction, so its reply is then there to read."""
    return set(
        await conn.fetchval(
            _CLAIM, list(command_ids), list(operations), list(request_hashes), lock_timeout
        )
    )


async def answered(conn: asyncpg.Connection, command_ids: Sequence[UUID]) -> dict:
    """The stored rows (operation, request hash, reply) of ids answered before, by id."""
    rows = await conn.fetch(_ANSWERED, list(command_ids))
    return {row["command_id"]: row for row in rows}


async def finish(
    conn: asyncpg.Connection,
    events: Sequence[OutgoingEvent],
    replies: Sequence[tuple[UUID, bytes, bool]],
    released: Sequence[UUID],
) -> None:
    """Store the events, the replies (id, reply, ok) and release the claims of `released`."""
    await conn.execute(
        _FINISH,
        *event_columns(events),
        [r[0] for r in replies],
        [r[1] for r in replies],
        [r[2] for r in replies],
        list(released),
    )
