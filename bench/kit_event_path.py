"""The kit's event path against the raw paths it is built from, measured in the same run.

  kit:      outbox insert in a transaction (the event alone: what the kit adds to a service's
            own transaction) -> relay -> JetStream -> durable pull consumer (its own process) ->
            inbox row + effect committed
  raw JS:   nats-py JetStream publish (acks in flight) + durable pull consume with acks
  raw PG:   asyncpg insert loop, one transaction per row, same concurrency

Each path moves the same number of events; throughput is events / wall time from the first
write to the last effect, latency is per event from its write to its effect.
Run: .venv/bin/python bench/kit_event_path.py [--events N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
import uuid

import asyncpg
import nats
from common import median, percentile, servers, table
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

from contracts import Actor, Contract, Event, Minutes, ServiceContracts, new_id
from kit.embedded import create_database
from kit.logging import configure_logging
from kit.service import Service
from kit.settings import ServiceSettings
from kit.uow import UnitOfWork

WRITERS = 8

BENCH = ServiceContracts("bench")


@BENCH.event("item.recorded")
class ItemRecorded(Contract):
    item_id: uuid.UUID
    amount: Minutes


async def raw_postgres(url: str, n: int) -> dict:
    pool = await asyncpg.create_pool(url, min_size=WRITERS, max_size=WRITERS)
    await pool.execute(
        "CREATE TABLE raw_items (id uuid PRIMARY KEY, amount bigint, at timestamptz)"
    )
    latencies: list[float] = []
    per = n // WRITERS

    async def writer() -> None:
        async with pool.acquire() as conn:
            for _ in range(per):
                t = time.perf_counter()
                await conn.execute("INSERT INTO raw_items VALUES ($1, $2, now())", uuid.uuid4(), 1)
                latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    elapsed = time.perf_counter() - start
    await pool.close()
    return {"n": per * WRITERS, "s": elapsed, "lat": latencies}


async def raw_jetstream(url: str, n: int) -> dict:
    nc = await nats.connect(url)
    js = nc.jetstream(timeout=30)
    await js.add_stream(
        StreamConfig(
            name="RAW", subjects=["raw.>"], storage=StorageType.FILE, duplicate_window=7200
        )
    )
    await js.add_consumer(
        "RAW",
        ConsumerConfig(
            durable_name="raw", ack_policy=AckPolicy.EXPLICIT, ack_wait=30, max_ack_pending=10_000
        ),
    )
    sub = await js.pull_subscribe_bind("raw", "RAW")
    latencies: list[float] = []
    done = asyncio.Event()
    received = 0

    async def consume() -> None:
        nonlocal received
        while received < n:
            try:
                msgs = await sub.fetch(256, timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            now = time.perf_counter()
            for msg in msgs:
                latencies.append(now - json.loads(msg.data)["t"])
                await msg.ack()
            received += len(msgs)
        done.set()

    async def publish() -> None:
        window = asyncio.Semaphore(256)

        async def one(i: int) -> None:
            async with window:
                body = json.dumps({"t": time.perf_counter(), "i": i}).encode()
                await js.publish("raw.item", body, headers={"Nats-Msg-Id": str(uuid.uuid4())})

        await asyncio.gather(*(one(i) for i in range(n)))

    start = time.perf_counter()
    consumer = asyncio.create_task(consume())
    await publish()
    published = time.perf_counter() - start
    await done.wait()
    elapsed = time.perf_counter() - start
    await consumer
    await nc.close()
    return {"n": n, "s": elapsed, "publish_s": published, "lat": latencies}


def consumer_settings(nats_url: str, db_url: str) -> ServiceSettings:
    return ServiceSettings(
        nats_url=nats_url,
        database_url=db_url,
        namespace="bench",
        log_level="warning",
        log_format="console",
        relay_poll_s=0.05,
        db_pool_max=WRITERS + 6,
        fetch_batch=256,
        max_ack_pending=10_000,
    )


def consumer_service(settings: ServiceSettings) -> Service:
    """The consuming side: its own service, as it would be deployed."""

    async def on_item(uow, event: Event[ItemRecorded]) -> None:
        await uow.conn.execute(
            "INSERT INTO effects (id, occurred_at) VALUES ($1, $2)",
            event.data.item_id,
            event.occurred_at,
        )

    return Service(BENCH, None, settings, events={"effects": {ItemRecorded: on_item}})


async def kit_path(nats_url: str, db_url: str, n: int, per_tx: int) -> dict:
    """Writers commit `per_tx` events per transaction (1: one command per transaction;
    more: the command batcher under load). The consumer runs as a process of its own."""
    settings = consumer_settings(nats_url, db_url)
    producer = Service(BENCH, None, settings)
    await producer.start()
    await producer.pool.execute(
        "DROP TABLE IF EXISTS items, effects; DELETE FROM inbox; "
        "CREATE TABLE items (id uuid PRIMARY KEY, amount bigint);"
        "CREATE TABLE effects (id uuid PRIMARY KEY, occurred_at timestamptz NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
    )
    consumer = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--consumer",
        nats_url,
        db_url,
        stdout=asyncio.subprocess.PIPE,
    )
    assert (await consumer.stdout.readline()).strip() == b"ready"
    per = n // WRITERS // per_tx
    actor = Actor(role="system", id="bench")

    async def writer() -> None:
        async with producer.pool.acquire() as conn:
            for _ in range(per):
                async with conn.transaction():
                    uow = UnitOfWork(conn, BENCH, producer.naming, actor, new_id())
                    for item in (new_id() for _ in range(per_tx)):
                        uow.emit(ItemRecorded(item_id=item, amount=1))
                    await uow.flush()

    total = per * per_tx * WRITERS
    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    written = time.perf_counter() - start
    while await producer.pool.fetchval("SELECT count(*) FROM effects") < total:
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - start
    rows = await producer.pool.fetch(
        "SELECT extract(epoch FROM applied_at - occurred_at)::float8 AS s FROM effects"
    )
    inbox = await producer.pool.fetchval("SELECT count(*) FROM inbox")
    consumer.terminate()
    await consumer.wait()
    await producer.stop()
    assert inbox == total, "the inbox must hold each event exactly once"
    return {"n": total, "s": elapsed, "write_s": written, "lat": [r["s"] for r in rows]}


async def run_consumer(nats_url: str, db_url: str) -> None:
    configure_logging("bench-consumer", "warning", "console")  # stdout carries "ready" only
    service = consumer_service(consumer_settings(nats_url, db_url))
    await service.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await service.stop()


async def main() -> None:
    configure_logging("bench", "warning", "console")
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument(
        "--consumer", nargs=2, metavar=("NATS_URL", "DB_URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.consumer:
        await run_consumer(*args.consumer)
        return
    with servers() as (nats_server, pg):
        await create_database(pg.url(), "raw")
        await create_database(pg.url(), "kit")
        pg_raw = await raw_postgres(pg.url("raw"), args.events)
        js_raw = await raw_jetstream(nats_server.url, args.events)
        kit = await kit_path(nats_server.url, pg.url("kit"), args.events, per_tx=1)
        kit10 = await kit_path(nats_server.url, pg.url("kit"), args.events, per_tx=10)

    def row(name, r):
        rate = r["n"] / r["s"]
        return (
            name,
            r["n"],
            f"{rate:,.0f}",
            f"{median(r['lat']) * 1000:.1f}",
            f"{percentile(r['lat'], 99) * 1000:.1f}",
        )

    print(
        f"\nKit event path vs raw paths ({args.events} events, {WRITERS} writers, "
        "NATS sync_interval=always, PostgreSQL fsync on; the kit's consumer is its own process)\n"
    )
    print(
        table(
            [
                row("raw asyncpg insert (1 tx/row)", pg_raw),
                row("raw JetStream publish+consume", js_raw),
                row("kit, 1 event per transaction", kit),
                row("kit, 10 events per transaction", kit10),
            ],
            ("path", "events", "events/s", "p50 ms", "p99 ms"),
        )
    )
    slower = min(pg_raw["n"] / pg_raw["s"], js_raw["n"] / js_raw["s"])
    for label, r in (("1 event/tx", kit), ("10 events/tx", kit10)):
        rate = r["n"] / r["s"]
        print(
            f"kit ({label}) / slower raw path = {rate:,.0f} / {slower:,.0f} = "
            f"{rate / slower:.2f} (target >= 0.5)"
        )
    print(
        f"writers alone committed {kit['n'] / kit['write_s']:,.0f} events/s into the outbox "
        f"at 1/tx; raw JetStream publish alone {js_raw['n'] / js_raw['publish_s']:,.0f}/s"
    )


if __name__ == "__main__":
    asyncio.run(main())
