"""Applications: the form, its states and the facts published at each step (issue 11).

An application's `application_id` is also the `initiative_id` the time bank carries on
listings, exchanges and transfers for that initiative.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from ..envelope import Empty, Message
from ..funding import BudgetLine, CriterionCode, DecisionPath, unique
from ..registry import Policy
from ..text import Category, Label, Link, Phone, Reason, Title, line, text
from ..types import ActorId, Contract, Email, Language, NeighbourhoodCode, UtcDateTime
from .base import INITIATIVES

ApplicationState = Literal[
    "draft",
    "submitted",
    "screened",
    "in_review",
    "admitted",
    "granted_directly",
    "rejected",
    "granted",
    "not_granted",
    "paid",
    "reported",
    "closed",
    "withdrawn",
]
APPLICATION_STATES: tuple[str, ...] = ApplicationState.__args__
ApplicantKind = Literal["resident", "organisation"]
Amount = Annotated[int, Field(strict=True, ge=0, le=2**62)]
"""Cents, zero or more."""
Count = Annotated[int, Field(strict=True, ge=0, le=10_000_000)]
Summary = line(300)
Description = text(10_000, min_length=0)
Story = text(4000)
Reasons = text(4000)
APPLICANTS = frozenset({"resident", "organisation"})


class Contact(Contract):
    """Whom to reach about the application. Personal data: never in the register."""

    name: Label
    email: Email
    phone: Phone | None = None
    language: Language = "nl"


class OwnContribution(Contract):
    money: Annotated[int, Field(strict=True, ge=0, le=100_000_000)] = Field(
        default=0, description="Money from elsewhere, in cents"
    )
    money_from: Reason | None = None
    volunteer_minutes: Annotated[int, Field(strict=True, ge=0, le=10_000_000)] = Field(
        default=0, description="Volunteer hours planned, in minutes"
    )


class CriterionAnswer(Contract):
    """The applicant's explanation of how the initiative meets one criterion of the fund."""

    criterion: CriterionCode
    explanation: text(2000)


class ApplicationForm(Contract):
    """What the applicant fills in. A draft may be incomplete (no lines, no dates, no
    description); screening at submission says what is still missing."""

    title: Title
    summary: Summary = Field(description="One sentence; public once granted")
    description: Description = ""
    neighbourhood: NeighbourhoodCode
    fund_id: UUID
    earmark_id: UUID
    round_id: UUID | None = Field(
        default=None, description="A preferred ballot round, passed on to the budget service"
    )
    category: Category
    starts_on: date | None = None
    ends_on: date | None = None
    budget_lines: list[BudgetLine] = Field(default_factory=list, max_length=50)
    own_contribution: OwnContribution = Field(default_factory=OwnContribution)
    expected_participants: Count = 0
    expected_volunteers: Count = 0
    contact: Contact
    links: list[Link] = Field(default_factory=list, max_length=20)
    criteria: list[CriterionAnswer] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _each_once(self):
        unique([b.line for b in self.budget_lines], "budget line")
        unique([c.criterion for c in self.criteria], "criterion")
        return self

    @property
    def requested(self) -> int:
        """The total of the budget lines, in cents."""
        return sum(line.amount for line in self.budget_lines)


class ApplicantFacts(Contract):
    """Who applied, as others may see it: an organisation's name, or a resident's initials."""

    applicant_id: ActorId
    kind: ApplicantKind
    public_name: Label


class ApplicationFacts(Contract):
    """What every application event carries, so no consumer needs to ask back."""

    application_id: UUID
    applicant: ApplicantFacts
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    title: Title
    requested: Amount


# -- events ------------------------------------------------------------------------------------


@INITIATIVES.event("application.submitted")
class ApplicationSubmitted(ApplicationFacts):
    """The applicant submitted; the whole form, including the contact (for notifications)."""

    form: ApplicationForm
    submitted_at: UtcDateTime


@INITIATIVES.event("application.screened")
class ApplicationScreened(ApplicationFacts):
    """The application passed the automatic screening against the earmark's rules (revision
    `rules_revision` of the fund) and waits for reviewers."""

    rules_revision: Annotated[int, Field(ge=1)]
    criteria: list[CriterionCode] = Field(
        max_length=20, description="The criteria reviewers will judge"
    )
    screened_at: UtcDateTime


@INITIATIVES.event("application.admitted")
class ApplicationAdmitted(ApplicationFacts):
    """Reviewers admitted the application to a ballot: the budget service puts it, at cost
    `cost`, on the open round of its neighbourhood and earmark (preferably `round_id`)."""

    decision_id: UUID
    summary: Summary
    category: Category
    cost: Annotated[int, Field(strict=True, gt=0, le=2**62)]
    round_id: UUID | None = None
    admitted_at: UtcDateTime


@INITIATIVES.event("application.granted_directly")
class ApplicationGrantedDirectly(ApplicationFacts):
    """Reviewers in their meeting, or one wijkmanager within their discretionary limit,
    granted `amount`: the budget service commits it from the earmark, or refuses
    (`allocation.refused`) when the earmark lacks the money."""

    decision_id: UUID
    amount: Annotated[int, Field(strict=True, gt=0, le=2**62)]
    path: Literal["reviewers", "discretionary"]
    granted_by: ActorId = Field(description="The wijkmanager, or the reviewer who chaired")
    meeting_id: UUID | None = None
    limit_period: Annotated[str, Field(max_length=10)] | None = Field(
        default=None, description="For a discretionary grant: the period its limit counts in"
    )
    decided_at: UtcDateTime


@INITIATIVES.event("application.rejected")
class ApplicationRejected(ApplicationFacts):
    decision_id: UUID
    reasons: Reasons
    decided_at: UtcDateTime


@INITIATIVES.event("application.withdrawn")
class ApplicationWithdrawn(ApplicationFacts):
    """The applicant withdrew. If it was on a ballot, the budget service takes it off; if money
    was committed meanwhile, the budget service releases it."""

    previous_state: ApplicationState
    reason: Reason | None = None
    withdrawn_at: UtcDateTime


@INITIATIVES.event("application.granted")
class ApplicationGranted(ApplicationFacts):
    """Money is committed to the application (from `budget.allocation.committed`)."""

    allocation_id: UUID
    amount: Annotated[int, Field(strict=True, gt=0, le=2**62)]
    decided_by: DecisionPath
    round_id: UUID | None = None
    votes: Annotated[int, Field(ge=0)] | None = None
    granted_at: UtcDateTime


@INITIATIVES.event("application.not_granted")
class ApplicationNotGranted(ApplicationFacts):
    round_id: UUID
    votes: Annotated[int, Field(ge=0)]
    reason: Literal["not_selected", "round_cancelled"]


@INITIATIVES.event("application.paid")
class ApplicationPaid(ApplicationFacts):
    allocation_id: UUID
    paid: Amount
    paid_at: UtcDateTime


@INITIATIVES.event("application.closed")
class ApplicationClosed(ApplicationFacts):
    """The end of a granted application: its report was accepted, or its money released."""

    outcome: Literal["report_accepted", "released"]
    closed_at: UtcDateTime


# -- commands ----------------------------------------------------------------------------------


class SaveDraft(Contract):
    """Start a draft (no `application_id`) or change one. `applicant_name` is the resident's
    full name (shown as initials in public) or the organisation's name."""

    application_id: UUID | None = None
    applicant_id: ActorId
    applicant_kind: ApplicantKind
    applicant_name: Label
    form: ApplicationForm


class ApplicationRef(Contract):
    application_id: UUID
    state: ApplicationState


class ApplicationAction(Contract):
    application_id: UUID
    applicant_id: ActorId


class Withdraw(ApplicationAction):
    reason: Reason | None = None


class Finding(Contract):
    """One screening rule the application does not meet yet, with what to change. `field`
    names the place in the form (e.g. `budget_lines[2].kind`)."""

    rule: Literal[
        "fund_unknown",
        "not_open_yet",
        "deadline_passed",
        "neighbourhood_not_eligible",
        "over_max_per_application",
        "budget_line_kind_not_allowed",
        "no_budget_lines",
        "dates_missing",
        "dates_order",
        "description_missing",
        "criterion_unexplained",
        "criterion_unknown",
    ]
    field: Annotated[str, Field(max_length=100)]
    message: Message


class Screening(Contract):
    passed: bool
    requested: Amount
    findings: list[Finding]


class Submitted(Contract):
    application_id: UUID
    state: ApplicationState
    requested: Amount
    criteria: list[CriterionCode]


class ScreenForm(Contract):
    """Check a form against its fund's rules without saving it (the portal, as you type)."""

    form: ApplicationForm


SAVE_DRAFT = INITIATIVES.command(
    "save_draft",
    SaveDraft,
    ApplicationRef,
    "Start or change a draft application.",
    errors=("not_found", "not_your_application", "invalid_state"),
    policy=Policy(APPLICANTS, own="applicant_id"),
)
SUBMIT_APPLICATION = INITIATIVES.command(
    "submit_application",
    ApplicationAction,
    Submitted,
    "Submit a draft: it is screened against the fund's rules at once; if a rule fails, "
    "nothing changes and the refusal lists each finding with what to change.",
    errors=(
        "not_found",
        "not_your_application",
        "invalid_state",
        "unknown_fund",
        "screening_failed",
    ),
    policy=Policy(APPLICANTS, own="applicant_id"),
)
WITHDRAW_APPLICATION = INITIATIVES.command(
    "withdraw_application",
    Withdraw,
    ApplicationRef,
    "Withdraw an application that is not granted yet.",
    errors=("not_found", "not_your_application", "invalid_state", "round_closed"),
    policy=Policy(APPLICANTS, own="applicant_id"),
)
SCREEN_APPLICATION = INITIATIVES.query(
    "screen_application",
    ScreenForm,
    Screening,
    "What screening would say about a form, without saving it.",
    policy=Policy(frozenset({*APPLICANTS, "reviewer"})),
)
PING = INITIATIVES.query("ping", Empty, Empty, "Liveness through NATS.", policy=Policy.public())

__all__ = [
    "APPLICANTS",
    "APPLICATION_STATES",
    "PING",
    "SAVE_DRAFT",
    "SCREEN_APPLICATION",
    "SUBMIT_APPLICATION",
    "WITHDRAW_APPLICATION",
    "Amount",
    "ApplicantFacts",
    "ApplicantKind",
    "ApplicationAction",
    "ApplicationAdmitted",
    "ApplicationClosed",
    "ApplicationFacts",
    "ApplicationForm",
    "ApplicationGranted",
    "ApplicationGrantedDirectly",
    "ApplicationNotGranted",
    "ApplicationPaid",
    "ApplicationRef",
    "ApplicationRejected",
    "ApplicationScreened",
    "ApplicationState",
    "ApplicationSubmitted",
    "ApplicationWithdrawn",
    "Contact",
    "Count",
    "CriterionAnswer",
    "Finding",
    "OwnContribution",
    "Reasons",
    "SaveDraft",
    "ScreenForm",
    "Screening",
    "Story",
    "Submitted",
    "Summary",
    "Withdraw",
]
