"""Sending commands and queries to a service (used by the gateway, tools, tests and benches).

One layer of rules for every caller: a command carries a client-chosen `command_id` (sending it
again has the effect of once); "no responders" is retried until the timeout (a restart, a
rolling deploy, a subscription not matched yet); `call` validates the reply against the
operation's contract and returns a typed result or the refusal. The bytes travel over a
`Transport`: nats-py's own request (the default) or FastStream's broker (the gateway measures
both; see docs/messaging.md).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from nats.aio.client import Client as Nats
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError

from contracts import Actor, Contract, Error, Naming, OperationSpec, Refused, new_id

R = TypeVar("R", bound=Contract)


class ServiceUnavailable(TimeoutError):
    """The service did not answer within the timeout (no replica, or too slow)."""

    def __init__(self, subject: str, timeout: float):
        super().__init__(f"no reply on {subject} within {timeout:g}s")
        self.subject, self.timeout = subject, timeout


class Transport(Protocol):
    """Sends one request and returns the reply's bytes; raises NoRespondersError when no
    replica is subscribed and TimeoutError when none answered in time."""

    async def request(self, subject: str, payload: bytes, timeout: float) -> bytes: ...


class NatsTransport:
    """nats-py's request: one shared reply subscription, replies matched by inbox token."""

    def __init__(self, nc: Nats):
        self.nc = nc

    async def request(self, subject: str, payload: bytes, timeout: float) -> bytes:
        return (await self.nc.request(subject, payload, timeout=timeout)).data


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


@dataclass(frozen=True)
class Typed(Generic[R]):
    """A reply checked against its operation's contract: `result` or `error`, never both."""

    result: R | None
    error: Error | None

    @property
    def ok(self) -> bool:
        return self.error is None


def _data(data: Contract | dict) -> dict:
    return data.model_dump(mode="json") if isinstance(data, Contract) else data


class ServiceClient:
    def __init__(
        self, nc: Nats | None, naming: Naming, actor: Actor, transport: Transport | None = None
    ):
        if transport is None and nc is None:
            raise ValueError("give a NATS connection or a transport")
        self.nc, self.naming, self.actor = nc, naming, actor
        self.transport = transport or NatsTransport(nc)

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
        return Reply.parse(await self._request(self.naming.command(service, verb), body, timeout))

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
        return Reply.parse(await self._request(self.naming.query(service, name), body, timeout))

    async def call(
        self,
        spec: OperationSpec,
        data: Contract,
        *,
        actor: Actor | None = None,
        command_id: UUID | None = None,
        correlation_id: UUID | None = None,
        timeout: float = 10.0,
    ) -> Typed:
        """Send `data` to the operation `spec` and return its reply, validated against the
        contract (`spec.ok` or `Refused`). Raises ServiceUnavailable when no reply comes in
        `timeout` seconds, and pydantic's ValidationError if the reply breaks its contract."""
        if not isinstance(data, spec.request):
            raise TypeError(f"{spec.name} takes {spec.request.__name__}, not {type(data).__name__}")
        actor = actor or self.actor
        if spec.kind == "command":
            body: dict = {"command_id": str(command_id or new_id()), "actor": None, "data": None}
            subject = self.naming.command(spec.service, spec.name)
        else:
            body = {"actor": None, "data": None}
            subject = self.naming.query(spec.service, spec.name)
        body["actor"] = actor.model_dump(mode="json")
        body["data"] = data.model_dump(mode="json")
        if correlation_id:
            body["correlation_id"] = str(correlation_id)
        raw = await self._request(subject, body, timeout)
        if json.loads(raw).get("ok"):
            return Typed(spec.ok.model_validate_json(raw).result, None)
        return Typed(None, Refused.model_validate_json(raw).error)

    async def _request(self, subject: str, body: dict, timeout: float) -> bytes:
        """Send, and retry while no replica is subscribed (a restart, a rolling deploy, or a
        subscription the server has not matched yet): safe, as commands are idempotent by id."""
        payload = json.dumps(body).encode()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = 0.01
        while True:
            left = deadline - loop.time()
            try:
                return await self.transport.request(subject, payload, max(left, 0.001))
            except NoRespondersError:
                if loop.time() + delay > deadline:
                    raise ServiceUnavailable(subject, timeout) from None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
            except (TimeoutError, NatsTimeoutError):
                raise ServiceUnavailable(subject, timeout) from None
