"""The outbox relay's lanes and its lease, against real servers."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from contracts import new_id
from kit.client import ServiceClient
from kit.outbox import OutgoingEvent, write_events
from tests.conftest import equals, eventually, make_settings
from tests.support.sample import ALICE, build


async def test_relay_lanes_share_a_burst_and_publish_each_event_once(
    servers, database, namespace, nc
):
    settings = make_settings(servers, database, namespace, relay_lanes=3, relay_batch=20)
    service = build(settings)
    await service.start()
    try:
        client = ServiceClient(nc, service.naming, ALICE)
        window = asyncio.Semaphore(50)

        async def write(i: int) -> None:
            async with window:
                reply = await client.command("sample", "write_note", {"text": f"n{i}", "amount": 1})
                assert reply.ok

        await asyncio.gather(*(write(i) for i in range(600)))
        js = nc.jetstream()

        async def on_stream() -> bool:
            info = await js.stream_info(service.naming.stream("sample"))
            return info.state.messages == 600

        await eventually(on_stream, timeout=20)
        assert await service.pool.fetchval("SELECT count(*) FROM outbox") == 0
        # A row leased by two lanes would have been published twice; JetStream would have
        # dropped the second and the relay counted it.
        assert service.metrics.outbox_duplicates._value.get() == 0
        assert service.metrics.outbox_published._value.get() == 600
        await eventually(
            lambda: equals(service.pool.fetchval("SELECT seen FROM tally"), 600), timeout=20
        )
    finally:
        await service.stop()


async def test_a_relay_hung_inside_its_lease_loses_it_after_the_lease_time(
    servers, database, namespace, nc
):
    settings = make_settings(servers, database, namespace, relay_lease_s=0.5, roles=["commands"])
    service = build(settings)  # no relay role: the test plays the hung relay itself
    await service.start()
    try:
        async with service.pool.acquire() as conn:
            await write_events(
                conn, [OutgoingEvent(new_id(), "x.y.z", {}, b"{}") for _ in range(3)]
            )
        hung = await service.relay._connection(service.relay._lanes[0])
        await hung.execute("BEGIN")
        leased = await hung.fetch("SELECT id FROM outbox FOR UPDATE SKIP LOCKED")
        assert len(leased) == 3
        other = await asyncpg.connect(database)
        try:
            assert await other.fetch("SELECT id FROM outbox FOR UPDATE SKIP LOCKED") == []
            await asyncio.sleep(1.5)
            # PostgreSQL ended the hung transaction: its rows are free for another relay.
            async with other.transaction():
                again = await other.fetch("SELECT id FROM outbox FOR UPDATE SKIP LOCKED")
            assert sorted(r["id"] for r in again) == sorted(r["id"] for r in leased)
        finally:
            await other.close()
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
            await hung.fetch("SELECT 1")
    finally:
        await service.stop()


@pytest.mark.parametrize("lanes", [1, 2])
async def test_events_committed_during_a_relay_pass_go_out_without_waiting_for_the_poll(
    servers, database, namespace, nc, lanes
):
    # Polling every 30 s: only the wake-up can publish these within the deadline.
    settings = make_settings(servers, database, namespace, relay_poll_s=30.0, relay_lanes=lanes)
    service = build(settings)
    await service.start()
    try:
        client = ServiceClient(nc, service.naming, ALICE)
        js = nc.jetstream()
        for sent in range(1, 41):
            # One commit after another, so that some land while a pass is under way.
            reply = await client.command("sample", "write_note", {"text": "n", "amount": 1})
            assert reply.ok
            if sent % 10:
                continue

            async def published(expected=sent) -> bool:
                info = await js.stream_info(service.naming.stream("sample"))
                return info.state.messages == expected

            await eventually(published, timeout=3)
    finally:
        await service.stop()
