"""`voorelkaar run`: the whole platform on one machine, from nothing.

Starts a real nats-server (JetStream, `sync_interval: always`) and a real PostgreSQL, both
keeping their data under `./.data/` so a restart keeps everything; a local SMTP server that
keeps every mail it receives under `./.data/mail/` (the demo mailbox); creates each service's
database; starts every service as its own process and restarts it if it crashes; loads demo
data; prints where to look; and on Ctrl-C stops everything cleanly, services first.

Set VOORELKAAR_NATS_URL / VOORELKAAR_DATABASE_URL_<SERVICE> / VOORELKAAR_SMTP_HOST (and the
other VOORELKAAR_SMTP_* settings) to use servers of your own instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .embedded import NatsServer, PostgresServer, create_database, port_open
from .mailbox import LocalSmtpServer
from .settings import ServiceSettings

REPO = Path(__file__).resolve().parents[1]


def available_services() -> list[str]:
    """Every folder under services/ that can run as a process (has a __main__)."""
    root = REPO / "services"
    return sorted(
        p.parent.name for p in root.glob("*/__main__.py") if not p.parent.name.startswith("_")
    )


@dataclass
class Supervised:
    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    http_port: int
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = 0.0
    log_file: object = field(default=None, repr=False)

    def start(self) -> None:
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=REPO,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_at = time.monotonic()

    def stop(self, timeout_s: float = 25) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.log_file:
            self.log_file.close()


def say(text: str) -> None:
    print(f"[voorelkaar] {text}", flush=True)


class Stack:
    def __init__(
        self,
        data_dir: Path,
        nats_port: int,
        pg_port: int,
        http_base: int,
        services: list[str],
        demo: bool,
        smtp_port: int = 2525,
    ):
        self.data_dir = data_dir
        self.nats_port, self.pg_port, self.http_base = nats_port, pg_port, http_base
        self.smtp_port = smtp_port
        self.smtp: LocalSmtpServer | None = None
        self.services = services
        self.demo = demo
        self.nats: NatsServer | None = None
        self.pg: PostgresServer | None = None
        self.children: list[Supervised] = []
        self._stop = asyncio.Event()

    def nats_url(self) -> str:
        return os.environ.get("VOORELKAAR_NATS_URL") or f"nats://127.0.0.1:{self.nats_port}"

    def db_url(self, service: str) -> str:
        own = os.environ.get(f"VOORELKAAR_DATABASE_URL_{service.upper()}")
        return own or self.pg.url(f"voorelkaar_{service}")

    async def start_servers(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        if not os.environ.get("VOORELKAAR_NATS_URL"):
            self.nats = NatsServer(
                self.data_dir / "nats", port=self.nats_port, monitor_port=self.nats_port + 4000
            )
            self.nats.start()
            say(f"NATS (JetStream, sync always) on {self.nats.url}, data in {self.nats.data_dir}")
        self.pg = PostgresServer(self.data_dir / "postgres", port=self.pg_port)
        self.pg.start()
        say(f"PostgreSQL on {self.pg.url('postgres')}, data in {self.pg.pgdata}")
        for service in self.services:
            await create_database(self.pg.url("postgres"), f"voorelkaar_{service}")
        if not os.environ.get("VOORELKAAR_SMTP_HOST"):
            self.smtp = await LocalSmtpServer(self.mail_dir, self.smtp_port).start()
            say(
                f"SMTP (local, keeps every mail) on 127.0.0.1:{self.smtp_port}, "
                f"mail in {self.mail_dir}"
            )

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def start_services(self) -> None:
        for i, service in enumerate(self.services):
            port = self.http_base + i
            env = dict(os.environ)
            env.update(
                VOORELKAAR_NATS_URL=self.nats_url(),
                VOORELKAAR_DATABASE_URL=self.db_url(service),
                VOORELKAAR_HTTP_PORT=str(port),
                VOORELKAAR_LOG_FORMAT="json",
                PYTHONUNBUFFERED="1",
            )
            if self.smtp is not None:
                env.update(
                    VOORELKAAR_SMTP_HOST="127.0.0.1",
                    VOORELKAAR_SMTP_PORT=str(self.smtp_port),
                    VOORELKAAR_SMTP_SECURITY="none",
                    VOORELKAAR_DEMO_MAILBOX=str(self.mail_dir),
                )
            if service == "gateway":
                # The embedded default: plain http on localhost, mails kept in the data folder.
                env.setdefault("VOORELKAAR_EMBEDDED", "1")
                env.setdefault("VOORELKAAR_MAIL", "mailbox")
                env.setdefault("VOORELKAAR_MAILBOX_DIR", str(self.mail_dir))
            child = Supervised(
                service,
                [sys.executable, "-m", f"services.{service}"],
                env,
                self.data_dir / "logs" / f"{service}.log",
                port,
            )
            child.start()
            self.children.append(child)

    async def wait_ready(self, timeout_s: float = 60) -> bool:
        import aiohttp

        deadline = time.monotonic() + timeout_s
        pending = {c.name: c for c in self.children}
        async with aiohttp.ClientSession() as http:
            while pending and time.monotonic() < deadline:
                for name, child in list(pending.items()):
                    with contextlib.suppress(aiohttp.ClientError, OSError):
                        async with http.get(f"http://127.0.0.1:{child.http_port}/readyz") as r:
                            if r.status == 200:
                                del pending[name]
                await asyncio.sleep(0.2)
        for name in pending:
            say(f"{name} is not ready yet; see {self.data_dir / 'logs' / (name + '.log')}")
        return not pending

    async def load_demo_data(self) -> None:
        # The portal's demo accounts point at the time bank's demo members: load it last.
        for service in sorted(self.services, key=lambda s: s == "gateway"):
            module = f"services.{service}.demo"
            if importlib.util.find_spec(module) is None:
                continue
            env = dict(
                os.environ,
                VOORELKAAR_NATS_URL=self.nats_url(),
                VOORELKAAR_DATABASE_URL=self.db_url(service),
                VOORELKAAR_EMBEDDED=os.environ.get("VOORELKAAR_EMBEDDED", "1"),
                PYTHONUNBUFFERED="1",
            )
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                module,
                cwd=REPO,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await proc.communicate()
            if proc.returncode == 0:
                lines = out.decode().strip().splitlines() or [""]
                say(f"demo data loaded into {service}: {lines[0]}")
                for line in lines[1:]:
                    say(f"  {line}")
            else:
                say(
                    f"demo data for {service} failed (exit {proc.returncode}):\n"
                    f"{out.decode()[-2000:]}"
                )

    async def ledgers(self) -> list[str]:
        """The services whose database holds a ledger (the ledger component's tables)."""
        import asyncpg

        found = []
        for service in self.services:
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                conn = await asyncpg.connect(self.db_url(service))
                try:
                    if await conn.fetchval("SELECT to_regclass('ledger_accounts') IS NOT NULL"):
                        found.append(service)
                finally:
                    await conn.close()
        return found

    def check_ledger_hint(self, service: str) -> str:
        """The command that checks `service`'s ledger on this stack, as it can be pasted: the
        checker reads the same settings as the services (kit/settings.py), so only the
        embedded PostgreSQL's port needs saying, when it is not the default."""
        script = Path(sys.executable).parent / "voorelkaar"
        command = f"{script} check-ledger --service {service}"
        own = os.environ.get(f"VOORELKAAR_DATABASE_URL_{service.upper()}")
        if own or self.pg_port == ServiceSettings.model_fields["pg_port"].default:
            return command
        return f"VOORELKAAR_PG_PORT={self.pg_port} {command}"

    async def where_to_look(self) -> None:
        say("ready. Where to look:")
        if self.nats:
            say(f"  NATS monitoring   http://127.0.0.1:{self.nats.monitor_port}/jsz?streams=1")
        for child in self.children:
            base = f"http://127.0.0.1:{child.http_port}"
            say(f"  {child.name:<12} {base}/readyz  {base}/metrics  log: {child.log_path}")
        for child in self.children:
            if child.name == "gateway":
                base = f"http://127.0.0.1:{child.http_port}"
                say(f"  the portal        {base}/   (API: {base}/api/docs)")
        for service in await self.ledgers():
            say(f"  ledger check      {self.check_ledger_hint(service)}")
        if self.smtp is not None:
            say(f"  demo mailbox      {self.mail_dir} (every mail sent, as .eml files)")
        say("Ctrl-C stops everything; data stays in " + str(self.data_dir))

    async def supervise(self) -> None:
        """Restart a crashed service with a growing delay; a long-lived one resets the delay."""
        while not self._stop.is_set():
            now = time.monotonic()
            for child in self.children:
                code = child.proc.poll() if child.proc else None
                if child.proc is not None and code is not None:
                    if now - child.started_at > 60:
                        child.restarts = 0
                    delay = min(2**child.restarts, 30)
                    child.restarts += 1
                    say(
                        f"{child.name} exited with code {code}; restarting in {delay}s "
                        f"(log: {child.log_path})"
                    )
                    child.proc = None
                    child.next_start = now + delay
                if child.proc is None and now >= child.next_start:
                    child.start()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=0.5)

    def request_stop(self) -> None:
        self._stop.set()

    async def stop_all(self) -> None:
        say("stopping services...")
        for child in self.children:
            child.stop()
        if self.smtp:
            await self.smtp.stop()
            say("SMTP stopped")
        if self.pg:
            self.pg.stop()
            say("PostgreSQL stopped")
        if self.nats:
            self.nats.stop()
            say("NATS stopped")


async def run(args: argparse.Namespace) -> int:
    services = args.services.split(",") if args.services else available_services()
    stack = Stack(
        Path(args.data_dir).resolve(),
        args.nats_port,
        args.pg_port,
        args.http_port,
        services,
        demo=not args.no_demo,
        smtp_port=args.smtp_port,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stack.request_stop)
    try:
        await stack.start_servers()
        stack.start_services()
        ready = await stack.wait_ready()
        if ready and stack.demo:
            await stack.load_demo_data()
        await stack.where_to_look()
        await stack.supervise()
    finally:
        await stack.stop_all()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voorelkaar run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("VOORELKAAR_DATA_DIR", ".data"))
    parser.add_argument(
        "--nats-port", type=int, default=int(os.environ.get("VOORELKAAR_NATS_PORT", 4222))
    )
    parser.add_argument(
        "--pg-port", type=int, default=int(os.environ.get("VOORELKAAR_PG_PORT", 5432))
    )
    parser.add_argument(
        "--smtp-port", type=int, default=int(os.environ.get("VOORELKAAR_SMTP_PORT", 2525))
    )
    parser.add_argument(
        "--http-port",
        type=int,
        default=int(os.environ.get("VOORELKAAR_HTTP_BASE", 8101)),
        help="first of the services' health/metrics ports",
    )
    parser.add_argument("--services", default=None, help="comma-separated (default: all)")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    args = parser.parse_args(argv)
    ports = ((args.nats_port, "NATS"), (args.pg_port, "PostgreSQL"), (args.smtp_port, "SMTP"))
    external = {"NATS": "VOORELKAAR_NATS_URL", "SMTP": "VOORELKAAR_SMTP_HOST"}
    for port, what in ports:
        if port_open(port) and not os.environ.get(external.get(what, "-")):
            print(
                f"voorelkaar run: port {port} for {what} is in use (is the stack already "
                "running?). Stop it, or choose other ports with --nats-port/--pg-port/--smtp-port.",
                file=sys.stderr,
            )
            return 2
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
