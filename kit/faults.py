"""Failpoints for crash tests: `VOORELKAAR_FAILPOINTS=relay.after_puback` makes the process
die (as by kill -9) the moment it reaches that point. Unset in production, it costs one lookup."""

from __future__ import annotations

import os

_ACTIVE = frozenset(filter(None, os.environ.get("VOORELKAAR_FAILPOINTS", "").split(",")))


def checkpoint(name: str) -> None:
    if name in _ACTIVE:
        os._exit(137)
