"""Migrations: numbered SQL files, applied once under an advisory lock, never changed after."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from kit.db import MigrationError, migrate, read_migrations


def folder(tmp_path, files: dict[str, str]):
    for name, sql in files.items():
        (tmp_path / name).write_text(sql)
    return tmp_path


async def test_migrations_apply_in_order_once_even_when_replicas_start_together(database, tmp_path):
    path = folder(
        tmp_path,
        {
            "0001_things.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "0002_more.sql": "ALTER TABLE things ADD COLUMN name text; "
            "INSERT INTO things VALUES (1, 'a');",
        },
    )
    conns = [await asyncpg.connect(database) for _ in range(4)]
    try:
        applied = await asyncio.gather(*(migrate(c, [("svc", path)]) for c in conns))
        assert sorted(len(a) for a in applied) == [0, 0, 0, 2]
        assert await conns[0].fetchval("SELECT count(*) FROM things") == 1
        rows = await conns[0].fetch(
            "SELECT component, version, name FROM schema_migrations ORDER BY version"
        )
        assert [(r["component"], r["version"], r["name"]) for r in rows] == [
            ("svc", 1, "things"),
            ("svc", 2, "more"),
        ]
    finally:
        for c in conns:
            await c.close()


async def test_a_changed_or_missing_applied_migration_stops_the_start(database, tmp_path):
    path = folder(tmp_path, {"0001_things.sql": "CREATE TABLE things (id int);"})
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [("svc", path)])
        (path / "0001_things.sql").write_text("CREATE TABLE things (id bigint);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, [("svc", path)])
        (path / "0001_things.sql").unlink()
        with pytest.raises(MigrationError, match="missing from the code"):
            await migrate(conn, [("svc", path)])
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_done(database, tmp_path):
    path = folder(tmp_path, {"0001_bad.sql": "CREATE TABLE a (id int); SELECT * FROM nowhere;"})
    conn = await asyncpg.connect(database)
    try:
        with pytest.raises(asyncpg.UndefinedTableError):
            await migrate(conn, [("svc", path)])
        assert await conn.fetchval("SELECT to_regclass('a')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 0
    finally:
        await conn.close()


def test_migration_files_must_be_numbered_and_unique(tmp_path):
    with pytest.raises(MigrationError, match=r"NNNN_lower_case_name\.sql"):
        read_migrations("svc", folder(tmp_path, {"create.sql": ""}))
    (tmp_path / "create.sql").unlink()
    with pytest.raises(MigrationError, match="share a number"):
        read_migrations("svc", folder(tmp_path, {"0001_a.sql": "", "0001_b.sql": ""}))
