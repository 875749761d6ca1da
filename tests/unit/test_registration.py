"""Handlers are registered by object, and a service whose tables do not match its contracts
refuses to start, saying what is wrong."""

from __future__ import annotations

import pytest

from contracts import (
    Actor,
    Contract,
    Empty,
    Naming,
    Policy,
    ServiceContracts,
    UnknownMessage,
    new_id,
)
from kit.registration import RegistrationError
from kit.service import Service
from kit.uow import UnitOfWork
from tests.support import sample
from tests.support.sample import SAMPLE, TALLY, WRITE_NOTE, NoteWritten

OTHER = ServiceContracts("other")
OTHER_PING = OTHER.query("ping", Empty, Empty)


@OTHER.event("thing.noted")
class ThingNoted(Contract):
    """Another service's event."""


async def handler(*_args):
    return Empty()


def build(**tables) -> Service:
    return Service(SAMPLE, sample.MIGRATIONS, **tables)


def test_the_sample_service_registers_every_operation_and_its_consumer():
    service = sample.build()
    assert set(service._commands) == {"write_note"} and set(service._queries) == {"tally"}
    declared = service.consumer_declarations["tally"]
    assert declared.source is SAMPLE and declared.event_types == ["sample.note.written"]


def test_a_declared_operation_without_a_handler_refuses_to_start():
    with pytest.raises(RegistrationError, match=r"sample\.q\.tally is declared but has no handler"):
        build(commands={WRITE_NOTE: handler})


def test_a_handler_for_an_operation_the_service_does_not_declare_refuses_to_start():
    with pytest.raises(RegistrationError) as error:
        build(
            commands={WRITE_NOTE: handler},
            queries={TALLY: handler, OTHER_PING: handler, "tally": handler},
        )
    message = str(error.value)
    assert "queries[q.ping]: sample declares no such operation" in message
    assert "queries['tally']: the key must be an OperationSpec" in message


def test_an_operation_in_the_wrong_table_or_in_two_refuses_to_start():
    with pytest.raises(RegistrationError, match="a query cannot be registered as a command"):
        build(commands={WRITE_NOTE: handler, TALLY: handler})
    with pytest.raises(RegistrationError, match=r"cmd\.write_note\]: has a handler in commands"):
        build(
            commands={WRITE_NOTE: handler},
            batch_commands={WRITE_NOTE: handler},
            queries={TALLY: handler},
        )


def test_a_consumer_of_no_event_or_of_two_streams_refuses_to_start():
    tables = {"commands": {WRITE_NOTE: handler}, "queries": {TALLY: handler}}
    with pytest.raises(RegistrationError, match="WriteNote is no event model"):
        build(**tables, events={"tally": {sample.WriteNote: handler}})
    with pytest.raises(RegistrationError, match="reads one stream only"):
        build(**tables, events={"tally": {NoteWritten: handler, ThingNoted: handler}})
    with pytest.raises(RegistrationError, match="names are lower-case"):
        build(**tables, events={"Tally Consumer": {NoteWritten: handler}})


def test_every_problem_is_listed_at_once():
    with pytest.raises(RegistrationError) as error:
        build(queries={OTHER_PING: handler})
    lines = str(error.value).splitlines()
    assert lines[0] == "sample cannot start:" and len(lines) == 4


def test_the_time_bank_registers_a_handler_for_every_operation_it_declares():
    from contracts.timebank import TIMEBANK
    from services.timebank.service import build as build_timebank

    service = build_timebank()
    handled = {("command", n) for n in (*service._commands, *service._batch_commands)}
    handled |= {("query", n) for n in service._queries}
    assert handled == set(TIMEBANK.operations)


def test_emit_takes_the_event_model_and_finds_its_type_and_version():
    uow = UnitOfWork(None, SAMPLE, Naming(), Actor(role="system", id="t"), new_id())
    event = uow.emit(NoteWritten(note_id=new_id(), text="x", amount=1))
    assert (event.type, event.version) == ("sample.note.written", 1)
    assert uow.pending[0].headers["Event-Type"] == "sample.note.written"
    with pytest.raises(UnknownMessage, match="ThingNoted is no event of sample"):
        uow.emit(ThingNoted())


def test_an_event_model_belongs_to_one_service():
    with pytest.raises(ValueError, match="is an event of other already"):
        ServiceContracts("third").event("thing.noted")(ThingNoted)


def test_the_policy_table_lists_every_operation_with_who_may_do_it():
    from contracts.timebank import TIMEBANK

    table = {spec.name: policy for spec, policy in TIMEBANK.policies()}
    assert set(table) == {name for _kind, name in TIMEBANK.operations}
    assert table["award"].roles == {"coordinator", "operator"}
    assert table["award"].code == "coordinator_only"
    assert table["donate"].own == "member_id" and table["ping"].is_public
    assert "refused with `not_your_account`" in table["balance"].describe()


def test_a_policy_refusal_code_must_be_a_code_of_the_service():
    with pytest.raises(ValueError, match="unknown error codes"):
        ServiceContracts("fourth").command(
            "act", Empty, Empty, policy=Policy(frozenset({"resident"}), code="no_such_code")
        )
