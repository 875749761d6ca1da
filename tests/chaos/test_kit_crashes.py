"""Kill -9 at the worst moments; nothing is lost and nothing happens twice."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys

import aiohttp
import asyncpg
import pytest

from contracts import Actor, Naming
from kit.client import ServiceClient
from kit.embedded import free_port
from tests.conftest import REPO, eventually, make_settings, service_env
from tests.integration.test_kit_events import raw_event, stream_messages

ALICE = Actor(role="resident", id="alice")


class ServiceProcess:
    """A service as its own OS process, as in production."""

    def __init__(self, settings, module: str = "tests.support.sample", **env):
        self.settings = settings
        self.module = module
        self.env = service_env(settings, **env)
        self.proc: subprocess.Popen | None = None

    async def start(self) -> ServiceProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        await eventually(self._ready, timeout=20)
        return self

    async def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"service exited: {self.proc.stderr.read().decode()[-2000:]}")
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{self.settings.http_port}/readyz") as r,
            ):
                return r.status == 200
        except aiohttp.ClientError:
            return False

    async def metrics(self) -> str:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{self.settings.http_port}/metrics") as r,
        ):
            return await r.text()

    async def wait_exit(self, timeout: float = 10) -> int:
        await eventually(lambda: self.proc.poll() is not None, timeout=timeout)
        return self.proc.returncode

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def proc_settings(servers, database, namespace):
    return make_settings(servers, database, namespace, http_port=free_port(), log_format="json")


async def test_relay_killed_between_puback_and_delete_publishes_exactly_once(proc_settings, nc):
    naming = Naming(proc_settings.namespace)
    first = await ServiceProcess(proc_settings, VOORELKAAR_FAILPOINTS="relay.after_puback").start()
    try:
        reply = await ServiceClient(nc, naming, ALICE).command(
            "sample", "write_note", {"text": "once", "amount": 9}
        )
        assert reply.ok
        assert await first.wait_exit() == 137  # died right after the PubAck
    finally:
        first.stop()
    db = await asyncpg.connect(proc_settings.database_url)
    try:
        # The row is still there: the relay died before deleting it.
        assert await db.fetchval("SELECT count(*) FROM outbox") == 1
        js = nc.jetstream()
        subject = naming.event_subject("sample.note.written")
        assert len(await stream_messages(js, naming.stream("sample"), subject)) == 1

        second = await ServiceProcess(proc_settings).start()
        try:
            await eventually(lambda: _outbox_empty(db), timeout=15)
            metrics = await second.metrics()
            assert "voorelkaar_outbox_duplicates_total 1.0" in metrics
            await eventually(lambda: _tally_is(db, (9, 1)), timeout=10)
        finally:
            second.stop()
        msgs = await stream_messages(js, naming.stream("sample"), subject)
        assert len(msgs) == 1
        assert json.loads(msgs[0].data)["data"]["note_id"] == reply.result["note_id"]
    finally:
        await db.close()


async def _outbox_empty(db) -> bool:
    return await db.fetchval("SELECT count(*) FROM outbox") == 0


async def _tally_is(db, expected) -> bool:
    row = await db.fetchrow("SELECT total, seen FROM tally")
    return (row["total"], row["seen"]) == expected


async def test_a_consumer_killed_mid_stream_resumes_from_its_durable_and_loses_nothing(
    servers, database, namespace, nc
):
    settings = make_settings(servers, database, namespace, http_port=free_port(), fetch_batch=25)
    naming = Naming(namespace)
    service = await ServiceProcess(settings).start()  # declares the stream and the durable
    db = await asyncpg.connect(database)
    try:
        js = nc.jetstream()
        total, count = 0, 3000
        acks = []
        for i in range(count):
            subject, payload, _ = raw_event(f"n{i}", i, naming)
            acks.append(js.publish(subject, payload))
            total += i
            if len(acks) == 200:
                await asyncio.gather(*acks)
                acks = []
        await asyncio.gather(*acks)
        await eventually(lambda: _seen_at_least(db, 300), timeout=20)
        service.kill()
        seen_at_kill = await db.fetchval("SELECT seen FROM tally")
        assert seen_at_kill < count, "the kill came too late to be mid-stream"

        service = await ServiceProcess(settings).start()
        await eventually(lambda: _tally_is(db, (total, count)), timeout=60)
        assert await db.fetchval("SELECT count(*) FROM inbox") == count
    finally:
        service.stop()
        await db.close()


async def _seen_at_least(db, n) -> bool:
    return await db.fetchval("SELECT seen FROM tally") >= n
