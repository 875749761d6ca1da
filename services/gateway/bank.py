"""The portal's one way to the services: check the operation's policy for the signed-in actor,
send it with the kit's client (command ids, retries on no responders, typed replies), record
every command in the audit (who, for whom, the outcome), and raise what the pages and the API
turn into a page or a status."""

from __future__ import annotations

from uuid import UUID

from contracts import Contract, Error, OperationSpec, ServiceContracts, new_id
from contracts.timebank import TIMEBANK
from kit.client import ServiceClient, ServiceUnavailable

from .domain import PUBLIC, SignedIn, refusal
from .repository import GatewayRepository

__all__ = ["Bank", "Forbidden", "Refused", "ServiceUnavailable", "operation"]


class Forbidden(Exception):
    """The operation's policy refuses this actor (checked before anything is sent). The
    error is the one the service itself answers a refusal of its policy with (the policy's
    `code`: `forbidden`, or e.g. `coordinator_only` where the service had one)."""

    def __init__(self, spec: OperationSpec, reason: str):
        super().__init__(f"{spec.name}: {reason}")
        self.spec, self.reason = spec, reason

    @property
    def error(self) -> Error:
        return catalogue(self.spec.service).error(
            self.spec.policy.code, {"policy": self.spec.policy.describe()}
        )


class Refused(Exception):
    """The service refused, with its stable code and its message in Dutch and English."""

    def __init__(self, spec: OperationSpec, error: Error):
        super().__init__(f"{spec.name}: {error.code}")
        self.spec, self.error = spec, error

    @property
    def code(self) -> str:
        return self.error.code


SERVICES: tuple[ServiceContracts, ...] = (TIMEBANK,)
"""The services the portal talks to (the initiative fund's join them in part 2)."""


def catalogue(service: str):
    """The error catalogue of a service the portal talks to."""
    for contracts in SERVICES:
        if contracts.service == service:
            return contracts.errors
    raise KeyError(service)


def operation(name: str, service: ServiceContracts = TIMEBANK) -> OperationSpec:
    """The declared command or query `name` of `service`."""
    for (_kind, op_name), spec in service.operations.items():
        if op_name == name:
            return spec
    raise KeyError(f"{service.service} declares no operation {name}")


class Bank:
    def __init__(self, client: ServiceClient, repo: GatewayRepository, timeout_s: float):
        self.client, self.repo, self.timeout_s = client, repo, timeout_s

    async def send(
        self,
        signed: SignedIn | None,
        spec: OperationSpec,
        request: Contract,
        command_id: UUID | None = None,
    ):
        """The operation's typed result. Raises Forbidden (policy), Refused (the service said
        no), ServiceUnavailable (no answer within the timeout)."""
        actor = signed.actor if signed else PUBLIC
        reason = refusal(actor, spec, request)
        if reason:
            raise Forbidden(spec, reason)
        is_command = spec.kind == "command"
        command_id = command_id or (new_id() if is_command else None)
        try:
            reply = await self.client.call(
                spec, request, actor=actor, command_id=command_id, timeout=self.timeout_s
            )
        except ServiceUnavailable:
            if is_command and signed:
                await self.repo.audit(signed, spec.name, command_id, "unavailable")
            raise
        if is_command and signed:
            outcome = "ok" if reply.ok else reply.error.code
            await self.repo.audit(signed, spec.name, command_id, outcome)
        if not reply.ok:
            raise Refused(spec, reply.error)
        return reply.result

    def may(self, signed: SignedIn | None, name: str) -> bool:
        """Whether the signed-in role may use the operation at all (for links and buttons)."""
        actor = signed.actor if signed else PUBLIC
        return refusal(actor, operation(name)) is None
