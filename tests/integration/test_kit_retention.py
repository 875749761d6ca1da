"""Answered commands and handled-event ids are forgotten after their retention, not before."""

from __future__ import annotations

import uuid

import asyncpg

from kit.db import KIT_MIGRATIONS, migrate
from kit.retention import retention_job, sweep_retention
from kit.service import Service


async def _days_old(conn: asyncpg.Connection, table: str, days: list[float]):
    for age in days:
        if table == "processed_commands":
            await conn.execute(
                "INSERT INTO processed_commands (command_id, operation, request_hash, reply, ok, "
                "created_at) VALUES ($1, 'op', '\\x00', '\\x00', true, "
                "now() - make_interval(secs => $2))",
                uuid.uuid4(),
                age * 86400,
            )
        else:
            await conn.execute(
                "INSERT INTO inbox (consumer, event_id, handled_at) "
                "VALUES ('c', $1, now() - make_interval(secs => $2))",
                uuid.uuid4(),
                age * 86400,
            )


async def _ages(conn: asyncpg.Connection, table: str, column: str) -> list[int]:
    rows = await conn.fetch(
        f"SELECT round(extract(epoch FROM now() - {column}) / 86400) AS days FROM {table} "
        "ORDER BY 1"
    )
    return [int(r["days"]) for r in rows]


async def test_the_sweep_forgets_only_what_is_older_than_its_retention(database):
    pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, [("kit", KIT_MIGRATIONS)])
            await _days_old(conn, "processed_commands", [0, 1, 6.9, 7.1, 8, 9, 40])
            await _days_old(conn, "inbox", [0, 8, 29.9, 30.1, 31, 60])
        # batch=2 makes the sweep loop over several batches, as it does on a large table.
        forgotten = await sweep_retention(pool, command_days=7, inbox_days=30, batch=2)
        assert forgotten == (4, 3)
        async with pool.acquire() as conn:
            assert await _ages(conn, "processed_commands", "created_at") == [0, 1, 7]
            assert await _ages(conn, "inbox", "handled_at") == [0, 8, 30]
        assert await sweep_retention(pool, command_days=7, inbox_days=30, batch=2) == (0, 0)
    finally:
        await pool.close()


def test_every_service_registers_the_sweep_as_a_background_job():
    from contracts import ServiceContracts

    service = Service(ServiceContracts(service="example"))
    assert retention_job in service._jobs
