"""A unit of work: one transaction in which state changes and the events they cause commit
together (the outbox), so an event is published if and only if its state change happened."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from contracts import Actor, Contract, Event, Naming, ServiceContracts

from .outbox import OutgoingEvent, write_events


class UnitOfWork:
    def __init__(
        self,
        conn: asyncpg.Connection,
        contracts: ServiceContracts,
        naming: Naming,
        actor: Actor,
        correlation_id: UUID,
        causation_id: UUID | None = None,
    ):
        self.conn = conn
        self.contracts = contracts
        self.naming = naming
        self.actor = actor
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self.pending: list[OutgoingEvent] = []

    def emit(
        self, name: str, data: Contract, version: int = 1, actor: Actor | None = None
    ) -> Event:
        """Record `<service>.<name>` to be published when this unit of work commits."""
        event_type = f"{self.contracts.service}.{name}"
        spec = self.contracts.event_spec(event_type, version)
        if type(data) is not spec.model:
            raise TypeError(
                f"{event_type} v{version} carries {spec.model.__name__}, not {type(data).__name__}"
            )
        event = spec.envelope(
            type=event_type,
            version=version,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            actor=actor or self.actor,
            data=data,
        )
        self.pending.append(
            OutgoingEvent(
                event_id=event.event_id,
                subject=self.naming.event_subject(event_type),
                headers={
                    "Correlation-Id": str(self.correlation_id),
                    "Event-Type": event_type,
                    "Event-Version": str(version),
                },
                payload=event.model_dump_json().encode(),
            )
        )
        return event

    async def flush(self) -> None:
        await write_events(self.conn, self.pending)
        self.pending.clear()
