"""Every service's published interface, for documentation and compatibility checks."""

from __future__ import annotations

import importlib

from .registry import ServiceContracts

# (module, registry) of every service whose contracts are published.
PUBLISHED = (
    ("contracts.timebank", "TIMEBANK"),
    ("contracts.initiatives", "INITIATIVES"),
    ("contracts.budget", "BUDGET"),
    ("contracts.notifications", "NOTIFICATIONS"),
)


def all_services() -> list[ServiceContracts]:
    # Imported here so that a service importing `contracts` loads only what it uses.
    return [getattr(importlib.import_module(module), name) for module, name in PUBLISHED]
