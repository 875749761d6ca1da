"""Demo accounts for `make run`: one per role, the residents and the organisation linked to the
time bank's demo members. Only in the embedded default (their passwords are printed);
loading twice changes nothing."""

from __future__ import annotations

import asyncio
import sys

import nats

from contracts import Naming
from kit.client import ServiceClient
from kit.db import create_pool
from services.timebank import demo as timebank_demo

from .handlers.auth import hasher
from .repository import EmailTaken, GatewayRepository
from .settings import GatewaySettings

DOMAIN = "demo.voorelkaar.nl"
# (e-mail, role, index into the time bank's demo members or None, scopes)
ACCOUNTS = [
    ("bewoner", "resident", 0, ()),
    ("bewoner2", "resident", 1, ()),
    ("buurthuis", "organisation", 4, ()),
    ("makelaar", "coordinator", None, (timebank_demo.COMMUNITY,)),
    ("wijkmanager", "reviewer", None, ("BU09350101", "BU09350102", "BU09350103")),
    ("panel", "panel_member", None, ()),
    ("financien", "finance", None, ("*",)),
    ("beheer", "operator", None, ("*",)),
]


def password_of(login: str) -> str:
    return f"{login}-demo-2025"


async def member_ids(client: ServiceClient) -> list[str]:
    """The time bank's demo members: its register commands sent again under their own
    command ids answer with the stored replies (no second member)."""
    ids = []
    for name, neighbourhood, skills in timebank_demo.MEMBERS:
        kind = "organisation" if name.startswith("Buurthuis") else "resident"
        reply = await client.command(
            "timebank",
            "register_member",
            {
                "community": timebank_demo.COMMUNITY,
                "name": name,
                "neighbourhood": neighbourhood,
                "kind": kind,
                "skills": skills,
                "languages": ["nl"],
            },
            command_id=timebank_demo.command_id("register_member", name),
            actor=timebank_demo.COORDINATOR,
        )
        if not reply.ok:
            raise RuntimeError(f"register_member refused: {reply.code}")
        ids.append(reply.result["member_id"])
    return ids


async def load(settings: GatewaySettings) -> list[str]:
    nc = await nats.connect(settings.nats_url)
    pool = await create_pool(settings.db_url("gateway"), 1, 2, settings.connect_timeout_s)
    try:
        client = ServiceClient(nc, Naming(settings.namespace), timebank_demo.COORDINATOR)
        ids = await member_ids(client)
        repo = GatewayRepository(pool)
        lines = [f"{len(ACCOUNTS)} demo accounts, one per role (embedded default only):"]
        for login, role, member, scopes in ACCOUNTS:
            email = f"{login}@{DOMAIN}"
            with_member = ids[member] if member is not None else None
            name = timebank_demo.MEMBERS[member][0] if member is not None else login.title()
            try:
                await repo.create_account(
                    email,
                    name,
                    role,
                    hasher.hash(password_of(login)),
                    member_id=with_member,
                    community=timebank_demo.COMMUNITY if with_member else None,
                    scopes=scopes,
                )
            except EmailTaken:
                pass
            lines.append(f"{role:<13} {email:<32} password {password_of(login)}")
        return lines
    finally:
        await pool.close()
        await nc.close()


def main() -> int:
    settings = GatewaySettings()
    if not settings.embedded:
        print("demo accounts are made only in the embedded default", file=sys.stderr)
        return 1
    for line in asyncio.run(load(settings)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
