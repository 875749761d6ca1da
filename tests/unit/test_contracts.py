"""The shared contracts: envelopes, value types and names refuse what they should, precisely."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts import (
    IBAN,
    Actor,
    Command,
    Contract,
    EventRegistry,
    Minutes,
    Naming,
    NeighbourhoodCode,
    ServiceContracts,
    UnknownMessage,
    UtcDateTime,
    describe_validation_error,
    new_id,
)
from contracts.errors import COMMON_ERRORS, ErrorCatalogue
from contracts.timebank import TIMEBANK, ConfigureCommunity, ProposeExchange

SAMPLE = ServiceContracts("sample")


@SAMPLE.event("thing.happened")
class ThingHappened(Contract):
    amount: Minutes


def envelope(**overrides) -> dict:
    body = {
        "event_id": str(new_id()),
        "type": "sample.thing.happened",
        "version": 1,
        "occurred_at": "2026-11-23T10:00:00Z",
        "correlation_id": str(new_id()),
        "causation_id": None,
        "actor": {"role": "system", "id": "test"},
        "data": {"amount": 60},
    }
    body.update(overrides)
    return body


def parse(body: dict):
    return EventRegistry(SAMPLE).parse(json.dumps(body).encode())


def problem(body: dict) -> str:
    with pytest.raises((ValidationError, UnknownMessage)) as exc:
        parse(body)
    return (
        describe_validation_error(exc.value)
        if isinstance(exc.value, ValidationError)
        else str(exc.value)
    )


def test_a_valid_event_parses_into_its_typed_payload():
    event = parse(envelope())
    assert event.data == ThingHappened(amount=60)
    assert event.occurred_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"event_id": str(uuid.uuid4())}, "event_id: Value error, must be a UUIDv7, got version 4"),
        ({"occurred_at": "2026-11-23T10:00:00"}, "occurred_at: Value error, must carry a timezone"),
        ({"occurred_at": "2026-11-23T10:00:00+01:00"}, "occurred_at: Value error, must be in UTC"),
        ({"data": {"amount": 1.5}}, "data.amount: Input should be a valid integer"),
        ({"data": {"amount": "60"}}, "data.amount: Input should be a valid integer"),
        ({"data": {"amount": 60, "extra": 1}}, "data.extra: Extra inputs are not permitted"),
        ({"surprise": True}, "surprise: Extra inputs are not permitted"),
        ({"actor": {"role": "king", "id": "x"}}, "actor.role: Input should be"),
        ({"version": 2}, "no contract for sample.thing.happened v2"),
        ({"type": "sample.thing.vanished"}, "no contract for sample.thing.vanished v1"),
    ],
)
def test_a_bad_event_is_refused_with_a_precise_reason(change, expected):
    assert expected in problem(envelope(**change))


def test_money_and_minutes_are_integers_never_floats():
    for value in (1.0, 0.5, "10", True):
        with pytest.raises(ValidationError):
            TypeAdapter(Minutes).validate_python(value, strict=True)
    assert TypeAdapter(Minutes).validate_python(90) == 90


@pytest.mark.parametrize(
    "code, ok",
    [
        ("GM0935", True),
        ("WK093501", True),
        ("BU09350101", True),
        ("Centrum", False),
        ("BU0935", False),
        ("bu09350101", False),
    ],
)
def test_neighbourhoods_are_cbs_codes(code, ok):
    adapter = TypeAdapter(NeighbourhoodCode)
    if ok:
        assert adapter.validate_python(code) == code
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(code)


def test_an_iban_is_checked_by_schwifty_and_kept_compact():
    assert TypeAdapter(IBAN).validate_python("NL91 ABNA 0417 1643 00") == "NL91ABNA0417164300"
    with pytest.raises(ValidationError, match="checksum"):
        TypeAdapter(IBAN).validate_python("NL91ABNA0417164301")


def test_times_must_be_utc():
    assert TypeAdapter(UtcDateTime).validate_python(
        "2026-01-01T10:00:00Z"
    ) == datetime.fromisoformat("2026-01-01T10:00:00+00:00")


def test_commands_carry_an_id_and_an_actor():
    with pytest.raises(ValidationError) as exc:
        Command[ConfigureCommunity].model_validate_json(b'{"data": {}}')
    fields = {e["loc"][0] for e in exc.value.errors()}
    assert {"command_id", "actor"} <= fields


def test_command_rules_that_span_fields_say_what_is_missing():
    with pytest.raises(ValidationError, match="give either listing_id or other_member_id"):
        ProposeExchange(proposer_id=new_id(), amount=60, description="x")
    with pytest.raises(ValidationError, match="'hour' is always configured"):
        ConfigureCommunity(community="wijk", name="W", units=[{"unit": "steerk", "debt_limit": 0}])


def test_every_error_code_speaks_dutch_and_english():
    for code, (nl, en) in TIMEBANK.errors.templates().items():
        assert nl and en and nl != en, code
    error = COMMON_ERRORS.error("not_found", what="Het lid")
    assert error.message.nl == "Het lid is niet gevonden."


def test_error_codes_cannot_be_defined_twice():
    with pytest.raises(ValueError, match="defined twice"):
        COMMON_ERRORS.merged(ErrorCatalogue({"forbidden": ("x", "y")}))


def test_operations_name_only_error_codes_that_exist():
    with pytest.raises(ValueError, match="unknown error codes"):
        SAMPLE.command("do", Contract, Contract, errors=("no_such_code",))


def test_names_live_in_one_place_and_take_a_namespace():
    plain, ns = Naming(), Naming("test-1")
    assert plain.event_subject("timebank.transfer.posted") == "timebank.transfer.posted"
    assert plain.stream("timebank") == "TIMEBANK"
    assert plain.command("timebank", "donate") == "timebank.cmd.donate"
    assert plain.query("timebank", "balance") == "timebank.q.balance"
    assert plain.dlq_subject("timebank") == "dlq.timebank"
    assert ns.stream("timebank") == "TEST_1_TIMEBANK"
    assert ns.event_subject("timebank.transfer.posted") == "test-1.timebank.transfer.posted"
    assert ns.event_type("test-1.timebank.transfer.posted") == "timebank.transfer.posted"
    # A stream captures entity subjects only: commands and queries are request/reply.
    assert plain.entity_subjects("timebank", ["transfer", "member"]) == [
        "timebank.member.*",
        "timebank.transfer.*",
    ]
    with pytest.raises(ValueError):
        Naming("bad name!")


def test_actors_are_a_role_and_an_id():
    assert Actor(role="coordinator", id="makelaar-1").role == "coordinator"
    with pytest.raises(ValidationError):
        Actor(role="resident", id="has spaces")
