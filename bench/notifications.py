"""Notifications: e-mails rendered and accepted by an SMTP server per second, from a backlog of
time-bank events, beside a raw aiosmtplib send loop to the same server in the same run.

  raw:      one aiosmtplib connection sending ready-made messages in a loop (the target: the
            service should reach at least half of it); also LANES such loops at once, to show
            what the server takes at most
  service:  the notifications service as its own process, started on a backlog of events on
            the TIMEBANK stream: consume (inbox + dedup rows), claim, render (Jinja2, text and
            HTML), send, record; from its start until the server has accepted the last mail

The SMTP server is the local one of the embedded default (aiosmtpd, `kit/mailbox.py`), in its
own process, keeping every mail as a file, for both paths.
Run: .venv/bin/python bench/notifications.py [--events N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib
import asyncpg
import nats
from common import REPO, servers, table

from contracts import Actor, Naming, new_id
from contracts.timebank import TIMEBANK, ExchangeCancelled, Party
from kit.db import KIT_MIGRATIONS, migrate
from kit.embedded import create_database, free_port
from kit.nats import ensure_stream
from kit.settings import ServiceSettings
from services.notifications.domain import Contact
from services.notifications.render import Renderer, email_message
from services.notifications.repository import Repository
from services.notifications.service import MIGRATIONS

LANES = 4


def count(folder: Path) -> int:
    with os.scandir(folder) as entries:
        return sum(1 for e in entries if e.name.endswith(".eml"))


async def until(folder: Path, n: int, timeout: float = 900) -> float:
    deadline = time.monotonic() + timeout
    while count(folder) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {count(folder)} of {n} mails arrived")
        await asyncio.sleep(0.05)
    return time.perf_counter()


def messages(n: int, tag: str):
    """Ready-made messages, rendered before the clock starts (the raw path renders nothing)."""
    renderer = Renderer()
    params = {"other_name": "Ben", "unit": "hour", "reason": "ziek", "side": "provider"}
    mail = renderer.mail([renderer.render("exchange_cancelled", "nl", params)], "nl", "Anouk")
    now = datetime.now(UTC)
    return [
        email_message(mail, "v <noreply@x.nl>", f"{tag}@example.org", f"<{tag}{i}@x>", now)
        for i in range(n)
    ]


async def raw_loop(port: int, folder: Path, n: int, loops: int) -> float:
    before = count(folder)
    run = uuid.uuid4().hex[:8]
    batches = [messages(n // loops, f"raw{run}-{i}-") for i in range(loops)]

    async def loop(batch) -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        for msg in batch:
            await smtp.send_message(msg)
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(loop(b) for b in batches))
    done = await until(folder, before + n)
    return n / (done - started)


async def service_rate(nats_url: str, db_url: str, smtp_port: int, folder: Path, events: int):
    naming = Naming()
    conn = await asyncpg.connect(db_url)
    try:
        await migrate(conn, [("kit", KIT_MIGRATIONS), ("notifications", MIGRATIONS)])
        a, b = new_id(), new_id()
        repo = Repository(conn)
        await repo.save_member(Contact(str(a), "Anouk", "anouk@example.org"), "west")
        await repo.save_member(Contact(str(b), "Ben", "ben@example.org", "en"), "west")
    finally:
        await conn.close()
    nc = await nats.connect(nats_url)
    settings = ServiceSettings(nats_url=nats_url)
    await ensure_stream(
        nc,
        naming.stream("timebank"),
        naming.entity_subjects("timebank", TIMEBANK.entities()),
        settings,
    )
    js = nc.jetstream()
    party = {m: Party(member_id=m, kind="resident", neighbourhood="BU09350101") for m in (a, b)}
    spec = TIMEBANK.spec_of(ExchangeCancelled)
    acks = []
    for i in range(events):
        event = spec.envelope(
            type=spec.type,
            version=spec.version,
            correlation_id=new_id(),
            actor=Actor(role="resident", id=str(a)),
            data=ExchangeCancelled(
                exchange_id=new_id(),
                community="west",
                unit="hour",
                provider=party[a],
                receiver=party[b],
                cancelled_by=str(a),
                reason=f"ziek {i}",
            ),
        )
        acks.append(
            await js.publish_async(
                naming.event_subject(spec.type),
                event.model_dump_json().encode(),
                headers={"Nats-Msg-Id": str(event.event_id)},
            )
        )
    await asyncio.gather(*acks)
    await nc.close()
    before = count(folder)
    http = free_port()
    env = dict(
        os.environ,
        VOORELKAAR_NATS_URL=nats_url,
        VOORELKAAR_DATABASE_URL=db_url,
        VOORELKAAR_SMTP_PORT=str(smtp_port),
        VOORELKAAR_HTTP_PORT=str(http),
        VOORELKAAR_LOG_LEVEL="warning",
        VOORELKAAR_MAIL_LANES=str(LANES),
        PYTHONPATH=str(REPO),
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.notifications"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        done = await until(folder, before + 2 * events)
    finally:
        proc.terminate()
        proc.wait(30)
    return 2 * events / (done - started)


async def main(events: int) -> None:
    with servers() as (nats_server, pg):
        folder = Path(tempfile.mkdtemp(prefix="voorelkaar-bench-mail-"))
        port = free_port()
        mailbox = subprocess.Popen(
            [sys.executable, "-m", "kit.mailbox", "--folder", str(folder), "--port", str(port)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
        )
        try:
            await asyncio.sleep(1.0)
            await create_database(pg.url("postgres"), "bench_notifications")
            n = 2 * events
            raw = await raw_loop(port, folder, n, 1)
            raw_many = await raw_loop(port, folder, n, LANES)
            service = await service_rate(
                nats_server.url, pg.url("bench_notifications"), port, folder, events
            )
            raw_after = await raw_loop(port, folder, n, 1)
        finally:
            mailbox.terminate()
            mailbox.wait(10)
    baseline = (raw + raw_after) / 2
    print(f"{events} events -> {n} e-mails (2 recipients each), 2 cores, one run")
    print(
        table(
            [
                ("raw aiosmtplib loop, 1 connection (before)", f"{raw:,.0f}", ""),
                ("raw aiosmtplib loop, 1 connection (after)", f"{raw_after:,.0f}", ""),
                (f"raw aiosmtplib, {LANES} connections at once", f"{raw_many:,.0f}", ""),
                (
                    f"notifications service ({LANES} lanes), from a backlog",
                    f"{service:,.0f}",
                    f"{service / baseline:.2f}",
                ),
            ],
            ("path", "mails/s", "ratio to raw loop"),
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    asyncio.run(main(parser.parse_args().events))
