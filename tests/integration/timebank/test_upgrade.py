"""A time bank database from before the shared ledger is upgraded in place: every account,
transfer and entry number is kept, the facts beside the transfers too, and the result passes
the checker; new transfers continue the journal's numbering."""

from __future__ import annotations

import shutil
import uuid

import asyncpg

import ledger
from kit.db import KIT_MIGRATIONS, Component, migrate
from ledger import Journal
from ledger.checker import check
from services.timebank.service import LEDGER_CHECKS, MIGRATIONS

U = uuid.UUID


async def test_a_database_of_the_hour_ledger_before_the_carve_is_moved_onto_the_component(
    database, tmp_path
):
    before = tmp_path / "timebank"
    before.mkdir()
    shutil.copy(MIGRATIONS / "0001_timebank.sql", before)
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, [Component("kit", KIT_MIGRATIONS), Component("timebank", before)])
        ann, bob, pot = U(int=1), U(int=2), U(int=3)
        acc_ann, acc_bob = U(int=11), U(int=12)
        pending, posted, reversal, exchange = U(int=21), U(int=22), U(int=23), U(int=31)
        await conn.execute(
            """
            INSERT INTO communities VALUES ('wijk-west', 'Wijk West', 14, now());
            INSERT INTO community_units VALUES ('wijk-west', 'hour', 600, NULL, 0);
            INSERT INTO members (id, community, kind, name, neighbourhood, languages, skills,
                state, registered_by) VALUES
              ('00000000-0000-0000-0000-000000000001', 'wijk-west', 'resident', 'Ann',
               'BU09350101', '{nl}', '{}', 'active', 'self'),
              ('00000000-0000-0000-0000-000000000002', 'wijk-west', 'resident', 'Bob',
               'BU09350102', '{nl}', '{}', 'active', 'self');
            """
        )
        await conn.executemany(
            "INSERT INTO accounts (id, community, unit, member_id, debt_limit, limits_overridden,"
            " debits_posted, credits_posted) VALUES ($1, 'wijk-west', 'hour', $2, $3, $4, $5, $6)",
            [
                (acc_ann, ann, 600, False, 60, 20),
                (acc_bob, bob, 900, True, 20, 60),
                (pot, None, 0, False, 0, 0),
            ],
        )
        # A pending transfer posted for an exchange, and a coordinator's partial reversal.
        await conn.execute(
            "INSERT INTO transfers (id, community, unit, debit_account_id, credit_account_id,"
            " amount, phase, kind, pending_id, reverses_id, exchange_id, category, neighbourhood,"
            " note, recorded_by, recorded_by_coordinator) VALUES"
            " ($1, 'wijk-west', 'hour', $4, $5, 60, 'pending', 'exchange', NULL, NULL, $6,"
            "  'tuin', 'BU09350102', NULL, 'resident:1', false),"
            " ($2, 'wijk-west', 'hour', $4, $5, 60, 'posted', 'exchange', $1, NULL, $6,"
            "  'tuin', 'BU09350102', NULL, 'resident:1', true),"
            " ($3, 'wijk-west', 'hour', $5, $4, 20, 'posted', 'reversal', NULL, $2, $6,"
            "  NULL, NULL, 'te veel', 'coordinator:c', true)",
            pending,
            posted,
            reversal,
            acc_ann,
            acc_bob,
            exchange,
        )
        await conn.execute(
            "INSERT INTO exchanges (id, community, unit, provider_id, receiver_id, amount,"
            " description, state, pending_transfer_id, transfer_id, provider_kind,"
            " provider_neighbourhood, receiver_kind, receiver_neighbourhood) VALUES"
            " ($1, 'wijk-west', 'hour', $2, $3, 60, 'tuin', 'confirmed', $4, $5, 'resident',"
            " 'BU09350102', 'resident', 'BU09350101')",
            exchange,
            bob,
            ann,
            pending,
            posted,
        )
        seqs = [r[0] for r in await conn.fetch("SELECT seq FROM transfers ORDER BY seq")]

        applied = await migrate(
            conn,
            [Component("kit", KIT_MIGRATIONS), ledger.COMPONENT, Component("timebank", MIGRATIONS)],
        )
        assert applied == ["ledger/0001_ledger", "timebank/0002_shared_ledger"]
        assert await check(conn, LEDGER_CHECKS) == []
        assert await conn.fetchval("SELECT to_regclass('transfers')") is None
        journal = Journal(conn)
        accounts = await journal.accounts([acc_ann, acc_bob, pot])
        assert (accounts[acc_ann].balance, accounts[acc_bob].balance) == (-40, 40)
        assert accounts[pot].owner is None and accounts[acc_bob].owner == bob
        own = await conn.fetch("SELECT id FROM ledger_accounts WHERE own_limits")
        assert [r[0] for r in own] == [acc_bob]
        entries, _ = await journal.statement(acc_ann, None, 10)
        assert [(e.entry, e.amount, e.balance, e.ref) for e in entries] == [
            (seqs[1], -60, -60, exchange),
            (seqs[2], 20, -40, exchange),
        ]
        facts = await conn.fetch(
            "SELECT transfer_id, category, recorded_by_coordinator FROM transfer_facts "
            "ORDER BY transfer_id"
        )
        assert [tuple(r) for r in facts] == [
            (pending, "tuin", False),
            (posted, "tuin", True),
            (reversal, None, True),
        ]
        # The journal's numbering goes on after the moved entries.
        p = ledger.post_direct(U(int=41), accounts[acc_bob], accounts[acc_ann], 5, "donation")
        await journal.write([p.transfer], [p.debit, p.credit])
        assert (
            await conn.fetchval("SELECT seq FROM ledger_transfers WHERE id = $1", p.transfer.id)
            > seqs[-1]
        )
    finally:
        await conn.close()
