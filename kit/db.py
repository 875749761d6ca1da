"""PostgreSQL access: a pool that waits for the server, and a migration runner.

Migrations are numbered plain-SQL files (`0001_name.sql`), applied in order at start-up under an
advisory lock (so replicas starting together apply each once), each in its own transaction,
recorded with a checksum. A service refuses to start when an applied file has changed or is
missing: the database would no longer be what the code expects.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import asyncpg

from .logging import get_logger

log = get_logger(__name__)

KIT_MIGRATIONS = Path(__file__).parent / "migrations"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x766F6F72  # "voor": one advisory lock for all migration runs in a database


class MigrationError(RuntimeError):
    pass


class Component(NamedTuple):
    """A set of migrations with its own name: the kit's tables, a shared component such as
    the ledger, or a service's own. Each is numbered and checked on its own."""

    name: str
    migrations: Path


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def read_migrations(component: str, folder: Path) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN_lower_case_name.sql")
        found.append(Migration(component, int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{folder}: two migrations share a number")
    return found


async def migrate(conn: asyncpg.Connection, components: list[tuple[str, Path]]) -> list[str]:
    """Apply what is new of each component (a `Component`, or a (name, folder) pair), in the
    order given; return the names applied, e.g. `ledger/0001_ledger`."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component text NOT NULL,
                version integer NOT NULL,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (component, version)
            )"""
        )
        rows = await conn.fetch("SELECT component, version, name, checksum FROM schema_migrations")
        done = {(r["component"], r["version"]): r for r in rows}
        for component, folder in components:
            wanted = read_migrations(component, folder)
            on_disk = {m.version for m in wanted}
            for (comp, version), row in done.items():
                if comp == component and version not in on_disk:
                    raise MigrationError(
                        f"{component} migration {version:04d}_{row['name']} is applied to the "
                        "database but missing from the code: refusing to start"
                    )
            for migration in wanted:
                row = done.get((component, migration.version))
                label = f"{component}/{migration.version:04d}_{migration.name}"
                if row is not None:
                    if row["checksum"] != migration.checksum:
                        raise MigrationError(
                            f"{label} was changed after it was applied "
                            f"(checksum {row['checksum'][:12]} in the database, "
                            f"{migration.checksum[:12]} on disk): refusing to start; "
                            "add a new migration instead"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (component, version, name, checksum) "
                        "VALUES ($1, $2, $3, $4)",
                        component,
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                log.info("migration applied", migration=label)
                applied_now.append(label)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now


# asyncpg looks up an array type (uuid[], bigint[], ...) in the catalogue the first time a
# connection meets it: one recursive query per type, 5-10 ms each on a busy server. Met first on
# the hot path, that stalled every command behind it (measured: 5 look-ups, about 30 ms, when
# the pool opened a connection at half load). All at once when a connection opens, they cost
# one query, off the hot path.
ARRAY_TYPES = ("uuid", "text", "bigint", "integer", "jsonb", "bytea", "boolean", "timestamptz")


async def prepare_connection(conn: asyncpg.Connection) -> None:
    await conn.prepare(
        "SELECT " + ", ".join(f"${n}::{t}[]" for n, t in enumerate(ARRAY_TYPES, start=1))
    )


async def connect_with_retry(
    dsn: str, timeout_s: float, what: str = "PostgreSQL", *, prepare: bool = True
):
    """One connection, retried with a bounded backoff and a clear log line while it waits;
    `prepare=False` for one that runs no statements with arrays (a probe, a listener)."""
    deadline = time.monotonic() + timeout_s
    delay = 0.2
    while True:
        try:
            conn = await asyncpg.connect(dsn)
            if not prepare:
                return conn
            try:
                await prepare_connection(conn)
            except BaseException:
                conn.terminate()  # not left open if it failed before being handed out
                raise
            return conn
        except (OSError, asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError) as exc:
            if time.monotonic() + delay > deadline:
                raise ConnectionError(
                    f"{what} at {safe_dsn(dsn)} not reachable after {timeout_s:.0f}s: {exc}"
                ) from exc
            log.warning("waiting for database", dsn=safe_dsn(dsn), error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def create_pool(dsn: str, min_size: int, max_size: int, timeout_s: float) -> asyncpg.Pool:
    probe = await connect_with_retry(dsn, timeout_s, prepare=False)
    await probe.close()
    # A connection, once open, stays open (no idle timeout): a connection opened again later
    # would do its first statements' planning and type look-ups on the hot path.
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=prepare_connection,
        max_inactive_connection_lifetime=0,
    )


def safe_dsn(dsn: str) -> str:
    """The DSN without its password, for logs."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", dsn)
