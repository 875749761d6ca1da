"""The pool hands out connections ready for the hot path."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from kit.db import ARRAY_TYPES, connect_with_retry, create_pool

ALL_ARRAYS = "SELECT " + ", ".join(f"${n}::{t}[]" for n, t in enumerate(ARRAY_TYPES, start=1))
VALUES = (
    [uuid.uuid4()],
    ["a"],
    [1],
    [2],
    ['{"a": 1}'],
    [b"x"],
    [True],
    [dt.datetime.now(dt.UTC)],
)


def count_lookups(monkeypatch) -> list:
    """Every catalogue look-up asyncpg makes for types it does not know yet."""
    lookups: list = []
    original = asyncpg.Connection._introspect_types

    async def counting(self, typeoids, timeout):
        lookups.append(sorted(typeoids))
        return await original(self, typeoids, timeout)

    monkeypatch.setattr(asyncpg.Connection, "_introspect_types", counting)
    return lookups


async def test_pool_connections_know_the_array_types_before_their_first_command(
    database, monkeypatch
):
    lookups = count_lookups(monkeypatch)
    pool = await create_pool(database, 1, 3, 10)
    try:
        opened = len(lookups)
        # Two more connections open now, while the first is busy, as under load: one look-up
        # each, for all the types at once, when they open.
        async with pool.acquire() as a, pool.acquire() as b, pool.acquire() as c:
            assert len(lookups) == opened + 2
            for conn in (a, b, c):
                row = await conn.fetchrow(ALL_ARRAYS, *VALUES)
                assert row[0] == VALUES[0]
        assert len(lookups) == opened + 2, "a command looked a type up on the hot path"
    finally:
        await pool.close()


async def test_a_single_connection_knows_them_too(database, monkeypatch):
    """The outbox relay's own connections come from connect_with_retry."""
    lookups = count_lookups(monkeypatch)
    conn = await connect_with_retry(database, 10)
    try:
        await conn.fetchrow(ALL_ARRAYS, *VALUES)
        assert len(lookups) == 1
    finally:
        await conn.close()
