"""Commands and queries over request/reply, with queue groups so any replica may answer.

Commands are idempotent by `command_id`: the reply is stored with the effects in one transaction
and a repeated id gets the stored reply, byte for byte, without a second effect. Commands that
arrive together are applied in one transaction (each in a savepoint) and answered after the
commit, which is how a service gets near the database's raw transaction rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from pydantic import ValidationError

from contracts import (
    Actor,
    Command,
    Contract,
    Error,
    Naming,
    OperationSpec,
    Query,
    Refusal,
    Refused,
    ServiceContracts,
    describe_validation_error,
    new_id,
)

from . import processed
from .handlers import BatchCommandHandler, CommandHandler, QueryContext, QueryHandler
from .logging import correlation, get_logger
from .metrics import Metrics
from .settings import ServiceSettings
from .uow import UnitOfWork

__all__ = ["QueryContext", "RequestServer"]

log = get_logger(__name__)


def _header_id(msg: Msg) -> UUID | None:
    """The correlation id a caller put in the `Correlation-Id` header, if it is a UUID."""
    value = (msg.headers or {}).get("Correlation-Id")
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


class _BatchAborted(Exception):
    """A shared batch without savepoints failed: roll it all back, retry one by one."""


_PROBE = "_reachable"  # not a valid operation name: no contract can take it
_PROBE_REPLY = b'{"ok":true,"result":{}}'

_RETRYABLE = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.LockNotAvailableError,
)


@dataclass
class _Pending:
    msg: Msg
    spec: OperationSpec
    command: Command
    request_hash: bytes
    received: float
    reply: bytes | None = None
    outcome: str = "pending"
    events: list = field(default_factory=list)
    waiters: list[_Pending] = field(default_factory=list)


def _reply_refused(error: Error) -> bytes:
    return Refused(error=error).model_dump_json().encode()


class RequestServer:
    def __init__(
        self,
        *,
        roles: frozenset[str] = frozenset({"commands", "queries"}),
        contracts: ServiceContracts,
        commands: dict[str, CommandHandler],
        batch_commands: dict[str, BatchCommandHandler],
        queries: dict[str, QueryHandler],
        nc: Client,
        pool: asyncpg.Pool,
        naming: Naming,
        settings: ServiceSettings,
        metrics: Metrics,
    ):
        self.roles = roles
        self.contracts, self.commands, self.queries = contracts, commands, queries
        self.batch_commands = batch_commands
        self.nc, self.pool, self.naming = nc, pool, naming
        self.settings, self.metrics = settings, metrics
        self.service = contracts.service
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._workers: list[asyncio.Task] = []
        self._query_slots = asyncio.Semaphore(
            max(settings.db_pool_max - settings.command_workers, 1)
        )
        self._query_tasks: set[asyncio.Task] = set()
        self._releases: set[asyncio.Task] = set()
        self._subs: list = []
        self.running = False

    async def start(self) -> None:
        group = self.naming.queue_group(self.service)
        self._subs = []
        if "commands" in self.roles:
            self._subs.append(
                await self.nc.subscribe(
                    self.naming.command(self.service, "*"), queue=group, cb=self._on_command
                )
            )
        if "queries" in self.roles:
            self._subs.append(
                await self.nc.subscribe(
                    self.naming.query(self.service, "*"), queue=group, cb=self._on_query
                )
            )
        await self.nc.flush()
        await self._reachable()
        self._workers = [
            asyncio.create_task(self._work(), name=f"commands:{i}")
            for i in range(self.settings.command_workers)
        ]
        self.running = True

    async def _reachable(self, timeout_s: float = 10.0) -> None:
        """Ready means a request through NATS reaches us. A flushed wildcard subscription is
        not always matched at once (measured on nats-server 2.12.8, 2.14.6 and 2.15.1: about
        1 request in 20 sent right after it got "no responders"); one round trip through the
        server closes that gap before the service says it is ready."""
        subjects = []
        if "commands" in self.roles:
            subjects.append(self.naming.command(self.service, _PROBE))
        if "queries" in self.roles:
            subjects.append(self.naming.query(self.service, _PROBE))
        deadline = time.monotonic() + timeout_s
        for subject in subjects:
            while True:
                try:
                    await self.nc.request(subject, b"", timeout=1)
                    break
                except (NoRespondersError, NatsTimeoutError):
                    if time.monotonic() > deadline:
                        raise ConnectionError(f"{subject} is not reachable through NATS") from None
                    await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Stop taking requests, answer those already taken, then stop the workers."""
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.drain()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.settings.shutdown_grace_s):
                await self._queue.join()
                while self._query_tasks:
                    await asyncio.sleep(0.02)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)
        self.running = False

    # -- commands ---------------------------------------------------------------------------

    @staticmethod
    def _operation_name(msg: Msg) -> str:
        return msg.subject.rsplit(".", 1)[-1]

    async def _on_command(self, msg: Msg) -> None:
        name = self._operation_name(msg)
        if name == _PROBE:
            await self._respond(msg, _PROBE_REPLY)
            return
        spec = self.contracts.operations.get(("command", name))
        if spec is None or (name not in self.commands and name not in self.batch_commands):
            await self._respond(
                msg, self._error("unknown_operation", name=f"{self.service}.cmd.{name}")
            )
            self.metrics.commands.labels(name, "unknown").inc()
            return
        try:
            command = spec.envelope().model_validate_json(msg.data)
        except ValidationError as exc:
            await self._respond(msg, self._invalid(exc))
            self.metrics.commands.labels(name, "invalid").inc()
            return
        if (refused := self._forbidden(spec, command.actor, command.data)) is not None:
            # Refused before any handler or transaction: nothing to store, and the same
            # command sent again is refused the same way.
            await self._respond(msg, refused)
            self.metrics.commands.labels(name, "forbidden").inc()
            return
        # Same id, other content: the caller reused an id by mistake; say so rather than
        # returning a reply that belongs to a different request.
        request_hash = hashlib.sha256(
            b"\0".join(
                (
                    name.encode(),
                    command.actor.model_dump_json().encode(),
                    command.data.model_dump_json().encode(),
                )
            )
        ).digest()
        self._queue.put_nowait(_Pending(msg, spec, command, request_hash, time.perf_counter()))

    async def _work(self) -> None:
        while True:
            first = await self._queue.get()
            batch = [first]
            while len(batch) < self.settings.command_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._run_batch(batch)
            except Exception:
                log.exception("command batch failed")
                for item in batch:
                    if item.reply is None:
                        item.reply = self._error("internal_error")
                        item.outcome = "error"
            finally:
                for item in batch:
                    await self._finish(item)
                    self._queue.task_done()

    async def _run_batch(self, batch: list[_Pending]) -> None:
        # Within one batch the second of two equal ids waits for the first's reply.
        unique: dict[UUID, _Pending] = {}
        for item in batch:
            head = unique.get(item.command.command_id)
            if head is None:
                unique[item.command.command_id] = item
            else:
                head.waiters.append(item)
        todo = list(unique.values())
        conn = None
        try:
            conn = await self.pool.acquire()
            async with conn.transaction():
                retry = await self._apply(conn, todo, shared=True)
        except _BatchAborted:
            retry = [item for item in todo if item.outcome != "error"]
        except Exception as exc:
            # The commit (or the connection) failed: nothing of this batch happened.
            log.warning("command batch rolled back", error=repr(exc), size=len(todo))
            retry = [item for item in todo if item.outcome != "error"]
        finally:
            if conn is not None:
                self._release_later(conn)
        self.metrics.command_batch_size.observe(len(todo))
        self.metrics.command_retries.inc(len(retry))
        for item in retry:
            await self._retry_alone(item)
        for item in todo:
            for waiter in item.waiters:
                if waiter.request_hash == item.request_hash:
                    waiter.reply, waiter.outcome = item.reply, "repeat"
                else:
                    waiter.reply, waiter.outcome = self._error("command_id_reused"), "invalid"

    def _release_later(self, conn: asyncpg.Connection) -> None:
        """Give the connection back while the replies go out: the pool's reset is a round trip
        that no caller needs to wait for."""
        task = asyncio.create_task(self.pool.release(conn))
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    async def _retry_alone(self, item: _Pending) -> None:
        for attempt in range(3):
            item.reply, item.outcome = None, "pending"
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    retry = await self._apply(conn, [item])
            except Exception as exc:
                log.warning("command failed alone", error=repr(exc), attempt=attempt)
                retry = [item]
            if not retry:
                return
            await asyncio.sleep(0.01 * (attempt + 1))
        item.reply, item.outcome = self._error("conflict"), "error"

    async def _apply(
        self, conn: asyncpg.Connection, items: list[_Pending], shared: bool = False
    ) -> list[_Pending]:
        """Apply commands in the caller's transaction, each in a savepoint; set their replies
        (valid once the transaction commits) and return those to try again on their own.

        In a `shared` batch no command waits long for a row lock: another batch holding it
        would make every command here wait (a convoy), and two batches waiting on each other
        would deadlock. A command that cannot get its locks within `batch_lock_timeout_ms` is
        rolled back to its savepoint and retried on its own afterwards, where it may wait."""
        lock_timeout = f"{self.settings.batch_lock_timeout_ms}ms" if shared else "0"
        # A batch handler locks its rows in one sorted statement per table, and all of them
        # lock tables in the same order, so batches of several workers or replicas can only
        # queue behind each other, never deadlock: they may wait.
        group_wait = "2000ms" if shared else "0"
        # A batch of one batch handler's commands runs bare (see below): its lock timeout is
        # set with the claim, which saves a round trip.
        names = {i.spec.name for i in items}
        one_group = shared and len(names) == 1 and names <= self.batch_commands.keys()
        # Claim each command id with a placeholder row, all in one statement. An id that is
        # there already was answered before; if another replica is answering it right now, the
        # insert waits for that transaction, so its reply is then there to read.
        claimed = await processed.claim(
            conn,
            [i.command.command_id for i in items],
            [i.spec.name for i in items],
            [i.request_hash for i in items],
            group_wait if one_group else lock_timeout,
        )
        repeats = [i for i in items if i.command.command_id not in claimed]
        if repeats:
            await self._answer_repeats(conn, repeats)
        events, stored, released, retry = [], [], [], []
        fresh = [i for i in items if i.command.command_id in claimed]
        # Operations with a batch handler go first, one call per operation: their rows are
        # then locked before anything else in this transaction.
        groups: dict[str, list[_Pending]] = {}
        singles: list[_Pending] = []
        for item in fresh:
            if item.spec.name in self.batch_commands:
                groups.setdefault(item.spec.name, []).append(item)
            else:
                singles.append(item)
        units: list[tuple[list[_Pending], object, str]] = [
            (g, self._execute_batch, group_wait) for g in groups.values()
        ] + [([i], self._execute_one, lock_timeout) for i in singles]
        # A batch handler writes nothing for what it refuses, so a shared batch that is one
        # batch handler's call needs no savepoint: if that call fails, the whole transaction
        # is rolled back and its commands are retried one by one.
        bare = shared and len(units) == 1 and units[0][1] == self._execute_batch
        savepoint = "SAVEPOINT command"
        for members, run, wait in units:
            if bare:
                if not one_group:
                    await conn.execute(f"SET LOCAL lock_timeout = '{wait}'")
            else:  # the savepoint and the lock timeout in one round trip
                await conn.execute(f"{savepoint}; SET LOCAL lock_timeout = '{wait}'")
                savepoint = "RELEASE SAVEPOINT command; SAVEPOINT command"
            outcome = await run(conn, members)
            if outcome is None:
                for item in members:
                    events.extend(item.events)
                    stored.append(item)
                continue
            if bare:
                raise _BatchAborted(outcome)
            await conn.execute("ROLLBACK TO SAVEPOINT command")
            if outcome == "refused":
                stored.extend(members)
                continue
            released.extend(i.command.command_id for i in members)
            if outcome == "retry":
                retry.extend(members)
        await processed.finish(
            conn,
            events,
            [(i.command.command_id, i.reply, i.outcome == "ok") for i in stored],
            released,
        )
        return retry

    async def _answer_repeats(self, conn: asyncpg.Connection, items: list[_Pending]) -> None:
        stored = await processed.answered(conn, [item.command.command_id for item in items])
        for item in items:
            row = stored.get(item.command.command_id)
            if row is None or row["reply"] is None:
                item.reply, item.outcome = self._error("conflict"), "error"
            elif (
                row["operation"] != item.spec.name
                or bytes(row["request_hash"]) != item.request_hash
            ):
                item.reply, item.outcome = self._error("command_id_reused"), "invalid"
            else:
                item.reply, item.outcome = bytes(row["reply"]), "repeat"

    def _unit_of_work(self, conn: asyncpg.Connection, item: _Pending) -> UnitOfWork:
        command = item.command
        return UnitOfWork(
            conn,
            self.contracts,
            self.naming,
            command.actor,
            command.correlation_id or _header_id(item.msg) or command.command_id,
            command.command_id,
        )

    def _succeeded(self, item: _Pending, uow: UnitOfWork, result: Contract) -> None:
        if not isinstance(result, item.spec.result):
            raise TypeError(
                f"{item.spec.name} returned {type(result).__name__}, "
                f"not {item.spec.result.__name__}"
            )
        item.events = uow.pending
        item.reply = item.spec.ok(result=result).model_dump_json().encode()
        item.outcome = "ok"

    async def _execute_batch(self, conn: asyncpg.Connection, items: list[_Pending]) -> str | None:
        """One call of a batch handler for every command of its operation in this batch. It
        decides each command in order, in memory, then writes what was decided; a refused
        command writes nothing. If it fails, the commands are tried again one by one."""
        name = items[0].spec.name
        uows = [self._unit_of_work(conn, item) for item in items]
        with correlation(uows[0].correlation_id, operation=name, batch=len(items)):
            try:
                results = await self.batch_commands[name](
                    conn, list(zip(uows, (i.command.data for i in items), strict=True))
                )
            except _RETRYABLE as exc:
                log.info("command batch will be retried one by one", error=repr(exc))
                return "retry"
            except Refusal as refusal:
                if len(items) > 1:
                    return "retry"
                items[0].reply, items[0].outcome = self._refusal(refusal), "refused"
                return "refused"
            except Exception:
                if len(items) > 1:
                    log.exception("batch handler failed; retrying its commands one by one")
                    return "retry"
                log.exception("command handler failed")
                items[0].reply, items[0].outcome = self._error("internal_error"), "error"
                return "error"
        if len(results) != len(items):
            raise RuntimeError(f"{name}: {len(results)} results for {len(items)} commands")
        for item, uow, result in zip(items, uows, results, strict=True):
            if isinstance(result, Refusal):
                item.reply, item.outcome = self._refusal(result), "refused"
            else:
                self._succeeded(item, uow, result)
        return None

    async def _execute_one(self, conn: asyncpg.Connection, items: list[_Pending]) -> str | None:
        """Run the handler; None when it succeeded, else "refused", "retry" or "error"."""
        item = items[0]
        command = item.command
        uow = self._unit_of_work(conn, item)
        with correlation(
            uow.correlation_id, command_id=command.command_id, operation=item.spec.name
        ):
            try:
                result = await self.commands[item.spec.name](uow, command.data)
                self._succeeded(item, uow, result)
            except Refusal as refusal:
                item.reply, item.outcome = self._refusal(refusal), "refused"
                return "refused"
            except _RETRYABLE as exc:
                log.info("command will be retried", error=repr(exc))
                return "retry"
            except Exception:
                log.exception("command handler failed")
                item.reply, item.outcome = self._error("internal_error"), "error"
                return "error"
        return None

    async def _finish(self, item: _Pending) -> None:
        await self._respond(item.msg, item.reply or self._error("internal_error"))
        self.metrics.commands.labels(item.spec.name, item.outcome).inc()
        self.metrics.handler_latency.labels("command", item.spec.name).observe(
            time.perf_counter() - item.received
        )

    # -- queries ----------------------------------------------------------------------------

    async def _on_query(self, msg: Msg) -> None:
        task = asyncio.create_task(self._answer_query(msg))
        self._query_tasks.add(task)
        task.add_done_callback(self._query_tasks.discard)

    async def _answer_query(self, msg: Msg) -> None:
        name = self._operation_name(msg)
        if name == _PROBE:
            await self._respond(msg, _PROBE_REPLY)
            return
        spec = self.contracts.operations.get(("query", name))
        started = time.perf_counter()
        if spec is None or name not in self.queries:
            await self._respond(
                msg, self._error("unknown_operation", name=f"{self.service}.q.{name}")
            )
            self.metrics.commands.labels(name, "unknown").inc()
            return
        try:
            query: Query = spec.envelope().model_validate_json(msg.data)
        except ValidationError as exc:
            await self._respond(msg, self._invalid(exc))
            self.metrics.commands.labels(name, "invalid").inc()
            return
        if (refused := self._forbidden(spec, query.actor, query.data)) is not None:
            await self._respond(msg, refused)
            self.metrics.commands.labels(name, "forbidden").inc()
            return
        correlation_id = query.correlation_id or _header_id(msg) or new_id()
        outcome = "ok"
        with correlation(correlation_id, operation=name):
            try:
                async with self._query_slots, self.pool.acquire() as conn:
                    async with conn.transaction(readonly=True, isolation="repeatable_read"):
                        result = await self.queries[name](
                            QueryContext(conn, query.actor, correlation_id), query.data
                        )
                reply = spec.ok(result=result).model_dump_json().encode()
            except Refusal as refusal:
                reply, outcome = self._refusal(refusal), "refused"
            except Exception:
                log.exception("query failed")
                reply, outcome = self._error("internal_error"), "error"
        await self._respond(msg, reply)
        self.metrics.commands.labels(name, outcome).inc()
        self.metrics.handler_latency.labels("query", name).observe(time.perf_counter() - started)

    # -- replies ----------------------------------------------------------------------------

    def _forbidden(self, spec: OperationSpec, actor: Actor, data: Contract) -> bytes | None:
        """The refusal when the operation's policy does not admit `actor` for `data`."""
        why = spec.policy.refusal(actor, data)
        if why is None:
            return None
        return self._error(spec.policy.code, {"reason": why})

    def _refusal(self, refusal: Refusal) -> bytes:
        if refusal.code not in self.contracts.errors:
            log.error("refusal with an unregistered code", code=refusal.code)
            return self._error("internal_error")
        return _reply_refused(
            self.contracts.errors.error(refusal.code, refusal.details, **refusal.fmt)
        )

    def _error(self, code: str, details: dict | None = None, **fmt: object) -> bytes:
        return _reply_refused(self.contracts.errors.error(code, details, **fmt))

    def _invalid(self, exc: ValidationError) -> bytes:
        problem = describe_validation_error(exc)
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        return _reply_refused(
            self.contracts.errors.error("invalid_message", {"errors": errors}, problem=problem)
        )

    async def _respond(self, msg: Msg, data: bytes) -> None:
        if not msg.reply:
            return
        try:
            await msg.respond(data)
        except Exception as exc:  # the caller went away; the effect stands and is stored
            log.warning("could not reply", error=repr(exc))
