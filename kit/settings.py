"""Settings of a service, read from environment variables (prefix `VOORELKAAR_`)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOORELKAAR_", extra="ignore", frozen=True)

    # Where things are. Defaults match the embedded stack (`make run`).
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str | None = None
    nats_password: str | None = Field(default=None, repr=False)
    nats_token: str | None = Field(default=None, repr=False)
    nats_creds: str | None = None
    database_url: str | None = None
    """PostgreSQL URL of this service's own database; see `db_url`."""
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    """Where the embedded PostgreSQL of `voorelkaar run` listens (its `--pg-port`), for the
    default database URL."""
    namespace: str = ""
    """Prefix for every subject and stream, to run several communities or test runs on one NATS."""

    roles: frozenset[Literal["commands", "queries", "consumers", "relay", "jobs"]] = frozenset(
        {"commands", "queries", "consumers", "relay", "jobs"}
    )
    """What this process does. All by default; an operator may split them, e.g. replicas that
    answer commands and queries, and one process that relays the outbox and runs the jobs."""

    # Logging.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = "auto"

    # HTTP for health and metrics; port 0 picks a free one.
    http_host: str = "127.0.0.1"
    http_port: int = 0

    js_api_prefix: str = "$JS.API"
    # Streams. Replicas 3 in a NATS cluster; 1 on the embedded single server.
    stream_replicas: int = 1
    duplicate_window_s: float = 2 * 60 * 60
    """Longer than the outbox relay's retry span, so a re-publish is always recognised."""

    # Durable pull consumers.
    ack_wait_s: float = 30.0
    max_deliver: int = 5
    retry_delays_s: tuple[float, ...] = (1.0, 5.0, 15.0, 30.0)
    """Delay before redelivering an event whose handler failed, by delivery number."""
    max_ack_pending: int = 1000
    fetch_batch: int = 100

    # Outbox relay.
    relay_batch: int = 200
    """Events per atomic publish: large enough to amortise the write, small enough that
    building it never holds up the event loop for long."""
    relay_lanes: int = 2
    """Relay passes in flight at once, each on its own connection: one publishes while another
    waits for its PubAck."""
    relay_lease_s: float = 30.0
    relay_poll_s: float = 1.0
    relay_retry_s: float = 2.0

    # Commands and queries.
    command_batch: int = 64
    """Commands that arrive together share one transaction, up to this many."""
    command_workers: int = 1
    """Batches a replica applies at once, each on its own connection. One is fastest for the
    time bank (measured 2,450 confirmations/s with one worker and batches of 64, 1,400/s with
    three and batches of 32: concurrent batches queue on the same account rows); more may
    suit a service whose commands touch disjoint rows. Scale out with replicas."""
    batch_lock_timeout_ms: int = 20
    """How long a command in a shared batch may wait for a row lock before it is retried on
    its own. Without it, batches convoy behind each other's locks and deadlock (measured: 44
    transfers/s with 4 workers waiting freely, against 447/s with a single worker)."""
    db_pool_min: int = 2
    db_pool_max: int = 10

    # Retention (kit/retention.py): how long a repeated command id still gets its first reply,
    # and a redelivered event is still recognised.
    command_retention_days: float = 7.0
    inbox_retention_days: float = 30.0
    retention_sweep_interval_s: float = 3600.0

    # Start-up: wait for NATS and PostgreSQL this long before giving up with a clear message.
    connect_timeout_s: float = 60.0
    shutdown_grace_s: float = 20.0

    def db_url(self, service: str) -> str:
        """The service's database: `VOORELKAAR_DATABASE_URL` (a process runs one service),
        else `VOORELKAAR_DATABASE_URL_<SERVICE>` (as `voorelkaar run` takes it), else the
        embedded PostgreSQL's database `voorelkaar_<service>` on `pg_host`:`pg_port`."""
        own = os.environ.get(f"VOORELKAAR_DATABASE_URL_{service.upper()}")
        return (
            self.database_url
            or own
            or f"postgresql://voorelkaar@{self.pg_host}:{self.pg_port}/voorelkaar_{service}"
        )
