"""A small service built on the kit, used to prove the kit's guarantees against real servers,
and the example `docs/new-service.md` starts from.

It writes notes (a command that emits `sample.note.written`) and tallies them from its own
stream (a durable consumer), so a double application shows up as a wrong total.
Run as a process: `python -m tests.support.sample` (settings from VOORELKAAR_* variables).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated
from uuid import UUID

from pydantic import Field

from contracts import (
    COMMON_ERRORS,
    Actor,
    Contract,
    Empty,
    ErrorCatalogue,
    Event,
    Minutes,
    Policy,
    Refusal,
    ServiceContracts,
)
from contracts.types import new_id
from kit.handlers import QueryContext
from kit.service import Service
from kit.settings import ServiceSettings
from kit.uow import UnitOfWork

ALICE = Actor(role="resident", id="alice")

# -- contracts (a real service keeps these in contracts/<service>/) -----------------------------

SAMPLE = ServiceContracts(
    "sample",
    errors=COMMON_ERRORS.merged(
        ErrorCatalogue({"note_too_big": ("Te groot: {amount}", "Too big: {amount}")})
    ),
)


@SAMPLE.event("note.written")
class NoteWritten(Contract):
    """A note was written."""

    note_id: UUID
    text: str
    amount: Minutes


class WriteNote(Contract):
    text: Annotated[str, Field(min_length=1, max_length=200)]
    amount: Minutes


class NoteRef(Contract):
    note_id: UUID


class Tally(Contract):
    notes: int
    total: Minutes
    seen: int


WRITE_NOTE = SAMPLE.command(
    "write_note",
    WriteNote,
    NoteRef,
    "Write a note.",
    errors=("note_too_big",),
    policy=Policy(frozenset({"resident", "coordinator", "system"})),
)
TALLY = SAMPLE.query("tally", Empty, Tally, "The notes and their total.", policy=Policy.public())

# -- handlers (a real service keeps these in services/<service>/handlers/) ----------------------

ATTEMPTS: Counter[UUID] = Counter()
MIGRATIONS = Path(__file__).parent / "sample_migrations"


async def write_note(uow: UnitOfWork, cmd: WriteNote) -> NoteRef:
    if cmd.amount > 10_000:
        raise Refusal("note_too_big", {"amount": cmd.amount}, amount=cmd.amount)
    note_id = new_id()
    await uow.conn.execute(
        "INSERT INTO notes (note_id, text, amount) VALUES ($1, $2, $3)",
        note_id,
        cmd.text,
        cmd.amount,
    )
    uow.emit(NoteWritten(note_id=note_id, text=cmd.text, amount=cmd.amount))
    return NoteRef(note_id=note_id)


async def tally(ctx: QueryContext, _q: Empty) -> Tally:
    row = await ctx.conn.fetchrow(
        "SELECT (SELECT count(*) FROM notes) AS notes, total, seen FROM tally"
    )
    return Tally(notes=row["notes"], total=row["total"], seen=row["seen"])


async def on_note(uow: UnitOfWork, event: Event[NoteWritten]) -> None:
    text = event.data.text
    if text.startswith("fail"):
        # "fail" always fails; "fail-N" fails N times, then succeeds.
        ATTEMPTS[event.event_id] += 1
        limit = int(text.split("-")[1]) if "-" in text else None
        if limit is None or ATTEMPTS[event.event_id] <= limit:
            raise RuntimeError(f"deliberate failure {ATTEMPTS[event.event_id]} of {text!r}")
    await uow.conn.execute(
        "UPDATE tally SET total = total + $1, seen = seen + 1", event.data.amount
    )


# -- the service (a real service keeps this in services/<service>/service.py) -------------------


def build(settings: ServiceSettings | None = None) -> Service:
    return Service(
        SAMPLE,
        MIGRATIONS,
        settings,
        commands={WRITE_NOTE: write_note},
        queries={TALLY: tally},
        events={"tally": {NoteWritten: on_note}},
    )


if __name__ == "__main__":
    build().main()
