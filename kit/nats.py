"""NATS connection, streams and durable consumers, declared deliberately.

Every setting that the library would otherwise default is named here: duplicate window,
ack wait, max deliveries, backoff, max ack pending.
"""

from __future__ import annotations

import asyncio
import json
import time

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import BadRequestError

from .logging import get_logger
from .settings import ServiceSettings

log = get_logger(__name__)


async def connect(settings: ServiceSettings, name: str) -> Client:
    """Connect, waiting for NATS with a bounded retry and a clear log line."""

    async def on_error(exc: Exception) -> None:
        log.warning("nats error", error=str(exc))

    async def on_disconnected() -> None:
        log.warning("nats disconnected")

    async def on_reconnected() -> None:
        log.info("nats reconnected")

    options: dict = {
        "servers": [s.strip() for s in settings.nats_url.split(",")],
        "name": name,
        "connect_timeout": 2,
        "allow_reconnect": True,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 1,
        "error_cb": on_error,
        "disconnected_cb": on_disconnected,
        "reconnected_cb": on_reconnected,
        "pending_size": 64 * 1024 * 1024,
    }
    if settings.nats_user:
        options["user"] = settings.nats_user
        options["password"] = settings.nats_password
    if settings.nats_token:
        options["token"] = settings.nats_token
    if settings.nats_creds:
        options["user_credentials"] = settings.nats_creds

    deadline = time.monotonic() + settings.connect_timeout_s
    delay = 0.2
    while True:
        try:
            return await nats.connect(**options)
        except Exception as exc:  # nats raises several unrelated types on refused connections
            if time.monotonic() + delay > deadline:
                raise ConnectionError(
                    f"NATS at {settings.nats_url} not reachable after "
                    f"{settings.connect_timeout_s:.0f}s: {exc!r}"
                ) from exc
            log.warning("waiting for nats", url=settings.nats_url, error=repr(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


class StreamError(RuntimeError):
    pass


async def _api(nc: Client, settings: ServiceSettings, verb: str, body: dict | None = None) -> dict:
    msg = await nc.request(
        f"{settings.js_api_prefix}.{verb}", json.dumps(body).encode() if body else b"", timeout=10
    )
    return json.loads(msg.data)


async def ensure_stream(
    nc: Client, name: str, subjects: list[str], settings: ServiceSettings
) -> None:
    """Create the stream, or update it to this configuration (e.g. new entity subjects).

    Spoken to in the JetStream API's own JSON so that every field is ours to set, including
    `allow_atomic` (atomic batch publish, NATS 2.12+), which the outbox relay uses."""
    config = {
        "name": name,
        "subjects": subjects,
        "retention": "limits",
        "storage": "file",
        "num_replicas": settings.stream_replicas,
        "duplicate_window": int(settings.duplicate_window_s * 1e9),
        "discard": "old",
        "max_consumers": -1,
        "max_msgs": -1,
        "max_bytes": -1,
        "max_age": 0,
        "max_msgs_per_subject": -1,
        "max_msg_size": -1,
        "allow_direct": True,
        "allow_atomic": True,
    }
    info = await _api(nc, settings, f"STREAM.INFO.{name}")
    if "error" in info:
        if info["error"].get("code") != 404:
            raise StreamError(f"stream {name}: {info['error']}")
        created = await _api(nc, settings, f"STREAM.CREATE.{name}", config)
        if "error" in created:
            raise StreamError(f"stream {name} cannot be created: {created['error']}")
        log.info("stream created", stream=name, subjects=subjects)
        return
    current = info["config"]
    wanted = sorted(set(current.get("subjects") or []) | set(subjects))
    if (
        sorted(current.get("subjects") or []) != wanted
        or current.get("duplicate_window") != config["duplicate_window"]
        or not current.get("allow_atomic")
    ):
        updated = await _api(nc, settings, f"STREAM.UPDATE.{name}", {**config, "subjects": wanted})
        if "error" in updated:
            raise StreamError(f"stream {name} cannot be updated: {updated['error']}")
        log.info("stream updated", stream=name, subjects=wanted)


def consumer_config(
    durable: str, filter_subjects: list[str], settings: ServiceSettings
) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=durable,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.ack_wait_s,
        # The server counts deliveries; the consumer dead-letters on the last one itself.
        max_deliver=settings.max_deliver,
        # No server BackOff, deliberately: the server lets it override the delay of a NAK
        # (measured on 2.15: NAK delay 0.1 s on delivery 2 came back after BackOff[0] = 5 s)
        # and treats its first value as the ack wait. Failed handlers are retried after
        # `retry_delays_s` by NAK delay instead; a handler that hangs is redelivered after
        # ack_wait, which long batches extend with in-progress acks.
        backoff=None,
        max_ack_pending=settings.max_ack_pending,
        filter_subjects=filter_subjects if len(filter_subjects) > 1 else None,
        filter_subject=filter_subjects[0] if len(filter_subjects) == 1 else None,
        max_waiting=512,
    )


async def ensure_consumer(
    js: JetStreamContext, stream: str, durable: str, filters: list[str], settings: ServiceSettings
) -> None:
    """Create or update the durable pull consumer that every replica of the service shares."""
    config = consumer_config(durable, filters, settings)
    try:
        await js.add_consumer(stream, config)
    except BadRequestError as exc:
        # Filters or settings changed in a way the server will not update in place.
        raise RuntimeError(f"consumer {durable} on {stream} cannot be updated: {exc}") from exc
