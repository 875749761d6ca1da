"""`voorelkaar check-ledger --service NAME`: verify every ledger invariant on a live database.

Exits 0 when all hold; otherwise prints each violation (naming the account or transfer) and
exits 1; exits 2 when it cannot read a ledger there. Reads only, in one repeatable-read
snapshot: safe to run against production at any time. The database URL comes from the same
settings the service uses (`VOORELKAAR_DATABASE_URL`, `VOORELKAAR_DATABASE_URL_<SERVICE>`, or
the embedded default on `VOORELKAAR_PG_PORT`), or `--database-url`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Mapping

import asyncpg

from kit.db import safe_dsn
from kit.settings import ServiceSettings

from . import invariants as inv
from .accounts import Account
from .invariants import Totals, account_violations
from .journal import ACCOUNT_COLUMNS

_RECOMPUTE = """
WITH resolved AS (SELECT pending_id FROM ledger_transfers WHERE pending_id IS NOT NULL),
legs AS (
    SELECT debit_account_id AS account, amount AS dp, 0 AS cp, 0 AS dq, 0 AS cq
      FROM ledger_transfers WHERE phase = 'posted'
    UNION ALL
    SELECT credit_account_id, 0, amount, 0, 0 FROM ledger_transfers WHERE phase = 'posted'
    UNION ALL
    SELECT debit_account_id, 0, 0, amount, 0 FROM ledger_transfers t
      WHERE phase = 'pending' AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.pending_id = t.id)
    UNION ALL
    SELECT credit_account_id, 0, 0, 0, amount FROM ledger_transfers t
      WHERE phase = 'pending' AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.pending_id = t.id)
)
SELECT account, sum(dp) AS dp, sum(cp) AS cp, sum(dq) AS dq, sum(cq) AS cq
FROM legs GROUP BY account
"""
# Sums stay `numeric`: a planted total past bigint is reported, not a crash.

# Each of the journal's rules (ledger/invariants.py) as a query returning the transfers that
# break it: the same rules as `journal_violations`, over any size of journal.
JOURNAL_CHECKS = {
    inv.NOT_POSITIVE: """
        SELECT id FROM ledger_transfers
        WHERE amount <= 0 OR debit_account_id = credit_account_id""",
    inv.OTHER_LEDGER: """
        SELECT t.id FROM ledger_transfers t
        LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id
        LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
        WHERE d.id IS NULL OR c.id IS NULL OR d.unit <> t.unit OR c.unit <> t.unit
           OR d.ledger <> t.ledger OR c.ledger <> t.ledger""",
    inv.NOT_MATCHING: """
        SELECT t.id FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
        WHERE t.pending_id IS NOT NULL AND (p.id IS NULL OR p.phase <> 'pending'
           OR t.debit_account_id <> p.debit_account_id
           OR t.credit_account_id <> p.credit_account_id OR t.amount > p.amount
           OR t.unit <> p.unit)""",
    inv.RESOLVED_TWICE: """
        SELECT pending_id FROM ledger_transfers WHERE pending_id IS NOT NULL
        GROUP BY pending_id HAVING count(*) > 1""",
    inv.NOT_OPPOSITE: """
        SELECT r.id FROM ledger_transfers r LEFT JOIN ledger_transfers o ON o.id = r.reverses_id
        WHERE r.reverses_id IS NOT NULL AND (o.id IS NULL OR o.phase <> 'posted'
           OR r.debit_account_id <> o.credit_account_id
           OR r.credit_account_id <> o.debit_account_id)""",
    inv.UNNAMED_REVERSAL: """
        SELECT id FROM ledger_transfers WHERE kind = 'reversal' AND reverses_id IS NULL""",
    inv.REVERSED_TOO_MUCH: """
        SELECT o.id FROM ledger_transfers o JOIN ledger_transfers r ON r.reverses_id = o.id
        GROUP BY o.id, o.amount HAVING sum(r.amount) > o.amount""",
}


async def check(conn: asyncpg.Connection, extra: Mapping[str, str] | None = None) -> list[str]:
    """Every violation of the ledger's invariants, and of the service's own `extra` checks
    (rule -> a query returning the ids that break it), each naming the account or transfer."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM ledger_accounts")
        accounts = [Account(*r) for r in rows]
        recomputed = {
            r["account"]: Totals(int(r["dp"]), int(r["cp"]), int(r["dq"]), int(r["cq"]))
            for r in await conn.fetch(_RECOMPUTE)
        }
        found = account_violations(accounts, recomputed)
        for rule, sql in JOURNAL_CHECKS.items():
            found += [f"transfer {row[0]}: {rule}" for row in await conn.fetch(sql)]
        for rule, sql in (extra or {}).items():
            found += [f"{rule}: {row[0]}" for row in await conn.fetch(sql)]
    return found


def service_checks(service: str) -> dict[str, str]:
    """The service's own checks of how it uses its ledger: `LEDGER_CHECKS` in
    `services/<service>/service.py`, when it declares them."""
    try:
        module = importlib.import_module(f"services.{service}.service")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(module, "LEDGER_CHECKS", {}))


async def run(url: str, extra: Mapping[str, str] | None = None) -> int:
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval("SELECT to_regclass('ledger_accounts') IS NOT NULL"):
            print(f"check-ledger: no ledger in the database at {safe_dsn(url)}", file=sys.stderr)
            return 2
        found = await check(conn, extra)
        accounts = await conn.fetchval("SELECT count(*) FROM ledger_accounts")
        transfers = await conn.fetchval("SELECT count(*) FROM ledger_transfers")
    finally:
        await conn.close()
    if found:
        for line in found:
            print(f"VIOLATION {line}")
        print(f"{len(found)} violation(s) in {accounts} accounts and {transfers} transfers")
        return 1
    print(f"ledger ok: {accounts} accounts, {transfers} transfers, every invariant holds")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="voorelkaar check-ledger", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--service", default="timebank", help="whose ledger (default timebank)")
    parser.add_argument("--database-url", help="default: the service's own settings")
    args = parser.parse_args(argv)
    url = args.database_url or ServiceSettings().db_url(args.service)
    try:
        return asyncio.run(run(url, service_checks(args.service)))
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"check-ledger: cannot read the ledger at {safe_dsn(url)}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
