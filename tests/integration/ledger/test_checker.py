"""The checker against a real PostgreSQL: a journal written through the component passes, and a
violation of each invariant, planted behind the ledger's back (its database guards dropped
first, as a manual repair gone wrong would), is found and named, by the checker's queries and
by the pure invariants alike."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest

import ledger
from contracts.ledger import MAX_TOTAL
from kit.db import migrate
from ledger import Account, Journal, invariants
from ledger.checker import check
from ledger.journal import ACCOUNT_COLUMNS, TRANSFER_COLUMNS
from tests.conftest import REPO

ALICE, BOB, CAROL = (UUID(int=i) for i in (1, 2, 3))


@pytest.fixture
async def conn(database):
    conn = await asyncpg.connect(database)
    await migrate(conn, [ledger.COMPONENT])
    yield conn
    await conn.close()


async def a_small_journal(conn) -> dict:
    """Every kind of entry: a posted pending transfer, a voided one, a direct one reversed in
    part, on two units; returns the ids a test plants its violation beside."""
    journal = Journal(conn)
    now = datetime.now(UTC)
    a, b, c = (Account(uuid4(), "wijk", "hour", o, 600) for o in (ALICE, BOB, CAROL))
    eur_a, eur_b = (Account(uuid4(), "fonds", "EUR", o, 10_000) for o in (ALICE, BOB))
    await journal.open([a, b, c, eur_a, eur_b])
    written = []

    async def apply(posting):
        await journal.write([posting.transfer], [posting.debit, posting.credit])
        written.append(posting.transfer)
        return posting

    p = await apply(ledger.reserve(uuid4(), a, b, 90, at=now))
    posted = await apply(ledger.post_pending(uuid4(), p.transfer, p.debit, p.credit, 60, at=now))
    v = await apply(ledger.reserve(uuid4(), posted.debit, c, 30, at=now))
    await apply(ledger.void_pending(uuid4(), v.transfer, v.debit, v.credit, at=now))
    d = await apply(ledger.post_direct(uuid4(), eur_a, eur_b, 2_500, "payout", at=now))
    r = await apply(
        ledger.reverse(uuid4(), d.transfer, 0, d.credit, d.debit, 500, "te veel", "finance:f")
    )
    return {
        "a": a.id,
        "b": b.id,
        "eur_a": eur_a.id,
        "pending": p.transfer,
        "posted": posted.transfer,
        "direct": d.transfer,
        "reversal": r.transfer,
    }


async def pure_violations(conn) -> list[str]:
    """The pure invariants over the same rows the checker reads."""
    accounts = [
        Account(*r)
        for r in await conn.fetch(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM ledger_accounts")
    ]
    journal = [
        ledger.Transfer(*r)
        for r in await conn.fetch(f"SELECT {', '.join(TRANSFER_COLUMNS)} FROM ledger_transfers")
    ]
    return ledger.violations(accounts, journal)


async def insert(conn, **fields) -> UUID:
    """A journal row written behind the ledger's back."""
    row = {"id": uuid4(), "ledger": "wijk", "unit": "hour", "kind": "exchange", **fields}
    columns = ", ".join(row)
    values = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(f"INSERT INTO ledger_transfers ({columns}) VALUES ({values})", *row.values())
    return row["id"]


async def test_a_journal_written_through_the_component_passes(conn):
    await a_small_journal(conn)
    assert await check(conn) == []
    assert await pure_violations(conn) == []


async def plant_changed_total(conn, ids):
    await conn.execute(
        "UPDATE ledger_accounts SET credits_posted = credits_posted + 5 WHERE id = $1", ids["b"]
    )
    return [f"account {ids['b']} (wijk/hour): stored totals", "wijk/hour: posted debits 60"]


async def plant_beyond_limit(conn, ids):
    await conn.execute("UPDATE ledger_accounts SET debt_limit = 10 WHERE id = $1", ids["a"])
    return [f"account {ids['a']} (wijk/hour) is beyond its limits: debits 60+0 pending"]


async def plant_beyond_bounds(conn, ids):
    await conn.execute(
        "ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_debt_limit_check"
    )
    await conn.execute(
        "UPDATE ledger_accounts SET debt_limit = $2 WHERE id = $1", ids["a"], MAX_TOTAL + 1
    )
    return [f"account {ids['a']} (wijk/hour) is out of bounds: debt limit"]


async def plant_resolved_twice(conn, ids):
    await conn.execute("DROP INDEX ledger_transfers_resolved_once")
    p = ids["pending"]
    await insert(
        conn,
        debit_account_id=p.debit_account_id,
        credit_account_id=p.credit_account_id,
        amount=p.amount,
        phase="void",
        pending_id=p.id,
    )
    return [f"transfer {p.id}: {invariants.RESOLVED_TWICE}"]


async def plant_posting_beyond_its_pending(conn, ids):
    await conn.execute("DROP INDEX ledger_transfers_resolved_once")
    p = ids["pending"]
    bad = await insert(
        conn,
        debit_account_id=p.debit_account_id,
        credit_account_id=p.credit_account_id,
        amount=p.amount + 1,
        phase="posted",
        pending_id=p.id,
    )
    return [f"transfer {bad}: {invariants.NOT_MATCHING}"]


async def plant_reversal_beyond_the_original(conn, ids):
    d = ids["direct"]
    await insert(
        conn,
        ledger="fonds",
        unit="EUR",
        debit_account_id=d.credit_account_id,
        credit_account_id=d.debit_account_id,
        amount=d.amount,
        phase="posted",
        kind="reversal",
        reverses_id=d.id,
    )
    return [f"transfer {d.id}: {invariants.REVERSED_TOO_MUCH}"]


async def plant_reversal_the_same_way(conn, ids):
    d = ids["direct"]
    bad = await insert(
        conn,
        ledger="fonds",
        unit="EUR",
        debit_account_id=d.debit_account_id,
        credit_account_id=d.credit_account_id,
        amount=1,
        phase="posted",
        kind="reversal",
        reverses_id=d.id,
    )
    return [f"transfer {bad}: {invariants.NOT_OPPOSITE}"]


async def plant_reversal_of_nothing(conn, ids):
    bad = await insert(
        conn,
        debit_account_id=ids["b"],
        credit_account_id=ids["a"],
        amount=1,
        phase="posted",
        kind="reversal",
    )
    return [f"transfer {bad}: {invariants.UNNAMED_REVERSAL}"]


async def plant_zero_amount(conn, ids):
    await conn.execute("ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_amount_check")
    bad = await insert(
        conn, debit_account_id=ids["a"], credit_account_id=ids["b"], amount=0, phase="posted"
    )
    return [f"transfer {bad}: {invariants.NOT_POSITIVE}"]


async def plant_transfer_to_itself(conn, ids):
    await conn.execute("ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_check")
    bad = await insert(
        conn, debit_account_id=ids["a"], credit_account_id=ids["a"], amount=5, phase="posted"
    )
    return [f"transfer {bad}: {invariants.NOT_POSITIVE}"]


async def plant_transfer_across_units(conn, ids):
    bad = await insert(
        conn, debit_account_id=ids["a"], credit_account_id=ids["eur_a"], amount=5, phase="pending"
    )
    return [f"transfer {bad}: {invariants.OTHER_LEDGER}"]


@pytest.mark.parametrize(
    "plant",
    [
        plant_changed_total,
        plant_beyond_limit,
        plant_beyond_bounds,
        plant_resolved_twice,
        plant_posting_beyond_its_pending,
        plant_reversal_beyond_the_original,
        plant_reversal_the_same_way,
        plant_reversal_of_nothing,
        plant_zero_amount,
        plant_transfer_to_itself,
        plant_transfer_across_units,
    ],
    ids=lambda plant: plant.__name__.removeprefix("plant_"),
)
async def test_a_planted_violation_of_each_invariant_is_found_and_named(conn, plant):
    ids = await a_small_journal(conn)
    expected = await plant(conn, ids)
    found = await check(conn)
    for text in expected:
        assert any(text in line for line in found), (text, found)
    pure = await pure_violations(conn)
    assert sorted(found) == sorted(pure)


async def test_the_command_reads_the_services_settings_names_the_violation_and_exits_1(
    conn, database
):
    ids = await a_small_journal(conn)
    # The database of a service called "fund", as `voorelkaar run` would be told it.
    env = {**os.environ, "VOORELKAAR_DATABASE_URL_FUND": database}
    command = [sys.executable, "-m", "services.cli", "check-ledger", "--service", "fund"]

    async def run():
        return await asyncio.to_thread(
            subprocess.run, command, cwd=REPO, capture_output=True, text=True, env=env
        )

    ok = await run()
    assert ok.returncode == 0 and "every invariant holds" in ok.stdout, ok.stdout + ok.stderr
    await plant_beyond_limit(conn, ids)
    bad = await run()
    assert bad.returncode == 1 and f"VIOLATION account {ids['a']}" in bad.stdout


async def test_the_command_says_when_a_database_keeps_no_ledger(database):
    env = {**os.environ, "VOORELKAAR_DATABASE_URL_NOTES": database}
    command = [sys.executable, "-m", "services.cli", "check-ledger", "--service", "notes"]
    result = await asyncio.to_thread(
        subprocess.run, command, cwd=REPO, capture_output=True, text=True, env=env
    )
    assert result.returncode == 2 and "no ledger in the database" in result.stderr
