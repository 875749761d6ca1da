"""Helpers for the notifications tests: time-bank events published straight to the stream (as
the time bank's relay would), staff contacts, and the local SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts import Actor, Contract, Event, Naming, new_id
from contracts.timebank import TIMEBANK, Party

COORDINATOR = Actor(role="coordinator", id="makelaar-k", scopes=("maastricht-west",))
COMMUNITY = "maastricht-west"
HOOD = "BU09350101"


class Publisher:
    """Publishes contract events to the time bank's stream with Nats-Msg-Id = event id."""

    def __init__(self, js, naming: Naming, contracts=TIMEBANK):
        self.js, self.naming, self.contracts = js, naming, contracts

    def event(self, data: Contract, actor: Actor = COORDINATOR) -> Event:
        spec = self.contracts.spec_of(type(data))
        return spec.envelope(
            type=spec.type, version=spec.version, correlation_id=new_id(), actor=actor, data=data
        )

    async def publish(self, data: Contract | Event, msg_id: str | None = None) -> Event:
        event = data if isinstance(data, Event) else self.event(data)
        await self.raw(event.type, event.model_dump_json().encode(), msg_id or str(event.event_id))
        return event

    async def raw(self, event_type: str, payload: bytes, msg_id: str | None = None) -> None:
        await self.js.publish(
            self.naming.event_subject(event_type),
            payload,
            stream=self.naming.stream(self.contracts.service),
            headers={"Nats-Msg-Id": msg_id or str(new_id())},
        )


def party(member_id: UUID) -> Party:
    return Party(member_id=member_id, kind="resident", neighbourhood=HOOD)


def confirm_by(days: float = 14) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def exchange(model, provider: UUID, receiver: UUID, **fields):
    """A time-bank exchange event of `model` between two members (the facts every exchange
    event carries, plus `fields`)."""
    return model(
        exchange_id=new_id(),
        community=COMMUNITY,
        unit="hour",
        provider=party(provider),
        receiver=party(receiver),
        **fields,
    )


def confirmed(provider: UUID, receiver: UUID, amount: int = 60, by: str = "receiver"):
    from contracts.timebank import ExchangeConfirmed

    return exchange(
        ExchangeConfirmed,
        provider,
        receiver,
        amount=amount,
        agreed_amount=amount,
        transfer_id=new_id(),
        confirmed_by=by,
    )


def cancelled(provider: UUID, receiver: UUID, reason: str = "weer ziek"):
    from contracts.timebank import ExchangeCancelled

    return exchange(
        ExchangeCancelled, provider, receiver, cancelled_by=str(provider), reason=reason
    )
