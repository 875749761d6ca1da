"""`voorelkaar run` from nothing: real nats-server and PostgreSQL under a data folder, the
services as processes, demo data; Ctrl-C stops everything; a second start finds it all again."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import nats
import pytest

from contracts import Actor, Naming
from kit.client import ServiceClient
from kit.embedded import free_port, port_open, scratch_dir
from tests.conftest import REPO


class Stack:
    def __init__(self, data: Path):
        self.data = data
        self.nats_port, self.pg_port, self.http = free_port(), free_port(), free_port()
        self.smtp_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.output: list[str] = []

    def start(self, timeout: float = 120) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "services.cli",
                "run",
                "--data-dir",
                str(self.data),
                "--nats-port",
                str(self.nats_port),
                "--pg-port",
                str(self.pg_port),
                "--http-port",
                str(self.http),
                "--smtp-port",
                str(self.smtp_port),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        import time

        deadline = time.monotonic() + timeout
        for line in self.proc.stdout:
            self.output.append(line)
            if "Ctrl-C stops everything" in line:
                return
            if time.monotonic() > deadline:
                break
        raise AssertionError("the stack did not come up:\n" + "".join(self.output[-40:]))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        rest, _ = self.proc.communicate(timeout=90)
        self.output.append(rest)
        return self.proc.returncode

    def ready(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/readyz", timeout=5) as r:
            return json.loads(r.read())


async def community_figures(stack: Stack) -> dict:
    nc = await nats.connect(f"nats://127.0.0.1:{stack.nats_port}")
    try:
        client = ServiceClient(nc, Naming(), Actor(role="coordinator", id="e2e"))
        reply = await client.query("timebank", "community_stats", {"community": "maastricht-west"})
        assert reply.ok, reply.error
        # The relay publishes what is committed within a moment: wait until the count settles.
        counts = []
        while len(counts) < 3 or len(set(counts[-3:])) > 1:
            counts.append((await nc.jetstream().stream_info("TIMEBANK")).state.messages)
            await asyncio.sleep(0.5)
        return {**reply.result, "events": counts[-1]}
    finally:
        await nc.close()


@pytest.mark.timeout(600)
async def test_the_stack_starts_from_nothing_stops_and_starts_again_with_its_data():
    data = scratch_dir("voorelkaar-e2e-") / ".data"
    stack = Stack(data)
    try:
        stack.start()
        text = "".join(stack.output)
        assert "demo data loaded into timebank" in text, text
        assert stack.ready()["status"] == "ready"
        first = await community_figures(stack)
        assert first["total_amount"] == 180 and first["members_by_state"] == {"active": 6}
        assert first["events"] > 0
        # The ledger check it prints works as printed, on the ports this stack chose.
        hint = next(line for line in stack.output if "ledger check" in line)
        command = hint.split("ledger check", 1)[1].strip()
        checked = await asyncio.to_thread(
            subprocess.run, command, shell=True, cwd="/", capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "every invariant holds" in checked.stdout
        assert stack.stop() == 0
        assert "PostgreSQL stopped" in stack.output[-1] and "NATS stopped" in stack.output[-1]
        assert not port_open(stack.nats_port) and not port_open(stack.pg_port)
        assert (data / "postgres" / "pgdata" / "PG_VERSION").exists()
        assert (data / "nats" / "jetstream").exists()
        assert (data / "logs" / "timebank.log").read_text().strip()

        stack.start()
        second = await community_figures(stack)
        # Everything is still there, and loading the demo again changed nothing.
        assert second == first
    finally:
        if stack.proc and stack.proc.poll() is None:
            stack.stop()
        shutil.rmtree(data.parent, ignore_errors=True)


async def test_a_second_stack_on_the_same_ports_refuses_clearly():
    data = scratch_dir("voorelkaar-e2e-")
    port = free_port()
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "services.cli",
                "run",
                "--data-dir",
                str(data),
                "--nats-port",
                str(port),
                "--pg-port",
                str(free_port()),
                "--smtp-port",
                str(free_port()),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert f"port {port} for NATS is in use" in result.stderr
    finally:
        server.close()
        shutil.rmtree(data, ignore_errors=True)
