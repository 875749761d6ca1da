"""The portal on the real stack, once per test session: the time bank (in this event loop, on
the session's nats-server and PostgreSQL) and the gateway served by uvicorn on a free port,
with a community and one account per role. Browser tests, the API tests, schemathesis and the
benchmark share it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import nats
import uvicorn

from contracts import Actor, Naming
from kit.client import ServiceClient
from kit.embedded import free_port
from services.gateway.handlers.auth import hasher
from services.gateway.repository import GatewayRepository
from services.gateway.service import build as build_gateway
from services.gateway.settings import GatewaySettings
from services.timebank.service import TimebankSettings
from services.timebank.service import build as build_timebank

COMMUNITY = "wijk-west"
NEIGHBOURHOODS = ("BU09350101", "BU09350102")
SETUP = Actor(role="coordinator", id="portal-setup", scopes=(COMMUNITY,))
PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    """One argon2 hash of PASSWORD for every test account (each hash costs ~0.1 s of CPU)."""
    return hasher.hash(PASSWORD)


@dataclass
class Person:
    role: str
    email: str
    name: str
    member_id: UUID | None = None
    scopes: tuple[str, ...] = ()
    account_id: UUID | None = None


@dataclass
class Portal:
    url: str
    settings: GatewaySettings
    timebank: object
    app: object
    server: uvicorn.Server
    nc: object
    repo: GatewayRepository
    people: dict[str, Person] = field(default_factory=dict)
    mailbox: Path | None = None

    @property
    def bank(self) -> ServiceClient:
        return ServiceClient(self.nc, Naming(self.settings.namespace), SETUP)

    async def api(self, key: str) -> httpx.AsyncClient:
        """An HTTP client signed in as `people[key]` (bearer token)."""
        client = httpx.AsyncClient(base_url=self.url, timeout=30)
        person = self.people[key]
        reply = await client.post(
            "/api/session", json={"email": person.email, "password": PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        return client

    async def member(self, name: str, neighbourhood: str = NEIGHBOURHOODS[0]) -> UUID:
        reply = await self.bank.command(
            "timebank",
            "register_member",
            {"community": COMMUNITY, "name": name, "neighbourhood": neighbourhood},
        )
        assert reply.ok, reply.error
        member_id = UUID(reply.result["member_id"])
        approved = await self.bank.command(
            "timebank", "approve_member", {"member_id": str(member_id)}
        )
        assert approved.ok, approved.error
        return member_id

    async def person(self, key: str, role: str, name: str, *, member: bool, scopes=()):
        member_id = await self.member(name) if member else None
        email = f"{key}-{uuid.uuid4().hex[:6]}@example.org"
        account = await self.repo.create_account(
            email,
            name,
            role,
            password_hash(),
            member_id=member_id,
            community=COMMUNITY if member_id else None,
            scopes=tuple(scopes),
        )
        self.people[key] = Person(role, email, name, member_id, tuple(scopes), account.id)
        return self.people[key]


async def create_database(servers, name: str) -> str:
    admin = await asyncpg.connect(servers.admin_db_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return servers.db_url(name)


@contextlib.asynccontextmanager
async def portal_stack(servers, tmp: Path, **overrides):
    namespace = "p" + uuid.uuid4().hex[:10]
    common = {
        "nats_url": servers.nats_url,
        "namespace": namespace,
        "log_format": "console",
        "log_level": "warning",
        "http_port": 0,
        "relay_poll_s": 0.2,
        "connect_timeout_s": 10.0,
    }
    tb_db = await create_database(servers, namespace + "_tb")
    gw_db = await create_database(servers, namespace + "_gw")
    timebank = build_timebank(TimebankSettings(**common, database_url=tb_db, sweep_interval_s=3600))
    await timebank.start()
    port = free_port()
    settings = GatewaySettings(
        **{
            **common,
            "database_url": gw_db,
            "http_port": port,
            "embedded": True,
            "mail": "mailbox",
            "mailbox_dir": str(tmp / "mailbox"),
            "communities": (COMMUNITY,),
            "neighbourhoods": NEIGHBOURHOODS,
            "secret_key": "test-secret",
            **overrides,
        }
    )
    app = build_gateway(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    nc = await nats.connect(servers.nats_url)
    portal = Portal(
        f"http://127.0.0.1:{port}",
        settings,
        timebank,
        app,
        server,
        nc,
        app.state.repo,
        mailbox=tmp / "mailbox",
    )
    configured = await portal.bank.command(
        "timebank",
        "configure_community",
        {
            "community": COMMUNITY,
            "name": "Wijk West",
            "units": [{"unit": "hour", "debt_limit": 600, "community_debt_limit": 600}],
        },
    )
    assert configured.ok, configured.error
    await portal.person(
        "coordinator", "coordinator", "Carla Makelaar", member=False, scopes=[COMMUNITY]
    )
    await portal.person("resident", "resident", "Anouk Janssen", member=True)
    await portal.person("resident2", "resident", "Mohamed El Amrani", member=True)
    await portal.person("organisation", "organisation", "Buurthuis De Brikke Oven", member=True)
    for role in ("reviewer", "panel_member", "finance"):
        await portal.person(role, role, role.title(), member=False, scopes=["*"])
    await portal.person("operator", "operator", "Olaf Beheer", member=False, scopes=["*"])
    try:
        yield portal
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        await nc.close()
        await timebank.stop()
