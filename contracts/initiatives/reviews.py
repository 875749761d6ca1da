"""Review: reviewers' assessments per criterion, decisions taken in a named meeting, and the
wijkmanager's discretionary grants within a limit per period (issue 11).

Reviewers (role `reviewer`: wijkmanagers) act within the neighbourhoods in their
`Actor.scopes`; every request names the application's neighbourhood, which the kit checks
against the scopes and the service checks against the application.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from ..funding import CriterionCode, LimitPeriod, unique
from ..registry import Policy
from ..text import Title, text
from ..types import ActorId, Contract, NeighbourhoodCode, PositiveCents, UtcDateTime
from .applications import Amount, ApplicationState, Reasons
from .base import INITIATIVES

REVIEWERS = frozenset({"reviewer"})
Judgement = Literal["meets", "partly", "does_not_meet"]
Advice = Literal["admit", "grant", "reject", "more_information"]
Outcome = Literal["admit", "grant", "reject"]
Note = text(2000)


class Assessment(Contract):
    criterion: CriterionCode
    judgement: Judgement
    note: Note | None = None


class MeetingFacts(Contract):
    """A reviewers' meeting (e.g. Zaanstad's weekly wijkmanagers' meeting) and who took part."""

    meeting_id: UUID
    name: Title
    held_on: date
    neighbourhood: NeighbourhoodCode
    participants: list[ActorId] = Field(min_length=1, max_length=50)


@INITIATIVES.event("review.recorded")
class ReviewRecorded(Contract):
    """One reviewer's assessment of each criterion, and their advice."""

    review_id: UUID
    application_id: UUID
    neighbourhood: NeighbourhoodCode
    reviewer_id: ActorId
    meeting_id: UUID | None = None
    assessments: list[Assessment] = Field(max_length=20)
    advice: Advice
    advised_amount: PositiveCents | None = None
    note: Note | None = None
    recorded_at: UtcDateTime


@INITIATIVES.event("decision.taken")
class DecisionTaken(Contract):
    """A decision on an application: in a meeting (admit, grant, reject), or alone by a
    wijkmanager within their discretionary limit (`meeting` is then None)."""

    decision_id: UUID
    application_id: UUID
    neighbourhood: NeighbourhoodCode
    outcome: Literal["admit", "grant", "reject", "discretionary_grant"]
    amount: PositiveCents | None = None
    reasons: Reasons
    decided_by: ActorId
    meeting: MeetingFacts | None = None
    decided_at: UtcDateTime


# -- commands ----------------------------------------------------------------------------------


class RecordMeeting(Contract):
    """Record a meeting; the reviewer who records it must be among the participants."""

    neighbourhood: NeighbourhoodCode
    name: Title
    held_on: date
    participants: list[ActorId] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _once_each(self):
        unique(self.participants, "participant")
        return self


class MeetingRef(Contract):
    meeting_id: UUID


class RecordReview(Contract):
    application_id: UUID
    neighbourhood: NeighbourhoodCode
    meeting_id: UUID | None = None
    assessments: list[Assessment] = Field(
        default_factory=list, max_length=20, description="One per criterion of the earmark"
    )
    advice: Advice
    advised_amount: PositiveCents | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _once_each(self):
        unique([a.criterion for a in self.assessments], "criterion")
        return self


class ReviewRef(Contract):
    review_id: UUID
    application_id: UUID
    state: ApplicationState


class Decide(Contract):
    """A decision taken in `meeting_id`: admit to a ballot, grant `amount` directly, or reject;
    `reasons` go to the applicant."""

    application_id: UUID
    neighbourhood: NeighbourhoodCode
    meeting_id: UUID
    outcome: Outcome
    amount: PositiveCents | None = None
    reasons: Reasons


class DecisionRef(Contract):
    decision_id: UUID
    application_id: UUID
    state: ApplicationState


class GrantDiscretionary(Contract):
    """A wijkmanager grants `amount` from an earmark that decides at their discretion, within
    their limit for the current period (the fund's time zone)."""

    application_id: UUID
    neighbourhood: NeighbourhoodCode
    amount: PositiveCents
    reasons: Reasons


class DiscretionaryRoom(Contract):
    """A wijkmanager's limit on one earmark in one period, and what is left of it (cents)."""

    manager_id: ActorId
    earmark_id: UUID
    period: Annotated[str, Field(max_length=10)]
    period_kind: LimitPeriod
    limit: PositiveCents
    used: Amount
    remaining: Amount


class DiscretionaryGrant(DiscretionaryRoom):
    decision_id: UUID
    application_id: UUID
    state: ApplicationState


class RoomQuery(Contract):
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    on: date | None = Field(default=None, description="A day in the period; default: today")


class QueueQuery(Contract):
    neighbourhood: NeighbourhoodCode
    fund_id: UUID | None = None
    waiting_for: Literal["review", "decision", "report"] | None = None
    page: Annotated[int, Field(ge=1, le=1000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


class QueueItem(Contract):
    application_id: UUID
    title: Title
    neighbourhood: NeighbourhoodCode
    fund_id: UUID
    earmark_id: UUID
    state: ApplicationState
    waiting_for: Literal["review", "decision", "report"]
    requested: Amount
    reviews: Annotated[int, Field(ge=0)]
    since: UtcDateTime


class Queue(Contract):
    items: list[QueueItem]
    total: Annotated[int, Field(ge=0)]


RECORD_MEETING = INITIATIVES.command(
    "record_meeting",
    RecordMeeting,
    MeetingRef,
    "Record a reviewers' meeting with its date and who took part.",
    errors=("not_a_participant",),
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)
RECORD_REVIEW = INITIATIVES.command(
    "record_review",
    RecordReview,
    ReviewRef,
    "A reviewer assesses every criterion and gives an advice (again: replaces their review).",
    errors=(
        "not_found",
        "invalid_state",
        "neighbourhood_mismatch",
        "unknown_meeting",
        "unknown_criterion",
        "criteria_incomplete",
    ),
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)
DECIDE = INITIATIVES.command(
    "decide",
    Decide,
    DecisionRef,
    "Admit to a ballot, grant directly, or reject, in a recorded meeting.",
    errors=(
        "not_found",
        "invalid_state",
        "neighbourhood_mismatch",
        "unknown_meeting",
        "not_a_participant",
        "not_reviewed",
        "path_not_allowed",
        "amount_required",
        "amount_above_request",
        "over_max_per_application",
    ),
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)
GRANT_DISCRETIONARY = INITIATIVES.command(
    "grant_discretionary",
    GrantDiscretionary,
    DiscretionaryGrant,
    "A wijkmanager grants a small amount directly, within their limit for the period.",
    errors=(
        "not_found",
        "invalid_state",
        "neighbourhood_mismatch",
        "path_not_allowed",
        "amount_above_request",
        "over_max_per_application",
        "over_discretionary_limit",
    ),
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)
DISCRETIONARY_ROOM = INITIATIVES.query(
    "discretionary_room",
    RoomQuery,
    DiscretionaryRoom,
    "The signed-in wijkmanager's limit on an earmark and what is left this period.",
    errors=("unknown_fund", "path_not_allowed"),
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)
REVIEW_QUEUE = INITIATIVES.query(
    "review_queue",
    QueueQuery,
    Queue,
    "Applications of a neighbourhood waiting for a review, a decision or a report check.",
    policy=Policy(REVIEWERS, scope="neighbourhood"),
)

__all__ = [
    "DECIDE",
    "DISCRETIONARY_ROOM",
    "GRANT_DISCRETIONARY",
    "RECORD_MEETING",
    "RECORD_REVIEW",
    "REVIEWERS",
    "REVIEW_QUEUE",
    "Advice",
    "Assessment",
    "Decide",
    "DecisionRef",
    "DecisionTaken",
    "DiscretionaryGrant",
    "DiscretionaryRoom",
    "GrantDiscretionary",
    "Judgement",
    "MeetingFacts",
    "MeetingRef",
    "Outcome",
    "Queue",
    "QueueItem",
    "QueueQuery",
    "RecordMeeting",
    "RecordReview",
    "ReviewRecorded",
    "ReviewRef",
    "RoomQuery",
]
