"""A service: its commands, queries and event handlers, wired to NATS and PostgreSQL the same
way for every service. A service module builds a `Service` from its contracts and handler
tables (see `kit/registration.py` and `docs/new-service.md`) and calls `main()`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from uuid import UUID

import asyncpg
import uvloop
from nats.aio.client import Client
from nats.js import JetStreamContext

from contracts import Actor, Contract, Naming, OperationSpec, ServiceContracts, new_id

from .consumer import DurableConsumer
from .db import KIT_MIGRATIONS, Component, MigrationError, create_pool, migrate
from .handlers import BatchCommandHandler, CommandHandler, EventHandler, QueryHandler
from .http import HealthServer
from .logging import configure_logging, get_logger
from .metrics import Metrics
from .nats import StreamError, connect, ensure_stream
from .outbox import OutboxRelay
from .registration import Consumer, register
from .requests import RequestServer
from .retention import retention_job
from .settings import ServiceSettings
from .uow import UnitOfWork

log = get_logger(__name__)

BackgroundJob = Callable[["Service"], Awaitable[None]]


async def ensure_service_stream(
    nc: Client, naming: Naming, contracts: ServiceContracts, settings: ServiceSettings
) -> None:
    if contracts.events:
        await ensure_stream(
            nc,
            naming.stream(contracts.service),
            naming.entity_subjects(contracts.service, contracts.entities()),
            settings,
        )


class Service:
    """One service on the kit: its contracts, its handler tables and its migrations.

    - `migrations`: the folder of the service's own numbered SQL files.
    - `components`: shared components whose migrations run before the service's, in order
      (e.g. the ledger: `components=(ledger.COMPONENT,)`).
    - `commands`, `batch_commands`, `queries`: `{OPERATION_SPEC: handler}`, every operation the
      contracts declare exactly once (see `kit/registration.py`).
    - `events`: `{"consumer-name": {EventModel: handler}}`, one durable consumer per name.
    - `jobs`: background jobs (`async def job(service)`) run by the `jobs` role.

    Raises RegistrationError when the tables do not match the contracts.
    """

    def __init__(
        self,
        contracts: ServiceContracts,
        migrations: Path | None = None,
        settings: ServiceSettings | None = None,
        *,
        commands: Mapping[OperationSpec, CommandHandler] | None = None,
        batch_commands: Mapping[OperationSpec, BatchCommandHandler] | None = None,
        queries: Mapping[OperationSpec, QueryHandler] | None = None,
        events: Mapping[str, Mapping[type[Contract], EventHandler]] | None = None,
        components: Sequence[Component] = (),
        jobs: Sequence[BackgroundJob] = (),
    ):
        self.contracts = contracts
        self.name = contracts.service
        self.migrations = migrations
        self.components = tuple(components)
        self.settings = settings or ServiceSettings()
        self.naming = Naming(self.settings.namespace)
        self.metrics = Metrics(self.name)
        registration = register(contracts, commands, batch_commands, queries, events)
        self._commands = registration.commands
        self._batch_commands = registration.batch_commands
        self._queries = registration.queries
        self.consumer_declarations: dict[str, Consumer] = registration.consumers
        self._jobs: list[BackgroundJob] = [retention_job, *jobs]
        self._tasks: list[asyncio.Task] = []
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self.pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[DurableConsumer] = []
        self.requests: RequestServer | None = None
        self.http: HealthServer | None = None
        self.http_port: int | None = None
        self._stopped = asyncio.Event()

    @contextlib.asynccontextmanager
    async def unit_of_work(self, actor: Actor, correlation_id: UUID | None = None):
        """A transaction for work the service starts itself (e.g. a sweep): state and events
        commit together, as in a command."""
        assert self.pool is not None, "the service is not started"
        async with self.pool.acquire() as conn, conn.transaction():
            uow = UnitOfWork(conn, self.contracts, self.naming, actor, correlation_id or new_id())
            yield uow
            await uow.flush()

    # -- running ----------------------------------------------------------------------------

    @property
    def dsn(self) -> str:
        return self.settings.db_url(self.name)

    async def start(self) -> None:
        s = self.settings
        self.nc = await connect(s, f"{self.name}")
        self.js = self.nc.jetstream(timeout=10)
        self.pool = await create_pool(self.dsn, s.db_pool_min, s.db_pool_max, s.connect_timeout_s)
        async with self.pool.acquire() as conn:
            await migrate(conn, self.migration_components())
        await ensure_stream(self.nc, self.naming.dlq_stream(), self.naming.dlq_subjects(), s)
        await ensure_service_stream(self.nc, self.naming, self.contracts, s)
        self.relay = OutboxRelay(
            self.pool,
            self.nc,
            self.js,
            self.dsn,
            self.naming.stream(self.name) if self.contracts.events else "",
            self.metrics,
            batch=s.relay_batch,
            lanes=s.relay_lanes,
            lease_s=s.relay_lease_s,
            poll_s=s.relay_poll_s,
            retry_s=s.relay_retry_s,
        )
        if self.relaying:
            self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        for declared in self.consumer_declarations.values():
            if "consumers" not in s.roles:
                break
            await ensure_service_stream(self.nc, self.naming, declared.source, s)
            consumer = DurableConsumer(
                service=self.name,
                declaration=declared,
                own_contracts=self.contracts,
                nc=self.nc,
                js=self.js,
                pool=self.pool,
                naming=self.naming,
                settings=s,
                metrics=self.metrics,
            )
            await consumer.start()
            self.consumers.append(consumer)
        self.requests = RequestServer(
            roles=s.roles,
            contracts=self.contracts,
            commands=self._commands,
            batch_commands=self._batch_commands,
            queries=self._queries,
            nc=self.nc,
            pool=self.pool,
            naming=self.naming,
            settings=s,
            metrics=self.metrics,
        )
        await self.requests.start()
        for job in self._jobs if "jobs" in s.roles else ():
            self._tasks.append(asyncio.create_task(self._guard(job), name=job.__name__))
        self.http = HealthServer(s.http_host, s.http_port, self.metrics, self.readiness)
        self.http_port = await self.http.start()
        # Everything built at start-up lives as long as the process: keep it out of the
        # collector's way, so full collections stay short and do not stall requests.
        gc.collect()
        gc.freeze()
        log.info(
            "service started",
            http=f"http://{s.http_host}:{self.http_port}",
            commands=sorted({*self._commands, *self._batch_commands}),
            queries=sorted(self._queries),
            consumers=sorted(self.consumer_declarations),
            roles=sorted(s.roles),
        )

    def migration_components(self) -> list[Component]:
        """What the migration runner applies, in order: the kit's tables, the components',
        then the service's own."""
        found = [Component("kit", KIT_MIGRATIONS), *self.components]
        if self.migrations:
            found.append(Component(self.name, self.migrations))
        return found

    @property
    def relaying(self) -> bool:
        return bool(self.contracts.events) and "relay" in self.settings.roles

    async def _guard(self, job: BackgroundJob) -> None:
        """Keep a background job alive: log and restart it if it fails."""
        while True:
            try:
                await job(self)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job failed; restarting", job=job.__name__)
                await asyncio.sleep(1.0)

    async def readiness(self) -> dict[str, bool]:
        db_ok = False
        if self.pool is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    db_ok = await self.pool.fetchval("SELECT true")
        return {
            "nats": bool(self.nc and self.nc.is_connected),
            "database": bool(db_ok),
            "outbox_relay": bool(not self.relaying or (self.relay and self.relay.running)),
            "consumers": all(c.running for c in self.consumers),
            "requests": bool(self.requests and self.requests.running),
        }

    async def stop(self) -> None:
        """Drain: stop taking work, finish what was taken, publish what was committed."""
        log.info("service stopping")
        if self.requests:
            await self.requests.stop()
        for consumer in self.consumers:
            await consumer.stop()
        for task in self._tasks:
            if task.get_name() != "outbox-relay":
                task.cancel()
        if self.relay and self.relaying:
            await self.relay.stop()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.http:
            await self.http.stop()
        if self.nc:
            with contextlib.suppress(Exception):
                await self.nc.drain()
        if self.pool:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.pool.close(), timeout=5)
        self._stopped.set()
        log.info("service stopped")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        await stop.wait()
        await self.stop()

    def main(self) -> None:
        configure_logging(self.name, self.settings.log_level, self.settings.log_format)
        try:
            # uvloop: the event loop asyncpg is built and benchmarked for
            uvloop.run(self.run())
        except (ConnectionError, MigrationError, StreamError) as exc:
            log.error("cannot start", error=str(exc))
            raise SystemExit(1) from None
