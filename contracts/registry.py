"""What each service publishes and answers: the event types with their versions, and the
commands and queries with their request and result models. Services, docs and tests all read
the same registry, so the AsyncAPI document cannot drift from the code."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from .envelope import Command, Event, Ok, Query
from .errors import COMMON_ERRORS, ErrorCatalogue
from .types import ROLES, Actor, Contract

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


STAFF_ROLES = frozenset({"coordinator", "reviewer", "finance", "operator", "system"})
"""Roles that act for others: they are bound by a policy's `scope`, never by its `own`."""

MEMBER_ROLES = frozenset({"resident", "organisation", "panel_member"})
"""Roles that act for themselves: bound by a policy's `own` field."""


@dataclass(frozen=True)
class Policy:
    """Who may perform one operation, declared once beside its contract.

    - `roles`: the `Actor.role`s that may call the operation at all.
    - `own`: the request field that names the person the operation acts for. A member role
      (resident, organisation, panel member) may only act as itself: the field's value must
      equal `Actor.id`. Staff roles are not bound by it.
    - `scope`: the request field that names where the operation happens (a community, a
      neighbourhood, a fund). A staff role other than `system` must hold that value (or `"*"`)
      in `Actor.scopes`. Member roles are not bound by it (the domain checks membership).

    Rules that depend on stored state (is this member in this community, is the round open)
    stay in the domain. The portal reads the same declarations for its authorization matrix.
    """

    roles: frozenset[str]
    own: str | None = None
    scope: str | None = None
    code: str = "forbidden"
    """The error code of a refusal: `forbidden`, or a code the service answered with before
    policies existed (e.g. `coordinator_only`), so that its callers see no change."""

    def __post_init__(self) -> None:
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles in policy: {sorted(unknown)}")
        object.__setattr__(self, "roles", frozenset(self.roles))

    @classmethod
    def public(cls) -> Policy:
        """Anyone, signed in or not (role `public`)."""
        return cls(frozenset(ROLES))

    def describe(self) -> str:
        """One line for documentation: who may, for whom, where."""
        if self.is_public:
            return "anyone (also not signed in)"
        parts = ["roles " + ", ".join(sorted(self.roles))]
        if self.own:
            members = sorted(MEMBER_ROLES & self.roles)
            if members:
                parts.append(f"{'/'.join(members)} only as `{self.own}`")
        if self.scope:
            parts.append(f"staff only within their scopes (`{self.scope}`)")
        return "; ".join(parts) + f"; refused with `{self.code}`"

    @property
    def is_public(self) -> bool:
        return "public" in self.roles

    def refusal(self, actor: Actor, request: Contract) -> str | None:
        """None when `actor` may send `request`; else why not, as a short English reason
        (the kit refuses the request with `code` before any handler runs)."""
        if actor.role not in self.roles:
            return f"role {actor.role} may not do this"
        if self.own and actor.role in MEMBER_ROLES:
            value = getattr(request, self.own, None)
            if value is not None and str(value) != actor.id:
                return f"{self.own} is not the actor"
        if self.scope and actor.role in STAFF_ROLES and actor.role != "system":
            value = getattr(request, self.scope, None)
            if value is not None and "*" not in actor.scopes and str(value) not in actor.scopes:
                return f"{self.scope} {value} is outside the actor's scopes"
        return None


#: The default for an operation that declares none: every signed-in role (not the public).
SIGNED_IN = Policy(frozenset(ROLES) - {"public"})


@dataclass(frozen=True)
class OperationSpec:
    service: str
    kind: Literal["command", "query"]
    name: str
    request: type[Contract]
    result: type[Contract]
    summary: str
    errors: tuple[str, ...] = ()
    policy: Policy = SIGNED_IN

    def envelope(self) -> type[Command] | type[Query]:
        return parametrised(Command if self.kind == "command" else Query, self.request)

    @property
    def ok(self) -> type[Ok]:
        return parametrised(Ok, self.result)


_OWNERS: dict[type, ServiceContracts] = {}


def contracts_of(model: type) -> ServiceContracts:
    """The service whose event `model` is (an event model belongs to exactly one service);
    raises UnknownMessage for a model no service registered as an event."""
    try:
        return _OWNERS[model]
    except KeyError:
        raise UnknownMessage(f"{getattr(model, '__name__', model)} is no event model") from None


@dataclass
class ServiceContracts:
    """The published interface of one service."""

    service: str
    errors: ErrorCatalogue = field(default_factory=lambda: COMMON_ERRORS)
    events: dict[tuple[str, int], EventSpec] = field(default_factory=dict)
    operations: dict[tuple[str, str], OperationSpec] = field(default_factory=dict)
    _by_model: dict[type, EventSpec] = field(default_factory=dict, repr=False, compare=False)

    def event(self, name: str, version: int = 1, summary: str = ""):
        """Register a payload model as `<service>.<name>` (name is `<entity>.<event>`)."""

        def register(model: type[Contract]) -> type[Contract]:
            event_type = f"{self.service}.{name}"
            key = (event_type, version)
            if key in self.events:
                raise ValueError(f"event {event_type} v{version} registered twice")
            if model in _OWNERS:
                raise ValueError(
                    f"{model.__name__} is an event of {_OWNERS[model].service} already"
                )
            spec = EventSpec(event_type, version, model, summary or (model.__doc__ or "").strip())
            self.events[key] = spec
            self._by_model[model] = spec
            _OWNERS[model] = self
            return model

        return register

    def command(
        self, name: str, request, result, summary: str = "", errors=(), policy: Policy = SIGNED_IN
    ) -> OperationSpec:
        """Declare `<service>.cmd.<name>`; returns the spec, the key of its handler."""
        return self._operation("command", name, request, result, summary, errors, policy)

    def query(
        self, name: str, request, result, summary: str = "", errors=(), policy: Policy = SIGNED_IN
    ) -> OperationSpec:
        """Declare `<service>.q.<name>`; returns the spec, the key of its handler."""
        return self._operation("query", name, request, result, summary, errors, policy)

    def _operation(self, kind, name, request, result, summary, errors, policy) -> OperationSpec:
        unknown = [code for code in (*errors, policy.code) if code not in self.errors]
        if unknown:
            raise ValueError(f"{self.service}.{name}: unknown error codes {unknown}")
        for field_name in (policy.own, policy.scope):
            if field_name and field_name not in request.model_fields:
                raise ValueError(f"{self.service}.{name}: policy names no field {field_name}")
        if (kind, name) in self.operations:
            raise ValueError(f"{self.service}.{name}: {kind} declared twice")
        spec = OperationSpec(
            self.service, kind, name, request, result, summary, tuple(errors), policy
        )
        self.operations[(kind, name)] = spec
        return spec

    def spec_of(self, model: type[Contract]) -> EventSpec:
        """The event spec whose payload is `model` (each version has its own model class)."""
        try:
            return self._by_model[model]
        except KeyError:
            raise UnknownMessage(f"{model.__name__} is no event of {self.service}") from None

    def policies(self) -> list[tuple[OperationSpec, Policy]]:
        """Every operation with who may perform it, commands first, each kind by name: what
        the portal's authorization matrix and the documentation read."""
        specs = sorted(self.operations.values(), key=lambda s: (s.kind != "command", s.name))
        return [(spec, spec.policy) for spec in specs]

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
    """Reads any event of the given services (or only the given `specs`), validating its
    payload against its contract."""

    def __init__(self, *services: ServiceContracts, specs: Iterable[EventSpec] = ()):
        self._specs: dict[tuple[str, int], EventSpec] = {}
        for contracts in services:
            self._specs.update(contracts.events)
        for spec in specs:
            self._specs[(spec.type, spec.version)] = spec

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
