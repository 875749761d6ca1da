"""What the initiatives and budget services promise each other and their other consumers
(notifications, the portal): limits on every input, a declared policy on every operation,
money in integer cents, UTC times, and a secret vote."""

from __future__ import annotations

import datetime as dt
import typing

import pytest
from pydantic import BaseModel

from contracts import SIGNED_IN
from contracts.budget import BUDGET
from contracts.initiatives import INITIATIVES
from kit.docs import json_schemas

SERVICES = (INITIATIVES, BUDGET)
EXACT_FORMATS = {"uuid", "date", "date-time", "email"}


def _unbounded(node, defs, path, seen=frozenset()):
    """Paths of strings without a length, pattern or enum, and lists without a maximum."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _unbounded(item, defs, f"{path}[{i}]", seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded(defs[name], defs, f"{path}<{name}>", seen | {name})
        return
    kind = node.get("type")
    bounded = {"maxLength", "pattern", "enum", "const"} & node.keys()
    if kind == "string" and not bounded and node.get("format") not in EXACT_FORMATS:
        yield f"string {path}"
    if kind == "array" and "maxItems" not in node:
        yield f"list {path}"
    for key, value in node.items():
        if key != "$defs":
            yield from _unbounded(value, defs, f"{path}.{key}", seen)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_every_string_and_list_a_client_or_producer_sends_has_a_limit(service):
    found = []
    for name, schema in json_schemas([service]).items():
        if name.endswith(".reply") or name == "DeadLetter":
            continue
        found += _unbounded(schema, schema.get("$defs", {}), name)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_every_operation_declares_who_may_perform_it(service):
    undeclared = [name for (_k, name), op in service.operations.items() if op.policy is SIGNED_IN]
    assert not undeclared


def _fields(model: type[BaseModel], seen: set) -> typing.Iterator[tuple[str, object]]:
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}", info
        for arg, _meta in _types(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _fields(arg, seen)


def _types(annotation, metadata=()) -> list[tuple[object, tuple]]:
    """The leaf types of an annotation, each with the metadata (validators) around it."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _types(annotation.__origin__, metadata + annotation.__metadata__)
    args = typing.get_args(annotation)
    if not args:
        return [(annotation, metadata)]
    return [leaf for arg in args for leaf in _types(arg, metadata)]


def _utc(metadata) -> bool:
    return any("must_be_utc" in getattr(getattr(m, "func", None), "__name__", "") for m in metadata)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_money_is_integer_cents_and_times_are_utc(service):
    models = [spec.model for spec in service.events.values()]
    models += [m for op in service.operations.values() for m in (op.request, op.result)]
    seen: set = set()
    floats, naive = [], []
    for model in models:
        for path, info in _fields(model, seen):
            for leaf, metadata in _types(info.annotation):
                if leaf is float:
                    floats.append(path)
                if leaf is dt.datetime and not _utc(metadata + tuple(info.metadata)):
                    naive.append(path)
    assert not floats, floats
    assert not naive, naive


def test_the_vote_stays_secret():
    cast = next(s for (t, _v), s in BUDGET.events.items() if t == "budget.ballot.cast").model
    assert not {"choices", "points", "receipt_code", "ballot_code"} & set(cast.model_fields)


def test_each_service_speaks_dutch_and_english_on_every_code():
    for service in SERVICES:
        for code, (nl, en) in service.errors.templates().items():
            assert nl.strip() and en.strip() and nl != en, f"{service.service}: {code}"


def test_the_facts_each_service_consumes_from_the_other_are_published():
    """docs/initiative-fund.md: the flow between the two services."""
    budget = {t for (t, _v) in BUDGET.events}
    initiatives = {t for (t, _v) in INITIATIVES.events}
    assert {
        "budget.fund.created",
        "budget.fund.updated",
        "budget.earmark.adjusted",
        "budget.round.opened",
        "budget.round.project_added",
        "budget.round.closed",
        "budget.allocation.committed",
        "budget.allocation.not_granted",
        "budget.allocation.refused",
        "budget.allocation.released",
        "budget.allocation.paid",
        "budget.allocation.settled",
    } <= budget
    assert {
        "initiatives.application.admitted",
        "initiatives.application.granted_directly",
        "initiatives.application.withdrawn",
        "initiatives.application.reported",
    } <= initiatives
