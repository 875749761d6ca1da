"""Commands and queries to one service through NATS, with the assertions every test makes:
accepted, or refused with a given code and a message in Dutch and English."""

from __future__ import annotations

from nats.aio.client import Client

from contracts import Actor, Naming
from kit.client import Reply, ServiceClient


class Calls:
    """Talks to the service `to` as `actor` unless a call names another (a subclass sets both
    as class attributes)."""

    to: str
    actor: Actor

    def __init__(self, nc: Client, naming: Naming):
        self.client = ServiceClient(nc, naming, self.actor)

    async def cmd(self, verb: str, data: dict, actor: Actor | None = None, **kw) -> Reply:
        return await self.client.command(self.to, verb, data, actor=actor or self.actor, **kw)

    async def ok(self, verb: str, data: dict, actor: Actor | None = None, **kw) -> dict:
        reply = await self.cmd(verb, data, actor, **kw)
        assert reply.ok, f"{verb} refused: {reply.error}"
        return reply.result

    async def refused(self, verb: str, data: dict, actor: Actor, code: str) -> dict:
        reply = await self.cmd(verb, data, actor)
        assert not reply.ok, f"{verb} was accepted, expected {code}"
        assert reply.code == code, reply.error
        assert reply.error["message"]["nl"] and reply.error["message"]["en"]
        return reply.error

    async def query(self, name: str, data: dict, actor: Actor | None = None) -> dict:
        reply = await self.client.query(self.to, name, data, actor=actor or self.actor)
        assert reply.ok, f"{name} refused: {reply.error}"
        return reply.result
