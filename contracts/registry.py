"""What each service publishes and answers: the event types with their versions, and the
commands and queries with their request and result models. Services, docs and tests all read
the same registry, so the AsyncAPI document cannot drift from the code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from .envelope import Command, Event, Ok, Query
from .errors import COMMON_ERRORS, ErrorCatalogue
from .types import Contract

_PARAMETRISED: dict[tuple[type, type], type] = {}


def parametrised(generic: type, model: type) -> type:
    """`generic[model]`, made once. Pydantic caches these weakly and, on a hot path, rebuilds
    them again and again (measured: several percent of a service's CPU)."""
    key = (generic, model)
    found = _PARAMETRISED.get(key)
    if found is None:
        found = _PARAMETRISED[key] = generic[model]
    return found


class UnknownMessage(ValueError):
    """A message whose type or version no contract describes."""


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    model: type[Contract]
    summary: str

    @property
    def entity(self) -> str:
        return self.type.split(".")[1]

    @property
    def envelope(self) -> type[Event]:
        return parametrised(Event, self.model)


@dataclass(frozen=True)
class OperationSpec:
    service: str
    kind: Literal["command", "query"]
    name: str
    request: type[Contract]
    result: type[Contract]
    summary: str
    errors: tuple[str, ...] = ()

    def envelope(self) -> type[Command] | type[Query]:
        return parametrised(Command if self.kind == "command" else Query, self.request)

    @property
    def ok(self) -> type[Ok]:
        return parametrised(Ok, self.result)


@dataclass
class ServiceContracts:
    """The published interface of one service."""

    service: str
    errors: ErrorCatalogue = field(default_factory=lambda: COMMON_ERRORS)
    events: dict[tuple[str, int], EventSpec] = field(default_factory=dict)
    operations: dict[tuple[str, str], OperationSpec] = field(default_factory=dict)

    def event(self, name: str, version: int = 1, summary: str = ""):
        """Register a payload model as `<service>.<name>` (name is `<entity>.<event>`)."""

        def register(model: type[Contract]) -> type[Contract]:
            event_type = f"{self.service}.{name}"
            key = (event_type, version)
            if key in self.events:
                raise ValueError(f"event {event_type} v{version} registered twice")
            self.events[key] = EventSpec(
                event_type, version, model, summary or (model.__doc__ or "").strip()
            )
            return model

        return register

    def command(self, name: str, request, result, summary: str = "", errors=()):
        return self._operation("command", name, request, result, summary, errors)

    def query(self, name: str, request, result, summary: str = "", errors=()):
        return self._operation("query", name, request, result, summary, errors)

    def _operation(self, kind, name, request, result, summary, errors) -> OperationSpec:
        unknown = [code for code in errors if code not in self.errors]
        if unknown:
            raise ValueError(f"{self.service}.{name}: unknown error codes {unknown}")
        spec = OperationSpec(self.service, kind, name, request, result, summary, tuple(errors))
        self.operations[(kind, name)] = spec
        return spec

    def entities(self) -> list[str]:
        return sorted({spec.entity for spec in self.events.values()})

    def event_spec(self, event_type: str, version: int) -> EventSpec:
        try:
            return self.events[(event_type, version)]
        except KeyError:
            known = sorted(v for (t, v) in self.events if t == event_type)
            hint = f"known versions {known}" if known else "unknown type"
            raise UnknownMessage(f"no contract for {event_type} v{version} ({hint})") from None


class EventRegistry:
    """Reads any event of the given services, validating its payload against its contract."""

    def __init__(self, *services: ServiceContracts):
        self._specs: dict[tuple[str, int], EventSpec] = {}
        for contracts in services:
            self._specs.update(contracts.events)

    def spec(self, event_type: str, version: int) -> EventSpec:
        try:
            return self._specs[(event_type, version)]
        except KeyError:
            raise UnknownMessage(f"no contract for {event_type} v{version}") from None

    def parse(self, raw: bytes) -> Event:
        """Parse and validate; raises ValidationError or UnknownMessage with a precise reason."""
        try:
            head = json.loads(raw)
        except ValueError as exc:
            raise UnknownMessage(f"not JSON: {exc}") from None
        if not isinstance(head, dict):
            raise UnknownMessage("an event must be a JSON object")
        event_type, version = head.get("type"), head.get("version")
        if not isinstance(event_type, str) or not isinstance(version, int):
            raise UnknownMessage("an event needs a string 'type' and an integer 'version'")
        spec = self.spec(event_type, version)
        return spec.envelope.model_validate_json(raw)


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each bad field and what is wrong with it."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "(message)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
