"""Durable pull consumers with an idempotent inbox and dead-lettering.

Every replica of a service binds to the same durable consumer, so JetStream spreads the
messages over them. A fetched batch is applied in one transaction: for each event the inbox row
(consumer, event_id) and the handler's effects commit together, and the messages are acked only
after the commit. If any handler in the batch raises, the batch is rolled back and each event is
retried in a transaction of its own, so one bad event does not hold back the others. An event
whose handler keeps failing is redelivered with a delay up to `max_deliver` times, then
dead-lettered; an event that fails its contract is dead-lettered at once. Both are then acked:
the consumer always goes on with the next message.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from dataclasses import dataclass

import asyncpg
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from pydantic import ValidationError

from contracts import (
    DeadLetter,
    Event,
    EventRegistry,
    Naming,
    ServiceContracts,
    UnknownMessage,
    describe_validation_error,
)

from . import inbox
from .logging import correlation, get_logger
from .metrics import Metrics
from .nats import ensure_consumer
from .outbox import OutgoingEvent, write_events
from .registration import Consumer
from .settings import ServiceSettings
from .uow import UnitOfWork

log = get_logger(__name__)


class RetryLater(Exception):
    """The event cannot be applied yet (e.g. it arrived before what it depends on)."""


@dataclass
class _Outcome:
    msg: Msg
    event: Event | None = None
    status: str = "pending"  # ok | duplicate | failed
    error: BaseException | None = None


async def dead_letter(
    js: JetStreamContext,
    naming: Naming,
    service: str,
    consumer: str,
    reason: str,
    error: str,
    subject: str,
    payload: bytes,
    headers: dict[str, str] | None,
    stream: str | None,
    sequence: int | None,
    deliveries: int | None,
) -> None:
    """Publish the message and why it failed to `dlq.<service>`; dedup by stream position."""
    try:
        text, encoding = payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(payload).decode(), "base64"
    letter = DeadLetter(
        service=service,
        consumer=consumer,
        reason=reason,
        error=error[:4000],
        subject=subject,
        stream=stream,
        stream_sequence=sequence,
        deliveries=deliveries,
        headers={k: str(v) for k, v in (headers or {}).items()},
        payload=text,
        payload_encoding=encoding,
    )
    msg_id = f"dlq:{consumer}:{stream}:{sequence}" if sequence is not None else None
    await js.publish(
        naming.dlq_subject(service),
        letter.model_dump_json().encode(),
        stream=naming.dlq_stream(),
        headers={"Nats-Msg-Id": msg_id} if msg_id else None,
    )


class DurableConsumer:
    def __init__(
        self,
        *,
        service: str,
        declaration: Consumer,
        own_contracts: ServiceContracts,
        nc: Client,
        js: JetStreamContext,
        pool: asyncpg.Pool,
        naming: Naming,
        settings: ServiceSettings,
        metrics: Metrics,
    ):
        self.service, self.name = service, declaration.name
        self.source = declaration.source
        # By type and version: a version this consumer has no handler for is dead-lettered
        # at once with that reason, never retried.
        self.handlers = {(s.type, s.version): h for s, h in declaration.handlers.items()}
        self.event_types = declaration.event_types
        self.own_contracts = own_contracts
        self.nc, self.js, self.pool, self.naming = nc, js, pool, naming
        self.settings, self.metrics = settings, metrics
        self.registry = EventRegistry(specs=declaration.handlers)
        self.stream = naming.stream(self.source.service)
        self.durable = naming.durable(service, self.name)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._advisories = None
        self._busy = False
        self.running = False

    async def start(self) -> None:
        filters = sorted(self.naming.event_subject(t) for t in self.event_types)
        await ensure_consumer(self.js, self.stream, self.durable, filters, self.settings)
        await self.nc.flush()
        self._sub = await self.js.pull_subscribe_bind(self.durable, self.stream)
        # The server gives up on a message after max_deliver (e.g. it crashed every replica
        # that took it); its advisory is the last trace, so it is dead-lettered from there.
        self._advisories = await self.nc.subscribe(
            f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{self.stream}.{self.durable}",
            queue=f"{self.durable}-advisories",
            cb=self._on_max_deliveries,
        )
        self._task = asyncio.create_task(self._loop(), name=f"consumer:{self.durable}")
        self.running = True
        log.info("consumer started", consumer=self.durable, stream=self.stream, filters=filters)

    async def stop(self) -> None:
        self._stopping.set()
        if self._task and not self._busy:
            self._task.cancel()  # waiting in fetch: nothing taken yet, nothing to finish
        if self._task:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, timeout=self.settings.shutdown_grace_s)
        if self._advisories is not None:
            with contextlib.suppress(Exception):
                await self._advisories.unsubscribe()
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()
        self.running = False

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                msgs = await self._sub.fetch(self.settings.fetch_batch, timeout=1.0)
            except (NatsTimeoutError, TimeoutError):
                continue
            except Exception as exc:  # connection trouble: the client reconnects; wait and go on
                log.warning("fetch failed", consumer=self.durable, error=repr(exc))
                await asyncio.sleep(1.0)
                continue
            self._busy = True
            try:
                await self.handle_batch(msgs)
            except Exception:
                # Unacked messages come back after ack_wait; the loop must never die.
                log.exception("batch failed", consumer=self.durable, size=len(msgs))
                await asyncio.sleep(1.0)
            finally:
                self._busy = False

    async def handle_batch(self, msgs: list[Msg]) -> None:
        started = time.perf_counter()
        outcomes: list[_Outcome] = []
        for msg in msgs:
            try:
                event = self.registry.parse(msg.data)
            except (ValidationError, UnknownMessage) as exc:
                problem = (
                    describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
                )
                await self._dead_letter(msg, "invalid_message", problem)
                continue
            outcomes.append(_Outcome(msg=msg, event=event))
        if not outcomes:
            return
        heartbeat = asyncio.create_task(self._keep_alive([o.msg for o in outcomes]))
        try:
            if not await self._apply_together(outcomes):
                for outcome in outcomes:
                    await self._apply_alone(outcome)
        finally:
            heartbeat.cancel()
        elapsed = time.perf_counter() - started
        for outcome in outcomes:
            await self._settle(outcome)
        self.metrics.handler_latency.labels("event", self.name).observe(elapsed / len(outcomes))

    async def _apply_together(self, outcomes: list[_Outcome]) -> bool:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                # One statement records the whole batch in the inbox; what it does not return
                # was handled before (or appears twice in this batch).
                new = await inbox.record(conn, self.durable, [o.event.event_id for o in outcomes])
                events = []
                for outcome in outcomes:
                    if outcome.event.event_id in new:
                        new.discard(outcome.event.event_id)
                        events += await self._apply(conn, outcome, recorded=True)
                    else:
                        outcome.status = "duplicate"
                await write_events(conn, events)  # what the handlers emitted, in one insert
        except Exception as exc:
            if len(outcomes) > 1:
                log.info("batch rolled back; applying one by one", error=repr(exc))
            else:
                outcomes[0].status, outcomes[0].error = "failed", exc
                return True
            for outcome in outcomes:
                outcome.status = "pending"
            return False
        return True

    async def _apply_alone(self, outcome: _Outcome) -> None:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                await write_events(conn, await self._apply(conn, outcome))
        except Exception as exc:
            outcome.status, outcome.error = "failed", exc

    async def _apply(
        self, conn: asyncpg.Connection, outcome: _Outcome, recorded: bool = False
    ) -> list[OutgoingEvent]:
        """Run the handler; return the events it emitted, for the caller to write."""
        event = outcome.event
        assert event is not None
        if not recorded:
            if not await inbox.record_one(conn, self.durable, event.event_id):
                outcome.status = "duplicate"
                return []
        uow = UnitOfWork(
            conn,
            self.own_contracts,
            self.naming,
            actor=event.actor,
            correlation_id=event.correlation_id,
            causation_id=event.event_id,
        )
        with correlation(event.correlation_id, event_id=event.event_id, consumer=self.durable):
            await self.handlers[(event.type, event.version)](uow, event)
        outcome.status = "ok"
        return uow.pending

    async def _settle(self, outcome: _Outcome) -> None:
        msg = outcome.msg
        if outcome.status in ("ok", "duplicate"):
            await msg.ack()
            metric = (
                self.metrics.messages_handled
                if outcome.status == "ok"
                else self.metrics.messages_duplicate
            )
            metric.labels(self.name).inc()
            return
        self.metrics.messages_failed.labels(self.name).inc()
        deliveries = msg.metadata.num_delivered
        error = repr(outcome.error)
        event = outcome.event
        with correlation(event.correlation_id if event else "-", consumer=self.durable):
            if deliveries >= self.settings.max_deliver:
                await self._dead_letter(msg, "handler_failed", error)
                return
            delays = self.settings.retry_delays_s or (1.0,)
            delay = delays[min(deliveries - 1, len(delays) - 1)]
            log.warning(
                "handler failed; will retry",
                event_id=str(event.event_id) if event else None,
                delivery=deliveries,
                retry_in_s=delay,
                error=error,
            )
            await msg.nak(delay=delay)

    async def _dead_letter(self, msg: Msg, reason: str, error: str) -> None:
        md = msg.metadata
        await dead_letter(
            self.js,
            self.naming,
            self.service,
            self.durable,
            reason,
            error,
            msg.subject,
            msg.data,
            msg.headers,
            md.stream,
            md.sequence.stream,
            md.num_delivered,
        )
        await msg.ack()
        self.metrics.messages_dead_lettered.labels(self.name, reason).inc()
        log.error(
            "message dead-lettered",
            consumer=self.durable,
            reason=reason,
            error=error,
            stream_sequence=md.sequence.stream,
            deliveries=md.num_delivered,
        )

    async def _on_max_deliveries(self, advisory: Msg) -> None:
        try:
            info = json.loads(advisory.data)
            sequence = int(info["stream_seq"])
            stored = await self.js.get_msg(self.stream, sequence)
            await dead_letter(
                self.js,
                self.naming,
                self.service,
                self.durable,
                "max_deliveries_exceeded",
                f"not acknowledged after {info.get('deliveries')} deliveries",
                stored.subject,
                stored.data or b"",
                stored.headers,
                self.stream,
                sequence,
                info.get("deliveries"),
            )
            self.metrics.messages_dead_lettered.labels(self.name, "max_deliveries_exceeded").inc()
            log.error(
                "message dead-lettered",
                consumer=self.durable,
                stream_sequence=sequence,
                reason="max_deliveries_exceeded",
            )
        except Exception:
            log.exception("could not dead-letter after max deliveries", consumer=self.durable)

    async def _keep_alive(self, msgs: list[Msg]) -> None:
        """Tell the server a long batch is still being worked on, so it does not redeliver."""
        interval = max(self.settings.ack_wait_s / 3, 0.5)
        while True:
            await asyncio.sleep(interval)
            for msg in msgs:
                with contextlib.suppress(Exception):
                    await msg.in_progress()
