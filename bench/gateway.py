"""The portal's cost: pages and API calls per second through the gateway to the time bank
(balance, board search, confirm), beside the same request sent straight over NATS in the same
run, and the ratio. Also the kit client over FastStream's `broker.request` against nats-py's
own request on the same connection kind (the gateway's choice, docs/messaging.md).

Layout as `make run` has it: nats-server, PostgreSQL, the time bank and the gateway each their
own process; this process is the load generator (aiohttp for HTTP, nats-py for NATS).

    .venv/bin/python bench/gateway.py [--seconds 4] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import nats
from common import REPO, no_client_gc, servers, table
from faststream.nats import NatsBroker

from contracts import Actor, Naming
from kit.client import ServiceClient
from kit.embedded import create_database, free_port
from services.gateway.handlers.auth import hasher

COMMUNITY = "bench-west"
COORDINATOR = Actor(role="coordinator", id="bench", scopes=(COMMUNITY,))
PASSWORD = "bench-password-1"


class FastStreamTransport:
    """The kit client's bytes over FastStream's `broker.request` (the alternative measured)."""

    def __init__(self, broker: NatsBroker):
        self.broker = broker

    async def request(self, subject: str, payload: bytes, timeout: float) -> bytes:
        return (await self.broker.request(payload, subject, timeout=timeout)).body


def start(module: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{url} exited: {log.read_text()[-2000:]}")
            try:
                async with http.get(url + "/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(url)


async def rate(make_call, seconds: float, clients: int) -> float:
    """Calls per second with `clients` concurrent callers for `seconds`."""
    done = 0
    stop = time.perf_counter() + seconds

    async def caller(i: int) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < stop:
            await make_call(i, n)
            n += 1
            done += 1

    with no_client_gc():
        began = time.perf_counter()
        await asyncio.gather(*(caller(i) for i in range(clients)))
        return done / (time.perf_counter() - began)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    with servers() as (nats_server, pg):
        root = Path(pg.data_dir).parent
        await create_database(pg.url("postgres"), "bench_timebank")
        await create_database(pg.url("postgres"), "bench_gateway")
        port, tb_port = free_port(), free_port()
        base_env = dict(
            os.environ,
            PYTHONPATH=str(REPO),
            VOORELKAAR_NATS_URL=nats_server.url,
            VOORELKAAR_LOG_LEVEL="warning",
            VOORELKAAR_LOG_FORMAT="json",
        )
        timebank = start(
            "services.timebank",
            {
                **base_env,
                "VOORELKAAR_DATABASE_URL": pg.url("bench_timebank"),
                "VOORELKAAR_HTTP_PORT": str(tb_port),
            },
            root / "timebank.log",
        )
        gateway = start(
            "services.gateway",
            {
                **base_env,
                "VOORELKAAR_DATABASE_URL": pg.url("bench_gateway"),
                "VOORELKAAR_HTTP_PORT": str(port),
                "VOORELKAAR_EMBEDDED": "1",
                "VOORELKAAR_COMMUNITIES": f'["{COMMUNITY}"]',
                "VOORELKAAR_SECRET_KEY": "bench",
            },
            root / "gateway.log",
        )
        try:
            await wait_ready(f"http://127.0.0.1:{tb_port}", timebank, root / "timebank.log")
            url = f"http://127.0.0.1:{port}"
            await wait_ready(url, gateway, root / "gateway.log")
            await run(url, nats_server.url, pg.url("bench_gateway"), args)
        finally:
            for proc in (gateway, timebank):
                proc.terminate()
                proc.wait(30)


async def run(url: str, nats_url: str, gateway_db: str, args) -> None:
    nc = await nats.connect(nats_url)
    bank = ServiceClient(nc, Naming(), COORDINATOR)

    async def ok(verb, data, actor=COORDINATOR):
        reply = await bank.command("timebank", verb, data, actor=actor)
        assert reply.ok, (verb, reply.error)
        return reply.result

    await ok(
        "configure_community",
        {
            "community": COMMUNITY,
            "name": "Bench",
            "units": [{"unit": "hour", "debt_limit": 10_000_000}],
        },
    )
    members = []
    for name in ("Gever", "Ontvanger"):
        ref = await ok(
            "register_member",
            {"community": COMMUNITY, "name": name, "neighbourhood": "BU09350101"},
        )
        await ok("approve_member", {"member_id": ref["member_id"]})
        members.append(ref["member_id"])
    provider, receiver = members
    for i in range(30):
        await ok(
            "publish_listing",
            {
                "member_id": provider,
                "kind": "offer",
                "title": f"Fietsen repareren {i}",
                "description": "Lekke band of remmen.",
                "category": "fietsen",
                "neighbourhood": "BU09350101",
                "expires_at": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
            },
            Actor(role="resident", id=provider),
        )
    conn = await asyncpg.connect(gateway_db)
    await conn.execute(
        "INSERT INTO accounts (id, email, name, role, password_hash, member_id, community) "
        "VALUES ($1, 'ontvanger@bench', 'Ontvanger', 'resident', $2, $3, $4)",
        uuid.uuid4(),
        hasher.hash(PASSWORD),
        uuid.UUID(receiver),
        COMMUNITY,
    )
    await conn.close()
    me = Actor(role="resident", id=receiver)
    as_me = ServiceClient(nc, Naming(), me)

    async def agreed(n: int) -> list[str]:
        ids = []
        for _ in range(n):
            proposed = await ok(
                "propose_exchange",
                {
                    "proposer_id": receiver,
                    "other_member_id": provider,
                    "proposer_role": "receiver",
                    "amount": 1,
                    "description": "Bench",
                },
                me,
            )
            await ok(
                "accept_exchange",
                {"exchange_id": proposed["exchange_id"]},
                Actor(role="resident", id=provider),
            )
            ids.append(proposed["exchange_id"])
        return ids

    connector = aiohttp.TCPConnector(limit=args.clients * 2)
    async with aiohttp.ClientSession(base_url=url, connector=connector) as http:
        async with http.post(
            "/api/session", json={"email": "ontvanger@bench", "password": PASSWORD}
        ) as r:
            token = (await r.json())["token"]
        auth = {"Authorization": f"Bearer {token}"}
        balance_body = {"member_id": receiver}
        search_body = {"community": COMMUNITY, "text": "fietsen"}

        async def api(path, body):
            async with http.post(path, json=body, headers=auth) as r:
                assert r.status == 200, (path, r.status, await r.text())
                await r.read()

        async def page(path):
            async with http.get(path, headers=auth) as r:
                assert r.status == 200, (path, r.status)
                await r.read()

        async def direct_query(name, body):
            reply = await as_me.query("timebank", name, body)
            assert reply.ok, reply.error

        rows = []
        s, c = args.seconds, args.clients
        for label, name, body, page_path in (
            ("balance", "balance", balance_body, "/statement"),
            ("board search", "search_listings", search_body, "/board?q=fietsen"),
        ):
            direct = await rate(lambda i, n, q=name, b=body: direct_query(q, b), s, c)
            path = f"/api/timebank/{name}"
            via_api = await rate(lambda i, n, p=path, b=body: api(p, b), s, c)
            via_page = await rate(lambda i, n, p=page_path: page(p), s, c)
            rows += [
                (label, "straight over NATS", f"{direct:,.0f}", "1.00"),
                (label, "gateway /api", f"{via_api:,.0f}", f"{via_api / direct:.2f}"),
                (
                    label,
                    f"gateway page {page_path}",
                    f"{via_page:,.0f}",
                    f"{via_page / direct:.2f}",
                ),
            ]
        # Confirmations: each exchange once; as many prepared as a run can use.
        per_side = 1500
        todo_direct, todo_api = await agreed(per_side), await agreed(per_side)

        async def confirm_direct(i, n):
            if not todo_direct:
                return
            reply = await as_me.command(
                "timebank", "confirm_exchange", {"exchange_id": todo_direct.pop()}
            )
            assert reply.ok, reply.error

        async def confirm_api(i, n):
            if not todo_api:
                return
            await api("/api/timebank/confirm_exchange", {"exchange_id": todo_api.pop()})

        t = min(s, 2.0)
        direct = await rate(confirm_direct, t, c)
        via_api = await rate(confirm_api, t, c)
        if not todo_direct or not todo_api:
            print("warning: the prepared exchanges ran out; the confirm figures are low bounds")
        rows += [
            ("confirm", "straight over NATS", f"{direct:,.0f}", "1.00"),
            ("confirm", "gateway /api", f"{via_api:,.0f}", f"{via_api / direct:.2f}"),
        ]

    # The kit client's two transports, on one process's connections.
    broker = NatsBroker(nats_url, logger=None)
    await broker.start()
    over_fs = ServiceClient(None, Naming(), me, transport=FastStreamTransport(broker))
    via_fs = await rate(
        lambda i, n: over_fs.query("timebank", "balance", balance_body), args.seconds, c
    )
    via_nats = await rate(
        lambda i, n: as_me.query("timebank", "balance", balance_body), args.seconds, c
    )
    await broker.stop()
    await nc.close()
    print(
        f"\nThe portal against the time bank straight over NATS ({c} clients, "
        f"{s:g} s each; confirm {t:g} s):\n"
    )
    print(table(rows, ("operation", "path", "per second", "ratio")))
    print("\nThe kit client's transport (balance query, same run):\n")
    print(
        table(
            [
                ("nats-py request (the gateway's)", f"{via_nats:,.0f}", "1.00"),
                ("FastStream broker.request", f"{via_fs:,.0f}", f"{via_fs / via_nats:.2f}"),
            ],
            ("transport", "per second", "ratio"),
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
