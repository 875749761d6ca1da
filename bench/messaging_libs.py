"""Why the kit speaks nats-py directly: request/reply through FastStream's subscriber against
plain nats-py, on the same nats-server, in the same run (FastStream's per-message logging off).

Run: .venv/bin/python bench/messaging_libs.py [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import nats
from common import servers, table
from faststream.nats import NatsBroker
from pydantic import BaseModel


class Command(BaseModel):
    command_id: str
    amount: int


async def drive(url: str, subject: str, n: int, concurrency: int = 32) -> float:
    nc = await nats.connect(url)
    window = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with window:
            await nc.request(
                subject, json.dumps({"command_id": str(i), "amount": i}).encode(), timeout=10
            )

    await asyncio.gather(*(one(i) for i in range(min(n, 2000))))  # warm up
    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    rate = n / (time.perf_counter() - start)
    await nc.close()
    return rate


async def faststream_rate(url: str, n: int) -> float:
    broker = NatsBroker(url, logger=None)

    @broker.subscriber("fs.cmd", queue="fs")
    async def handle(command: Command) -> dict:
        return {"ok": command.amount}

    await broker.start()
    try:
        return await drive(url, "fs.cmd", n)
    finally:
        await broker.stop()


async def nats_py_rate(url: str, n: int) -> float:
    nc = await nats.connect(url)

    async def handle(msg) -> None:
        command = Command.model_validate_json(msg.data)
        await msg.respond(json.dumps({"ok": command.amount}).encode())

    await nc.subscribe("raw.cmd", queue="raw", cb=handle)
    await nc.flush()
    try:
        return await drive(url, "raw.cmd", n)
    finally:
        await nc.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()
    with servers() as (nats_server, _pg):
        raw = await nats_py_rate(nats_server.url, args.requests)
        fs = await faststream_rate(nats_server.url, args.requests)
    print(f"\nRequest/reply, {args.requests} requests, 32 in flight, same pydantic model\n")
    print(
        table(
            [("nats-py subscription", f"{raw:,.0f}"), ("FastStream subscriber", f"{fs:,.0f}")],
            ("handler", "requests/s"),
        )
    )
    print(f"\nFastStream / nats-py = {fs / raw:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
