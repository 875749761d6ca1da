"""Reporting (verantwoording op effectniveau): what was spent per budget line, whom the
initiative reached, the volunteers and their hours, a short story and receipts (issue 11).

Volunteer minutes come from the time bank (`timebank.transfer.posted` carrying this
application's id as `initiative_id`); the applicant may add hours given outside it.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from ..funding import BudgetLineKind, LineNumber, ReportedAmount, unique
from ..registry import Policy
from ..text import Label, Link
from ..types import ActorId, Contract, NeighbourhoodCode, UtcDateTime
from .applications import (
    APPLICANTS,
    Amount,
    ApplicationFacts,
    ApplicationState,
    Count,
    Reasons,
    Story,
)
from .base import INITIATIVES
from .reviews import REVIEWERS

Minutes = Annotated[int, Field(strict=True, ge=0, le=10_000_000)]


class SpentLine(Contract):
    """What was actually spent on budget line `line` of the application (cents)."""

    line: LineNumber
    spent: ReportedAmount


class ReportedLine(Contract):
    line: LineNumber
    description: Label
    kind: BudgetLineKind
    planned: ReportedAmount
    spent: ReportedAmount


class ReportFigures(Contract):
    lines: list[ReportedLine] = Field(max_length=50)
    spent: Amount
    participants: Count
    volunteers: Count = Field(description="Volunteers as the applicant counts them")
    timebank_minutes: Minutes = Field(description="From the time bank, at the moment of report")
    timebank_volunteers: Count
    extra_volunteer_minutes: Minutes = Field(description="Given outside the time bank")
    story: Story
    receipts: list[Link] = Field(max_length=50)


@INITIATIVES.event("report.submitted")
class ReportSubmitted(ApplicationFacts):
    """The applicant reported; a reviewer accepts it or asks for more."""

    report_no: Annotated[int, Field(ge=1)]
    report: ReportFigures
    submitted_at: UtcDateTime


@INITIATIVES.event("report.returned")
class ReportReturned(ApplicationFacts):
    """A reviewer asked for more; the applicant may report again."""

    report_no: Annotated[int, Field(ge=1)]
    reasons: Reasons
    returned_at: UtcDateTime


@INITIATIVES.event("application.reported")
class ApplicationReported(ApplicationFacts):
    """The report was accepted: these are the final figures. The budget service settles the
    allocation with `spent` (per line in `report.lines`) and returns the unspent rest to the
    earmark. Followed in the same transaction by `application.closed`."""

    allocation_id: UUID
    granted: Amount
    report_no: Annotated[int, Field(ge=1)]
    report: ReportFigures
    accepted_by: ActorId
    accepted_at: UtcDateTime


class SubmitReport(Contract):
    """Report after the activity: every budget line of the application once."""

    application_id: UUID
    applicant_id: ActorId
    lines: list[SpentLine] = Field(min_length=1, max_length=50)
    participants: Count
    volunteers: Count
    extra_volunteer_minutes: Minutes = 0
    story: Story = Field(description="Published in the register once the report is accepted")
    receipts: list[Link] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _once_each(self):
        unique([s.line for s in self.lines], "budget line")
        return self


class ReportRef(Contract):
    application_id: UUID
    report_no: Annotated[int, Field(ge=1)]
    state: ApplicationState


class ReviewReport(Contract):
    """Accept the latest report (it closes the application), or ask for more with reasons."""

    application_id: UUID
    neighbourhood: NeighbourhoodCode
    accept: bool
    reasons: Reasons | None = None

    @model_validator(mode="after")
    def _reasons_when_returned(self):
        if not self.accept and not self.reasons:
            raise ValueError("say what more is needed (reasons) when not accepting")
        return self


SUBMIT_REPORT = INITIATIVES.command(
    "submit_report",
    SubmitReport,
    ReportRef,
    "Report actual cost per line, reach, volunteers, a story and receipts.",
    errors=(
        "not_found",
        "not_your_application",
        "invalid_state",
        "unknown_budget_line",
        "report_lines_missing",
    ),
    policy=Policy(APPLICANTS, own="applicant_id"),
)
REVIEW_REPORT = INITIATIVES.command(
    "review_report",
    ReviewReport,
    ReportRef,
    "A reviewer accepts the report (closing the application) or asks for more.",
    errors=("not_found", "invalid_state", "neighbourhood_mismatch"),
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)

__all__ = [
    "REVIEW_REPORT",
    "SUBMIT_REPORT",
    "ApplicationReported",
    "ReportFigures",
    "ReportRef",
    "ReportReturned",
    "ReportSubmitted",
    "ReportedLine",
    "ReviewReport",
    "SpentLine",
    "SubmitReport",
]
