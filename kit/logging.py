"""Structured logs: JSON when not on a terminal, and the correlation id on every line."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

import structlog

_SECRET_KEYS = {"password", "token", "secret", "authorization", "iban", "email", "phone"}


def _drop_secrets(_logger, _name, event_dict):
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(service: str, level: str = "info", fmt: str = "auto") -> None:
    json_output = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries (asyncio, nats, aiohttp) log through stdlib logging: same stream, same level.
    logging.basicConfig(level=max(numeric, logging.WARNING), stream=sys.stderr)


@contextmanager
def correlation(correlation_id: object, **extra: object):
    """Bind the correlation id (and anything else) to every log line inside the block."""
    values = {"correlation_id": str(correlation_id), **{k: str(v) for k, v in extra.items()}}
    tokens = structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def get_logger(name: str | None = None):
    return structlog.get_logger(name)
