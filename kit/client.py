"""Sending commands and queries to a service (used by the gateway, tools, tests and benches)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from nats.aio.client import Client as Nats
from nats.errors import NoRespondersError

from contracts import Actor, Contract, Naming, new_id


@dataclass(frozen=True)
class Reply:
    ok: bool
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    raw: bytes

    @property
    def code(self) -> str | None:
        return self.error["code"] if self.error else None

    @classmethod
    def parse(cls, raw: bytes) -> Reply:
        body = json.loads(raw)
        return cls(bool(body.get("ok")), body.get("result"), body.get("error"), raw)


def _data(data: Contract | dict) -> dict:
    return data.model_dump(mode="json") if isinstance(data, Contract) else data


class ServiceClient:
    def __init__(self, nc: Nats, naming: Naming, actor: Actor):
        self.nc, self.naming, self.actor = nc, naming, actor

    async def command(
        self,
        service: str,
        verb: str,
        data: Contract | dict,
        *,
        command_id: UUID | None = None,
        actor: Actor | None = None,
        correlation_id: UUID | None = None,
        timeout: float = 10.0,
    ) -> Reply:
        body = {
            "command_id": str(command_id or new_id()),
            "actor": (actor or self.actor).model_dump(mode="json"),
            "data": _data(data),
        }
        if correlation_id:
            body["correlation_id"] = str(correlation_id)
        return await self._request(self.naming.command(service, verb), body, timeout)

    async def query(
        self,
        service: str,
        name: str,
        data: Contract | dict | None = None,
        *,
        actor: Actor | None = None,
        timeout: float = 10.0,
    ) -> Reply:
        body = {"actor": (actor or self.actor).model_dump(mode="json"), "data": _data(data or {})}
        return await self._request(self.naming.query(service, name), body, timeout)

    async def _request(self, subject: str, body: dict, timeout: float) -> Reply:
        """Send, and retry while no replica is subscribed (a restart, a rolling deploy, or a
        subscription the server has not matched yet): safe, as commands are idempotent by id."""
        payload = json.dumps(body).encode()
        deadline = asyncio.get_running_loop().time() + timeout
        delay = 0.01
        while True:
            try:
                msg = await self.nc.request(subject, payload, timeout=timeout)
                return Reply.parse(msg.data)
            except NoRespondersError:
                if asyncio.get_running_loop().time() + delay > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
