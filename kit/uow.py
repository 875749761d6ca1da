"""A unit of work: one transaction in which state changes and the events they cause commit
together (the outbox), so an event is published if and only if its state change happened."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from contracts import Actor, Contract, Event, Naming, ServiceContracts

from .outbox import OutgoingEvent, write_events


class UnitOfWork:
    """The handler's view of one transaction: `conn` (asyncpg, inside the transaction), the
    `actor` who caused the work, and `emit` for the events it causes."""

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

    def emit(self, data: Contract, actor: Actor | None = None) -> Event:
        """Record the event `data` (an instance of one of this service's event models; its type
        and version come from the model) to be published when this unit of work commits.
        Raises UnknownMessage if the model is no event of this service."""
        spec = self.contracts.spec_of(type(data))
        event = spec.envelope(
            type=spec.type,
            version=spec.version,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            actor=actor or self.actor,
            data=data,
        )
        self.pending.append(
            OutgoingEvent(
                event_id=event.event_id,
                subject=self.naming.event_subject(spec.type),
                headers={
                    "Correlation-Id": str(self.correlation_id),
                    "Event-Type": spec.type,
                    "Event-Version": str(spec.version),
                },
                payload=event.model_dump_json().encode(),
            )
        )
        return event

    async def flush(self) -> None:
        await write_events(self.conn, self.pending)
        self.pending.clear()
