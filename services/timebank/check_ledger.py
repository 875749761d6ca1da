"""`voorelkaar check-ledger`: verify every ledger invariant on a live database.

Exits 0 when all hold; otherwise prints each violation (naming the account or transfer) and
exits 1. Reads only; safe to run against production at any time (one repeatable-read snapshot).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import asyncpg

from .domain import Account, Totals, ledger_violations

_RECOMPUTE = """
WITH resolved AS (SELECT pending_id FROM transfers WHERE pending_id IS NOT NULL),
legs AS (
    SELECT debit_account_id AS account, amount AS dp, 0 AS cp, 0 AS dq, 0 AS cq
      FROM transfers WHERE phase = 'posted'
    UNION ALL
    SELECT credit_account_id, 0, amount, 0, 0 FROM transfers WHERE phase = 'posted'
    UNION ALL
    SELECT debit_account_id, 0, 0, amount, 0 FROM transfers t
      WHERE phase = 'pending' AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.pending_id = t.id)
    UNION ALL
    SELECT credit_account_id, 0, 0, 0, amount FROM transfers t
      WHERE phase = 'pending' AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.pending_id = t.id)
)
SELECT account, sum(dp)::bigint AS dp, sum(cp)::bigint AS cp, sum(dq)::bigint AS dq,
       sum(cq)::bigint AS cq
FROM legs GROUP BY account
"""

# Journal rows that break the rules of the journal itself.
_JOURNAL_CHECKS = {
    "a posting or void that does not match its pending transfer": """
        SELECT t.id FROM transfers t JOIN transfers p ON p.id = t.pending_id
        WHERE p.phase <> 'pending' OR t.debit_account_id <> p.debit_account_id
           OR t.credit_account_id <> p.credit_account_id OR t.amount > p.amount
           OR t.unit <> p.unit""",
    "a pending transfer resolved more than once": """
        SELECT pending_id FROM transfers WHERE pending_id IS NOT NULL
        GROUP BY pending_id HAVING count(*) > 1""",
    "reversals that take back more than the transfer moved": """
        SELECT o.id FROM transfers o JOIN transfers r ON r.reverses_id = o.id
        GROUP BY o.id, o.amount HAVING sum(r.amount) > o.amount""",
    "a reversal that does not run opposite to what it reverses": """
        SELECT r.id FROM transfers r JOIN transfers o ON o.id = r.reverses_id
        WHERE r.debit_account_id <> o.credit_account_id
           OR r.credit_account_id <> o.debit_account_id OR o.phase <> 'posted'""",
    "a transfer with a zero or negative amount, or to its own account": """
        SELECT id FROM transfers WHERE amount <= 0 OR debit_account_id = credit_account_id""",
    "a transfer between accounts of another unit or community": """
        SELECT t.id FROM transfers t JOIN accounts d ON d.id = t.debit_account_id
        JOIN accounts c ON c.id = t.credit_account_id
        WHERE d.unit <> t.unit OR c.unit <> t.unit OR d.community <> t.community
           OR c.community <> t.community""",
    "a confirmed exchange without exactly its one posted transfer": """
        SELECT e.id FROM exchanges e LEFT JOIN transfers t ON t.id = e.transfer_id
        WHERE e.state = 'confirmed' AND (t.id IS NULL OR t.phase <> 'posted'
           OR t.pending_id IS DISTINCT FROM e.pending_transfer_id)""",
}


async def check(conn: asyncpg.Connection) -> list[str]:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(
            "SELECT id, community, unit, member_id, debt_limit, max_balance, debits_posted, "
            "credits_posted, debits_pending, credits_pending FROM accounts"
        )
        accounts = [Account(**dict(r)) for r in rows]
        recomputed = {
            r["account"]: Totals(r["dp"], r["cp"], r["dq"], r["cq"])
            for r in await conn.fetch(_RECOMPUTE)
        }
        found = ledger_violations(accounts, recomputed)
        for what, sql in _JOURNAL_CHECKS.items():
            for row in await conn.fetch(sql):
                found.append(f"transfer {row[0]}: {what}")
    return found


async def run(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        found = await check(conn)
        accounts = await conn.fetchval("SELECT count(*) FROM accounts")
        transfers = await conn.fetchval("SELECT count(*) FROM transfers")
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
    parser.add_argument(
        "--database-url",
        default=os.environ.get("VOORELKAAR_DATABASE_URL")
        or "postgresql://voorelkaar@127.0.0.1:5432/voorelkaar_timebank",
    )
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args.database_url))
    except (OSError, asyncpg.PostgresError) as exc:
        print(
            f"check-ledger: cannot read the ledger at {args.database_url}: {exc}", file=sys.stderr
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
