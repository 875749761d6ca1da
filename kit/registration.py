"""Handlers registered by object: a service hands the kit tables keyed by the contracts' own
operation specs and event model classes, never by name strings, and the kit checks the tables
against the contracts before anything starts.

```python
Service(
    BUDGET, MIGRATIONS, settings,
    commands={CAST_BALLOT: ballots.cast_ballot},
    batch_commands={RECORD_PAYOUT: payouts.record_payouts},
    queries={ROUND_RESULTS: rounds.results},
    events={"budget-from-initiatives": {ApplicationAdmitted: on_admitted}},
)
```

A service whose declared operations lack a handler, or whose tables name an operation or
event it does not declare or cannot read, is refused with `RegistrationError` listing every
problem: it never starts half-wired.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts import (
    Contract,
    EventSpec,
    OperationSpec,
    ServiceContracts,
    UnknownMessage,
    contracts_of,
)

from .handlers import BatchCommandHandler, CommandHandler, EventHandler, QueryHandler

_CONSUMER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class RegistrationError(ValueError):
    """The handler tables do not match the service's contracts; the message lists each
    problem (an operation without a handler, a handler for nothing declared, ...)."""


@dataclass(frozen=True)
class Consumer:
    """One durable consumer: its name (the durable is `<service>-<name>`, shared by every
    replica), the service whose stream it reads, and a handler per event spec it takes."""

    name: str
    source: ServiceContracts
    handlers: dict[EventSpec, EventHandler] = field(default_factory=dict)

    @property
    def event_types(self) -> list[str]:
        return sorted({spec.type for spec in self.handlers})


@dataclass(frozen=True)
class Registration:
    """The tables as the kit runs them: handlers by operation name (the subject's last part)."""

    commands: dict[str, CommandHandler]
    batch_commands: dict[str, BatchCommandHandler]
    queries: dict[str, QueryHandler]
    consumers: dict[str, Consumer]


def register(
    contracts: ServiceContracts,
    commands: Mapping[OperationSpec, CommandHandler] | None = None,
    batch_commands: Mapping[OperationSpec, BatchCommandHandler] | None = None,
    queries: Mapping[OperationSpec, QueryHandler] | None = None,
    events: Mapping[str, Mapping[type[Contract], EventHandler]] | None = None,
) -> Registration:
    """Check the tables against `contracts` and return them keyed for the kit.

    Raises RegistrationError naming every declared operation without a handler, every key
    that is no operation of this service (or of the other kind), every operation with two
    handlers, and every consumer whose events are no event models, come from more than one
    stream, or whose name cannot be a durable consumer name."""
    problems: list[str] = []
    tables = {
        "commands": ("command", dict(commands or {})),
        "batch_commands": ("command", dict(batch_commands or {})),
        "queries": ("query", dict(queries or {})),
    }
    seen: dict[tuple[str, str], str] = {}
    keyed: dict[str, dict[str, Any]] = {name: {} for name in tables}
    for table, (kind, handlers) in tables.items():
        for spec, handler in handlers.items():
            where = f"{table}[{_label(spec)}]"
            if not isinstance(spec, OperationSpec):
                problems.append(f"{where}: the key must be an OperationSpec from the contracts")
                continue
            declared = contracts.operations.get((spec.kind, spec.name))
            if spec.service != contracts.service or declared is not spec:
                problems.append(f"{where}: {contracts.service} declares no such operation")
                continue
            if spec.kind != kind:
                problems.append(f"{where}: a {spec.kind} cannot be registered as a {kind}")
                continue
            if not callable(handler):
                problems.append(f"{where}: the handler is not callable")
                continue
            if (spec.kind, spec.name) in seen:
                problems.append(f"{where}: has a handler in {seen[(spec.kind, spec.name)]} too")
                continue
            seen[(spec.kind, spec.name)] = table
            keyed[table][spec.name] = handler
    for (kind, name), spec in sorted(contracts.operations.items()):
        if (kind, name) not in seen:
            problems.append(f"{contracts.service}.{_label(spec)} is declared but has no handler")
    consumers = {}
    for name, handlers in (events or {}).items():
        consumer = _consumer(name, handlers, problems)
        if consumer is not None:
            consumers[name] = consumer
    if problems:
        raise RegistrationError(
            f"{contracts.service} cannot start:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return Registration(keyed["commands"], keyed["batch_commands"], keyed["queries"], consumers)


def _consumer(
    name: str, handlers: Mapping[type[Contract], EventHandler], problems: list[str]
) -> Consumer | None:
    if not isinstance(name, str) or not _CONSUMER_NAME.match(name):
        problems.append(f"consumer {name!r}: names are lower-case letters, digits, '-' and '_'")
        return None
    sources: dict[str, ServiceContracts] = {}
    specs: dict[EventSpec, EventHandler] = {}
    for model, handler in handlers.items():
        try:
            source = contracts_of(model)
        except (UnknownMessage, TypeError):
            problems.append(f"consumer {name}: {_label(model)} is no event model of any service")
            continue
        if not callable(handler):
            problems.append(f"consumer {name}: the handler of {model.__name__} is not callable")
            continue
        sources[source.service] = source
        specs[source.spec_of(model)] = handler
    if len(sources) > 1:
        problems.append(f"consumer {name} reads one stream only, not {sorted(sources)}")
        return None
    if not sources:
        if not handlers:
            problems.append(f"consumer {name} handles no event")
        return None
    return Consumer(name, next(iter(sources.values())), specs)


def _label(key: object) -> str:
    if isinstance(key, OperationSpec):
        return f"{'cmd' if key.kind == 'command' else 'q'}.{key.name}"
    return getattr(key, "__name__", repr(key))
