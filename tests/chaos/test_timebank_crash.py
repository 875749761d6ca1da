"""kill -9 the time bank during a stream of confirmations, then restart it: every confirmation
that was answered "ok" is posted exactly once and its event published exactly once; the ones
without an answer are retried with the same command id and also happen exactly once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import asyncpg

from contracts import Naming, new_id
from kit.client import ServiceClient
from kit.embedded import free_port
from ledger.checker import check
from services.timebank.service import LEDGER_CHECKS
from tests.chaos.test_kit_crashes import ServiceProcess
from tests.conftest import eventually, make_settings
from tests.integration.test_kit_events import stream_messages
from tests.support.timebank import COORDINATOR, Bank, resident

EXCHANGES = 240


async def test_kill_9_during_confirmations_loses_nothing_and_doubles_nothing(
    servers, database, namespace, nc
):
    settings = make_settings(servers, database, namespace, http_port=free_port())
    naming = Naming(namespace)
    service = await ServiceProcess(settings, module="services.timebank").start()
    client = ServiceClient(nc, naming, COORDINATOR)

    class Remote(Bank):  # the Bank helpers, over NATS only
        def __init__(self):
            self.client = client

    bank = Remote()
    await bank.community(debt_limit=100_000)
    members = [await bank.member(f"M{i}") for i in range(6)]
    exchanges = []
    for i in range(EXCHANGES):
        agreed = await bank.agreed(members[i % 6], members[(i + 1) % 6], 10 + i % 50)
        exchanges.append((agreed["exchange_id"], members[(i + 1) % 6]))

    command_ids = {exchange_id: new_id() for exchange_id, _ in exchanges}
    answered: dict[str, dict] = {}
    killed = asyncio.Event()

    async def confirm(exchange_id: str, receiver) -> None:
        try:
            reply = await client.command(
                "timebank",
                "confirm_exchange",
                {"exchange_id": exchange_id},
                command_id=command_ids[exchange_id],
                actor=resident(receiver),
                timeout=2,
            )
        except Exception:
            return  # no answer: the outcome is unknown to this client
        assert reply.ok, reply.error
        answered[exchange_id] = reply.result
        if len(answered) == EXCHANGES // 3 and not killed.is_set():
            killed.set()
            service.kill()

    window = asyncio.Semaphore(12)

    async def bounded(exchange_id, receiver):
        async with window:
            if not killed.is_set():  # after the kill the client waits for the restart
                await confirm(exchange_id, receiver)

    await asyncio.gather(*(bounded(e, r) for e, r in exchanges))
    assert killed.is_set()
    before_restart = dict(answered)
    assert 0 < len(before_restart) < EXCHANGES

    service = await ServiceProcess(settings, module="services.timebank").start()
    try:
        # The client retries what it got no answer for, with the same command ids.
        for exchange_id, receiver in exchanges:
            if exchange_id not in answered:
                await confirm(exchange_id, receiver)
        assert len(answered) == EXCHANGES
        db = await asyncpg.connect(database)
        try:
            # Every "ok" before the kill still stands, with the same transfer.
            for exchange_id, result in before_restart.items():
                row = await db.fetchrow(
                    "SELECT state, transfer_id FROM exchanges WHERE id = $1::uuid", exchange_id
                )
                assert (
                    row["state"] == "confirmed" and str(row["transfer_id"]) == result["transfer_id"]
                )
            posted = await db.fetchval(
                "SELECT count(*) FROM ledger_transfers WHERE phase = 'posted'"
            )
            assert posted == EXCHANGES
            assert await check(db, LEDGER_CHECKS) == []
            await eventually(lambda: _outbox_empty(db), timeout=20)
        finally:
            await db.close()
        msgs = await stream_messages(
            nc.jetstream(),
            naming.stream("timebank"),
            naming.event_subject("timebank.transfer.posted"),
        )
        published = Counter(json.loads(m.data)["data"]["transfer_id"] for m in msgs)
        assert len(published) == EXCHANGES
        assert set(published.values()) == {1}
        assert {r["transfer_id"] for r in answered.values()} == set(published)
    finally:
        service.stop()


async def _outbox_empty(db) -> bool:
    return await db.fetchval("SELECT count(*) FROM outbox") == 0
