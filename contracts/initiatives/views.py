"""What the initiatives service answers: an application with its history (for those allowed
to see it), an applicant's own list, the monitoring figures, and the public transparency
register ("ik weet wie wat waar voor heeft gekregen") with its CSV export (issue 11)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from ..funding import DecisionPath
from ..registry import Policy
from ..text import Label, Reason, Title
from ..types import ActorId, Contract, NeighbourhoodCode, Role, UtcDateTime
from .applications import (
    APPLICANTS,
    Amount,
    ApplicantKind,
    ApplicationForm,
    ApplicationState,
    Count,
    Summary,
)
from .base import INITIATIVES
from .reports import ReportFigures
from .reviews import Assessment, DecisionTaken

Year = Annotated[int, Field(strict=True, ge=2000, le=2100)]
Page = Annotated[int, Field(ge=1, le=10_000)]
PerPage = Annotated[int, Field(ge=1, le=100)]


class ApplicationQuery(Contract):
    application_id: UUID


class HistoryEntry(Contract):
    """One change: what happened, the state after it, who did it (and for whom), when, why."""

    at: UtcDateTime
    action: Annotated[str, Field(max_length=40)]
    state: ApplicationState
    actor_role: Role
    actor_id: ActorId
    on_behalf_of: ActorId | None = None
    note: Annotated[str, Field(max_length=4000)] | None = None


class ReviewView(Contract):
    review_id: UUID
    reviewer_id: ActorId
    meeting_id: UUID | None = None
    assessments: list[Assessment]
    advice: str
    advised_amount: Amount | None = None
    note: str | None = None
    recorded_at: UtcDateTime


class Hours(Contract):
    """Volunteer hours from the time bank for this initiative: minutes and distinct people."""

    minutes: Annotated[int, Field(ge=0)]
    volunteers: Annotated[int, Field(ge=0)]


class ApplicationView(Contract):
    """An application as its applicant and its reviewers see it. Reviews (internal advice) are
    shown to reviewers only; decisions with their reasons to everyone allowed to see it."""

    application_id: UUID
    state: ApplicationState
    applicant_id: ActorId
    applicant_kind: ApplicantKind
    applicant_name: Label
    form: ApplicationForm
    requested: Amount
    granted: Amount | None = None
    decided_by: DecisionPath | None = None
    allocation_id: UUID | None = None
    round_id: UUID | None = None
    paid: Amount
    hours: Hours
    decisions: list[DecisionTaken]
    reviews: list[ReviewView]
    report: ReportFigures | None = None
    history: list[HistoryEntry]
    created_at: UtcDateTime
    updated_at: UtcDateTime


class MyApplicationsQuery(Contract):
    applicant_id: ActorId


class ApplicationSummary(Contract):
    application_id: UUID
    title: Title
    state: ApplicationState
    fund_id: UUID
    neighbourhood: NeighbourhoodCode
    requested: Amount
    granted: Amount | None = None
    updated_at: UtcDateTime


class MyApplications(Contract):
    applications: list[ApplicationSummary]


class MonitoringQuery(Contract):
    fund_id: UUID | None = None
    neighbourhood: NeighbourhoodCode | None = None
    year: Year | None = None


class MonitoringFigures(Contract):
    """The figures municipalities report on (Wageningen: reach, participation, volunteers).
    Money in cents, hours in minutes; `year` is the fund's year."""

    applications: Count = Field(description="Submitted (not drafts)")
    granted: Count
    not_granted: Count
    rejected: Count
    withdrawn: Count
    requested: Amount
    granted_amount: Amount
    paid: Amount
    spent: Amount
    volunteer_minutes: Amount
    volunteers: Count = Field(description="Distinct time-bank volunteers")
    participants: Count = Field(description="Reached, as reported in accepted reports")
    expected_participants: Count


class MonitoringRow(MonitoringFigures):
    fund_id: UUID
    neighbourhood: NeighbourhoodCode
    year: Year


class Monitoring(Contract):
    rows: list[MonitoringRow]
    totals: MonitoringFigures


class RegisterQuery(Contract):
    neighbourhood: NeighbourhoodCode | None = None
    fund_id: UUID | None = None
    year: Year | None = None
    page: Page = 1
    per_page: PerPage = 50


class RegisterReport(Contract):
    spent: Amount
    participants: Count
    volunteers: Count
    volunteer_minutes: Amount
    story: Annotated[str, Field(max_length=4000)]
    accepted_on: date


class RegisterRow(Contract):
    """One grant, as the public sees it: no contact, no applicant id, a resident's initials."""

    application_id: UUID
    recipient: Label = Field(description="An organisation's name, or a resident's initials")
    recipient_kind: ApplicantKind
    title: Title
    summary: Summary
    neighbourhood: NeighbourhoodCode
    fund_id: UUID
    fund_name: Title
    earmark_name: Title
    year: Year
    amount: Amount
    granted_on: date
    decided_by: DecisionPath
    votes: Annotated[int, Field(ge=0)] | None = None
    reasons: Annotated[str, Field(max_length=4000)] | None = Field(
        default=None, description="Why reviewers or the wijkmanager granted it"
    )
    paid: Amount
    report: RegisterReport | None = None


class Register(Contract):
    rows: list[RegisterRow]
    total: Annotated[int, Field(ge=0)]
    page: Page


class RegisterCsv(Contract):
    """The register as CSV (UTF-8, formula-safe), every row matching the filters."""

    file_name: Reason
    csv: str
    rows: Annotated[int, Field(ge=0)]


class RegisterExportQuery(Contract):
    neighbourhood: NeighbourhoodCode | None = None
    fund_id: UUID | None = None
    year: Year | None = None
    limit: Annotated[int, Field(ge=1, le=10_000)] = 10_000


GET_APPLICATION = INITIATIVES.query(
    "get_application",
    ApplicationQuery,
    ApplicationView,
    "An application with its history: for its applicant, reviewers of its neighbourhood and "
    "finance of its fund.",
    errors=("not_found",),
    policy=Policy(frozenset({*APPLICANTS, "reviewer", "finance"})),
)
MY_APPLICATIONS = INITIATIVES.query(
    "my_applications",
    MyApplicationsQuery,
    MyApplications,
    "An applicant's own applications.",
    policy=Policy(APPLICANTS, own="applicant_id"),
)
MONITORING = INITIATIVES.query(
    "monitoring",
    MonitoringQuery,
    Monitoring,
    "Applications, grants, money, hours and reach per fund, neighbourhood and year (public: "
    "aggregates only).",
    policy=Policy.public(),
)
TRANSPARENCY_REGISTER = INITIATIVES.query(
    "transparency_register",
    RegisterQuery,
    Register,
    "Every granted application: who, what, where, how much, when, decided how, and the "
    "accepted report.",
    policy=Policy.public(),
)
EXPORT_REGISTER = INITIATIVES.query(
    "export_register",
    RegisterExportQuery,
    RegisterCsv,
    "The transparency register as a formula-safe CSV.",
    policy=Policy.public(),
)

__all__ = [
    "EXPORT_REGISTER",
    "GET_APPLICATION",
    "MONITORING",
    "MY_APPLICATIONS",
    "TRANSPARENCY_REGISTER",
    "ApplicationQuery",
    "ApplicationSummary",
    "ApplicationView",
    "HistoryEntry",
    "Hours",
    "Monitoring",
    "MonitoringFigures",
    "MonitoringQuery",
    "MonitoringRow",
    "MyApplications",
    "MyApplicationsQuery",
    "Register",
    "RegisterCsv",
    "RegisterExportQuery",
    "RegisterQuery",
    "RegisterReport",
    "RegisterRow",
    "ReviewView",
    "Year",
]
