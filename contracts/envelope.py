"""Envelopes around every event, command and reply.

Events are past-tense facts with one owner; commands are requests that may be refused; every
reply is either a result or an error with a stable code and a message in Dutch and English.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import Field, StringConstraints

from .types import Actor, Contract, UtcDateTime, UUIDv7, new_id, utc_now

Payload = TypeVar("Payload", bound=Contract)

EventType = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
]
"""`<service>.<entity>.<event>`, past tense, e.g. `timebank.transfer.posted`."""


class Event(Contract, Generic[Payload]):
    """An integration event: a fact that happened, as published on JetStream."""

    event_id: UUIDv7 = Field(default_factory=new_id)
    type: EventType
    version: Annotated[int, Field(ge=1, le=1000)]
    occurred_at: UtcDateTime = Field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID | None = None
    actor: Actor
    data: Payload


class Command(Contract, Generic[Payload]):
    """A request to change state. Sending the same `command_id` twice has the effect of once."""

    command_id: UUID
    actor: Actor
    correlation_id: UUID | None = None
    data: Payload


class Query(Contract, Generic[Payload]):
    """A request to read state; no effect, so no id is needed for idempotency."""

    actor: Actor
    correlation_id: UUID | None = None
    data: Payload


class Message(Contract):
    """The same text in every language the platform speaks."""

    nl: Annotated[str, StringConstraints(min_length=1)]
    en: Annotated[str, StringConstraints(min_length=1)]


class Error(Contract):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    message: Message
    details: dict[str, Any] = Field(default_factory=dict)


class Ok(Contract, Generic[Payload]):
    ok: Literal[True] = True
    result: Payload


class Refused(Contract):
    ok: Literal[False] = False
    error: Error


class Empty(Contract):
    """A command or query that needs no data, or a result that carries none."""


class DeadLetter(Contract):
    """What lands on `dlq.<service>`: why a message could not be handled, and the message itself."""

    service: str
    consumer: str
    reason: Literal["invalid_message", "handler_failed", "max_deliveries_exceeded"]
    error: str
    subject: str
    stream: str | None = None
    stream_sequence: int | None = None
    deliveries: int | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    payload: str
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    dead_lettered_at: UtcDateTime = Field(default_factory=utc_now)
