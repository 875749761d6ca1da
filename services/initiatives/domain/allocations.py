"""What the budget service's allocation events do to an application (docs/initiative-fund.md).

Each function applies one event to the application, if its state allows it now, and says what
happened: `APPLIED` (the state changed; the caller publishes the matching event), `NOTED` (only
a history entry), or `IGNORED` (already known). An event that cannot be applied yet (it arrived
before what it follows) raises `NotYet`: the caller keeps it and tries again whenever the
application changes. None of them is ever applied twice: the inbox sees to redelivery, and the
states see to two different events saying the same thing.
"""

from __future__ import annotations

from enum import Enum

from contracts.budget import (
    AllocationCommitted,
    AllocationNotGranted,
    AllocationPaid,
    AllocationRefused,
    AllocationReleased,
    AllocationSettled,
    RoundProjectAdded,
)

from .application import Application
from .money import euros


class Outcome(Enum):
    APPLIED = "applied"
    NOTED = "noted"
    IGNORED = "ignored"


class NotYet(Exception):
    """The event must wait: the application is not (yet) where this event follows on."""


_BEFORE_DECISION = frozenset({"draft", "submitted", "screened", "in_review"})


def _wait_unless(app: Application, states: frozenset[str], event: str) -> None:
    if app.state not in states:
        raise NotYet(f"{event} while the application is {app.state}")


def committed(app: Application, e: AllocationCommitted) -> Outcome:
    """Money committed: admitted or granted directly → granted."""
    if app.allocation_id == e.allocation_id:
        return Outcome.IGNORED
    if app.allocation_id is not None:  # one allocation per application: a second is noted only
        app.note("allocation_committed", f"Nog een toezegging ({euros(e.amount)}); genoteerd.")
        return Outcome.NOTED
    if app.state == "withdrawn":
        app.note("allocation_committed", "Toegezegd na intrekken; budget geeft het geld vrij.")
        return Outcome.NOTED
    if app.state == "granted_directly" and e.decision_id not in (None, app.decision_id):
        app.note("allocation_committed", "Toezegging bij een eerder besluit; genoteerd.")
        return Outcome.NOTED
    _wait_unless(app, frozenset({"admitted", "granted_directly"}), "allocation.committed")
    app.allocation_id, app.granted, app.granted_at = e.allocation_id, e.amount, e.committed_at
    app.votes, app.round_id = e.votes, e.round_id or app.round_id
    app.decided_by = e.decided_by
    how = f" met {e.votes} stemmen" if e.votes is not None else ""
    app.transition("granted", f"{euros(e.amount)} toegekend{how}.")
    return Outcome.APPLIED


def not_granted(app: Application, e: AllocationNotGranted) -> Outcome:
    """The tally did not select it: admitted → not granted."""
    if app.state == "not_granted":
        return Outcome.IGNORED
    if app.state == "withdrawn":
        app.note("allocation_not_granted", f"Niet gekozen ({e.votes} stemmen).")
        return Outcome.NOTED
    _wait_unless(app, frozenset({"admitted"}), "allocation.not_granted")
    app.votes, app.round_id = e.votes, e.round_id
    app.transition("not_granted", f"Niet gekozen in de stemronde ({e.votes} stemmen).")
    return Outcome.APPLIED


def refused(app: Application, e: AllocationRefused) -> Outcome:
    """The earmark could not pay a direct grant: granted directly → back in review."""
    if app.decision_id is None:
        raise NotYet("allocation.refused before its decision was recorded")
    if app.state == "granted_directly" and app.decision_id == e.decision_id:
        app.transition(
            "allocation_refused",
            f"Het potje heeft niet genoeg geld ({euros(e.available)} beschikbaar, "
            f"{euros(e.requested)} nodig): opnieuw beoordelen.",
        )
        return Outcome.APPLIED
    app.note("allocation_refused", "Een eerder besluit kon niet worden betaald.")
    return Outcome.NOTED


def released(app: Application, e: AllocationReleased) -> Outcome:
    """The commitment was voided before any payout: granted → closed (released)."""
    if app.state == "withdrawn":
        app.note("allocation_released", "Het toegezegde geld is teruggegaan naar het potje.")
        return Outcome.NOTED
    if app.allocation_id is None:
        raise NotYet("allocation.released before allocation.committed")
    if app.state == "closed":
        return Outcome.IGNORED
    if app.state != "granted":
        app.note("allocation_released", f"Budget gaf {euros(e.amount)} vrij ({e.reason}).")
        return Outcome.NOTED
    app.closed_outcome = "released"
    app.transition("released", f"Het geld is vrijgegeven ({e.reason}).")
    return Outcome.APPLIED


def paid(app: Application, e: AllocationPaid) -> Outcome:
    """Everything committed was paid: granted → paid (later states only note it)."""
    if app.state == "withdrawn":
        app.note("allocation_paid", "Betaald na intrekken.")
        return Outcome.NOTED
    if app.allocation_id is None:
        raise NotYet("allocation.paid before allocation.committed")
    if app.paid_at is not None:
        return Outcome.IGNORED
    app.paid, app.paid_at = e.paid, e.paid_at
    if app.state == "granted":
        app.transition("paid", f"{euros(e.paid)} uitbetaald.")
        return Outcome.APPLIED
    app.note("allocation_paid", f"{euros(e.paid)} uitbetaald.")
    return Outcome.NOTED


def settled(app: Application, e: AllocationSettled) -> Outcome:
    """The allocation's accounts are final: note what was spent and returned."""
    if app.allocation_id is None and app.state != "withdrawn":
        raise NotYet("allocation.settled before allocation.committed")
    if app.spent == e.spent and app.returned == e.released + e.returned:
        return Outcome.IGNORED
    app.spent, app.returned = e.spent, e.released + e.returned
    app.note(
        "allocation_settled",
        f"Afgerekend: {euros(e.spent)} uitgegeven, {euros(e.released + e.returned)} terug naar "
        "het potje.",
    )
    return Outcome.NOTED


def on_ballot(app: Application, e: RoundProjectAdded) -> Outcome:
    """The application is on a round's ballot: noted (the state stays admitted)."""
    if app.ballot_round_id == e.round_id:
        return Outcome.IGNORED
    if app.state in _BEFORE_DECISION:
        raise NotYet("round.project_added before the admission was recorded")
    app.ballot_round_id = app.round_id = e.round_id
    app.note("on_ballot", f"Op de stemlijst van een ronde die sluit op {e.closes_at:%d-%m-%Y}.")
    return Outcome.NOTED
