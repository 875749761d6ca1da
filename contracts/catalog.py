"""Every service's published interface, for documentation and compatibility checks."""

from __future__ import annotations

from .registry import ServiceContracts


def all_services() -> list[ServiceContracts]:
    # Imported here so that a service importing `contracts` loads only what it uses.
    found: list[ServiceContracts] = []
    try:
        from .timebank import TIMEBANK
    except ImportError:  # the time bank's contracts are added with the service
        pass
    else:
        found.append(TIMEBANK)
    return found
