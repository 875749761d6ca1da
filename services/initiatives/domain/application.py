"""The application aggregate: its state machine and the history of every change.

States (issue 11): draft → submitted → screened → in_review → admitted | granted_directly |
rejected → granted | not_granted → paid → reported → closed; withdrawn before a grant. Every
transition appends a history entry (what, the state after, why); who and when are added by the
repository from the unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from contracts import Refusal
from contracts.initiatives import ApplicantFacts, ApplicationForm, ReportFigures

from .register import public_name

# action: (the states it may start from, the state it leads to); None: computed by the caller.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "drafted": (frozenset({"draft"}), "draft"),
    "submitted": (frozenset({"draft"}), "submitted"),
    "screened": (frozenset({"submitted"}), "screened"),
    "reviewed": (frozenset({"screened", "in_review"}), "in_review"),
    "admitted": (frozenset({"in_review"}), "admitted"),
    "granted_directly": (frozenset({"in_review"}), "granted_directly"),
    "granted_discretionary": (frozenset({"screened", "in_review"}), "granted_directly"),
    "rejected": (frozenset({"in_review"}), "rejected"),
    "withdrawn": (
        frozenset({"draft", "submitted", "screened", "in_review", "admitted"}),
        "withdrawn",
    ),
    "granted": (frozenset({"admitted", "granted_directly"}), "granted"),
    "not_granted": (frozenset({"admitted"}), "not_granted"),
    "allocation_refused": (frozenset({"granted_directly"}), "in_review"),
    "paid": (frozenset({"granted"}), "paid"),
    "report_submitted": (frozenset({"granted", "paid"}), "reported"),
    "report_returned": (frozenset({"reported"}), None),
    "report_accepted": (frozenset({"reported"}), "closed"),
    "released": (frozenset({"granted"}), "closed"),
}

GRANTED_STATES = frozenset({"granted", "paid", "reported", "closed"})
"""States in which money is (or was) committed to the application."""


@dataclass(frozen=True)
class Change:
    """One history entry before it is stored: the action, the state after it, and why."""

    action: str
    state: str
    note: str | None = None


@dataclass
class Application:
    """An application and what happened to it; money in cents.

    `decided_by`/`decision_id`/`decided_amount` describe the reviewers' or wijkmanager's
    decision; `allocation_id`/`granted`/`votes` the budget service's commitment."""

    id: UUID
    applicant_id: str
    applicant_kind: str
    applicant_name: str
    state: str
    form: ApplicationForm
    created_at: datetime | None = None
    fund_year: int | None = None
    rules_revision: int | None = None
    submitted_at: datetime | None = None
    decided_by: str | None = None
    decision_id: UUID | None = None
    decided_amount: int | None = None
    decision_reasons: str | None = None
    limit_period: str | None = None
    granted_by: str | None = None
    round_id: UUID | None = None
    ballot_round_id: UUID | None = None
    allocation_id: UUID | None = None
    granted: int | None = None
    granted_at: datetime | None = None
    votes: int | None = None
    paid: int = 0
    paid_at: datetime | None = None
    spent: int | None = None
    returned: int | None = None
    report_no: int = 0
    report: ReportFigures | None = None
    report_accepted_at: datetime | None = None
    closed_outcome: str | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def requested(self) -> int:
        return self.form.requested

    def can(self, action: str) -> bool:
        return self.state in TRANSITIONS[action][0]

    def allow(self, action: str) -> None:
        """Raises Refusal `invalid_state` (naming the state) unless `action` may happen now."""
        if not self.can(action):
            raise Refusal(
                "invalid_state", {"state": self.state, "action": action}, state=self.state
            )

    def transition(self, action: str, note: str | None = None, to: str | None = None) -> None:
        """Move by `action`, recording it; raises Refusal `invalid_state` naming the state."""
        self.allow(action)
        self.state = TRANSITIONS[action][1] or to
        assert self.state, f"{action} needs a target state"
        self.changes.append(Change(action, self.state, note))

    def note(self, action: str, note: str | None = None) -> None:
        """Record something that happened without changing the state."""
        self.changes.append(Change(action, self.state, note))

    def owned_by(self, actor_id: str) -> None:
        """Raises Refusal `not_your_application` unless `actor_id` applied."""
        if self.applicant_id != actor_id:
            raise Refusal("not_your_application")

    def in_neighbourhood(self, given: str) -> None:
        """Raises Refusal `neighbourhood_mismatch`: a reviewer's request must name the
        application's own neighbourhood (the kit checked it against their scopes)."""
        actual = self.form.neighbourhood
        if given != actual:
            raise Refusal(
                "neighbourhood_mismatch",
                {"actual": actual, "given": given},
                actual=actual,
                given=given,
            )

    def facts(self) -> dict:
        """The fields of `ApplicationFacts`, for the events this application causes."""
        return {
            "application_id": self.id,
            "applicant": ApplicantFacts(
                applicant_id=self.applicant_id,
                kind=self.applicant_kind,
                public_name=public_name(self.applicant_kind, self.applicant_name),
            ),
            "fund_id": self.form.fund_id,
            "earmark_id": self.form.earmark_id,
            "neighbourhood": self.form.neighbourhood,
            "title": self.form.title,
            "requested": self.requested,
        }
