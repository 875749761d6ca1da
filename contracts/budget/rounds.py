"""Panels, ballot rounds and ballots (issue 12).

The vote is secret: `ballot.cast` says that someone voted, never what they chose, and carries
no receipt code. The receipt is returned to the voter alone (the command's reply, and the
`my_ballot` query); with it they find their ballot, and only theirs, in the published
anonymised ballot set.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from ..funding import unique
from ..registry import Policy
from ..text import Label, Reason, Title
from ..types import ActorId, Contract, NeighbourhoodCode, PositiveCents, UtcDateTime
from .base import BUDGET
from .funds import FINANCE

BallotKind = Literal["approval", "knapsack", "cumulative"]
AllocationRule = Literal["greedy", "equal_shares"]
Completion = Literal["return_to_earmark", "greedy"]
"""What happens to money equal shares leaves unspent: it returns to the earmark, or a
utilitarian greedy completion funds what still fits (as equalshares.net describes)."""
PanelKind = Literal["wijkpanel", "burgerpanel"]
RoundState = Literal["scheduled", "open", "closed", "tallied"]
ReceiptCode = Annotated[str, StringConstraints(pattern=r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$")]
"""A voter's receipt, e.g. `K7QX-M2RD-9HTP-W4ZC` (no 0/O/1/I to misread)."""
MAX_PROJECTS = 500
Points = Annotated[int, Field(strict=True, ge=1, le=10_000)]
PANEL_STAFF = frozenset({"coordinator", "reviewer"})
VOTERS = frozenset({"resident", "panel_member"})


# -- panels ------------------------------------------------------------------------------------


@BUDGET.event("panel.registered")
class PanelRegistered(Contract):
    """A neighbourhood panel (wijkpanel) or citizens' panel (burgerpanel) was set up."""

    panel_id: UUID
    name: Title
    kind: PanelKind
    neighbourhood: NeighbourhoodCode


@BUDGET.event("panel.member_added")
class PanelMemberAdded(Contract):
    """Someone joined a panel (registered by a coordinator or wijkmanager)."""

    panel_id: UUID
    neighbourhood: NeighbourhoodCode
    member_id: ActorId


@BUDGET.event("panel.member_removed")
class PanelMemberRemoved(Contract):
    panel_id: UUID
    neighbourhood: NeighbourhoodCode
    member_id: ActorId
    reason: Reason


class RegisterPanel(Contract):
    name: Title
    kind: PanelKind
    neighbourhood: NeighbourhoodCode


class PanelRef(Contract):
    panel_id: UUID


class PanelMembership(Contract):
    panel_id: UUID
    neighbourhood: NeighbourhoodCode = Field(description="The panel's; checked against the scope")
    member_id: ActorId


class RemovePanelMember(PanelMembership):
    reason: Reason


REGISTER_PANEL = BUDGET.command(
    "register_panel",
    RegisterPanel,
    PanelRef,
    "A coordinator or wijkmanager sets up a panel for a neighbourhood.",
    policy=Policy(PANEL_STAFF, scope="neighbourhood"),
)
ADD_PANEL_MEMBER = BUDGET.command(
    "add_panel_member",
    PanelMembership,
    PanelRef,
    "Register a panel member (adding someone twice changes nothing).",
    errors=("unknown_panel",),
    policy=Policy(PANEL_STAFF, scope="neighbourhood"),
)
REMOVE_PANEL_MEMBER = BUDGET.command(
    "remove_panel_member",
    RemovePanelMember,
    PanelRef,
    "Remove a panel member, with a reason.",
    errors=("unknown_panel",),
    policy=Policy(PANEL_STAFF, scope="neighbourhood"),
)


# -- rounds ------------------------------------------------------------------------------------


class BallotRules(Contract):
    """The ballot of a round.

    - approval: choose projects, optionally at least `min_choices` and at most `max_choices`;
    - knapsack: choose projects whose costs together fit the round's budget;
    - cumulative: spread `points` over projects (at most `max_points_per_project` each).
    """

    kind: BallotKind
    min_choices: Annotated[int, Field(strict=True, ge=0, le=MAX_PROJECTS)] | None = None
    max_choices: Annotated[int, Field(strict=True, ge=1, le=MAX_PROJECTS)] | None = None
    points: Points | None = None
    max_points_per_project: Points | None = None

    @model_validator(mode="after")
    def _fits_kind(self):
        if self.kind == "cumulative" and self.points is None:
            raise ValueError("a cumulative ballot needs points")
        if self.kind != "cumulative" and (self.points or self.max_points_per_project):
            raise ValueError("points belong to a cumulative ballot only")
        if self.min_choices is not None and self.max_choices is not None:
            if self.min_choices > self.max_choices:
                raise ValueError("min_choices must not exceed max_choices")
        return self


class Eligibility(Contract):
    """Who may vote: the members of `panel_id`, or (None) every resident of the round's
    neighbourhood (burgerbegroting), optionally from `min_age` years."""

    panel_id: UUID | None = None
    min_age: Annotated[int, Field(strict=True, ge=0, le=120)] | None = None


class RoundFacts(Contract):
    round_id: UUID
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    name: Title
    budget: PositiveCents
    opens_at: UtcDateTime
    closes_at: UtcDateTime
    ballot: BallotRules
    rule: AllocationRule
    completion: Completion
    eligibility: Eligibility


@BUDGET.event("round.opened")
class RoundOpened(RoundFacts):
    """A ballot round was opened; admitted applications of its neighbourhood and earmark join
    it (each announced by `round.project_added`)."""


@BUDGET.event("round.project_added")
class RoundProjectAdded(Contract):
    """An admitted application is on the ballot of this round."""

    round_id: UUID
    application_id: UUID
    neighbourhood: NeighbourhoodCode
    title: Title
    cost: PositiveCents
    closes_at: UtcDateTime


@BUDGET.event("round.project_removed")
class RoundProjectRemoved(Contract):
    """An application left the ballot before the close (it was withdrawn)."""

    round_id: UUID
    application_id: UUID
    reason: Literal["withdrawn"]


@BUDGET.event("round.closed")
class RoundClosed(Contract):
    """Voting ended: no ballot is accepted after this; the tally follows."""

    round_id: UUID
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    closed_at: UtcDateTime
    ballots: Annotated[int, Field(ge=0)]


class ProjectResult(Contract):
    """One project's result: its votes (approvals, or points), cost, and what it got."""

    application_id: UUID
    cost: PositiveCents
    votes: Annotated[int, Field(ge=0)]
    selected: bool
    allocated: Annotated[int, Field(strict=True, ge=0, le=2**62)]
    rank: Annotated[int, Field(ge=1)] = Field(description="Order in which the rule picked it")


@BUDGET.event("round.tallied")
class RoundTallied(Contract):
    """The round was tallied with its rule; the results as published (the allocations follow as
    `allocation.committed` / `allocation.not_granted`, one per project)."""

    round_id: UUID
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    rule: AllocationRule
    completion: Completion
    budget: PositiveCents
    spent: Annotated[int, Field(strict=True, ge=0, le=2**62)]
    returned_to_earmark: Annotated[int, Field(strict=True, ge=0, le=2**62)]
    ballots: Annotated[int, Field(ge=0)]
    results: list[ProjectResult] = Field(max_length=MAX_PROJECTS)
    pb_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="SHA-256 of the published pabulib .pb export, to recompute the result"
    )
    tallied_at: UtcDateTime


@BUDGET.event("ballot.cast")
class BallotCast(Contract):
    """Someone voted (or changed their ballot). Never the choices, never the receipt."""

    round_id: UUID
    voter_id: ActorId
    neighbourhood: NeighbourhoodCode
    replaced: bool = Field(description="True when it replaced the voter's earlier ballot")
    cast_at: UtcDateTime


class OpenRound(Contract):
    fund_id: UUID
    earmark_id: UUID
    neighbourhood: NeighbourhoodCode
    name: Title
    budget: PositiveCents
    opens_at: UtcDateTime
    closes_at: UtcDateTime
    ballot: BallotRules
    rule: AllocationRule = "equal_shares"
    completion: Completion = "greedy"
    eligibility: Eligibility = Field(default_factory=Eligibility)

    @model_validator(mode="after")
    def _times(self):
        if self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        return self


class RoundRef(Contract):
    round_id: UUID


class ProjectPoints(Contract):
    application_id: UUID
    points: Points


class CastBallot(Contract):
    """A ballot. `neighbourhood` and `born_on` come from the signed-in account (the gateway),
    not from what the voter types; they decide eligibility. Approval and knapsack ballots give
    `choices`, cumulative ballots `points`. Casting again replaces the earlier ballot."""

    round_id: UUID
    voter_id: ActorId
    neighbourhood: NeighbourhoodCode
    born_on: date | None = None
    choices: list[UUID] = Field(default_factory=list, max_length=MAX_PROJECTS)
    points: list[ProjectPoints] = Field(default_factory=list, max_length=MAX_PROJECTS)

    @model_validator(mode="after")
    def _once_each(self):
        unique(self.choices, "project")
        unique([p.application_id for p in self.points], "project")
        if self.choices and self.points:
            raise ValueError("give choices or points, not both")
        return self


class BallotReceipt(Contract):
    round_id: UUID
    receipt_code: ReceiptCode
    replaced: bool
    cast_at: UtcDateTime


OPEN_ROUND = BUDGET.command(
    "open_round",
    OpenRound,
    RoundRef,
    "Open a ballot round on an earmark for a neighbourhood.",
    errors=(
        "unknown_fund",
        "unknown_earmark",
        "unknown_panel",
        "round_already_open",
        "invalid_round_times",
        "insufficient_funds",
    ),
    policy=Policy(FINANCE, scope="fund_id"),
)
CLOSE_ROUND = BUDGET.command(
    "close_round",
    RoundRef,
    RoundRef,
    "Close a round that is due and tally it (also a scheduled job; safe to repeat).",
    errors=("unknown_round", "round_not_due"),
    policy=Policy(frozenset({"finance", "system"})),
)
CAST_BALLOT = BUDGET.command(
    "cast_ballot",
    CastBallot,
    BallotReceipt,
    "Vote, or change one's ballot until the close.",
    errors=(
        "unknown_round",
        "round_not_open",
        "round_closed",
        "not_eligible",
        "too_few_choices",
        "too_many_choices",
        "over_budget",
        "over_points",
        "unknown_project",
        "ballot_kind_mismatch",
    ),
    policy=Policy(VOTERS, own="voter_id"),
)


# -- queries -----------------------------------------------------------------------------------


class RoundProject(Contract):
    application_id: UUID
    title: str
    cost: PositiveCents


class RoundView(RoundFacts):
    state: RoundState
    projects: list[RoundProject]
    ballots: Annotated[int, Field(ge=0)]


class OpenRoundsQuery(Contract):
    neighbourhood: NeighbourhoodCode


class Rounds(Contract):
    rounds: list[RoundView]


class Supporter(Contract):
    """Under equal shares: what one (anonymous) supporter paid towards a project, in cents."""

    ballot_code: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    share: Annotated[int, Field(ge=0)]


class ProjectExplanation(ProjectResult):
    title: str
    supporters: list[Supporter] = Field(default_factory=list)
    why: Reason = Field(description="Why it won or lost, in plain words")


class RoundResults(Contract):
    round_id: UUID
    rule: AllocationRule
    completion: Completion
    budget: PositiveCents
    spent: Annotated[int, Field(ge=0)]
    returned_to_earmark: Annotated[int, Field(ge=0)]
    ballots: Annotated[int, Field(ge=0)]
    projects: list[ProjectExplanation]
    tie_order: list[UUID] = Field(description="The documented order that broke ties")
    pb_sha256: str


class BallotSetQuery(Contract):
    round_id: UUID
    after: Annotated[int, Field(ge=0)] | None = None
    limit: Annotated[int, Field(ge=1, le=10_000)] = 1000


class PublishedBallot(Contract):
    """An anonymised ballot: `ballot_code` is derived from the receipt (one-way), so only the
    receipt's holder can tell which one is theirs."""

    ballot_code: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    choices: list[UUID] = Field(default_factory=list)
    points: list[ProjectPoints] = Field(default_factory=list)


class BallotSet(Contract):
    round_id: UUID
    ballots: list[PublishedBallot]
    next_after: int | None = None


class FindBallot(Contract):
    round_id: UUID
    receipt_code: ReceiptCode


class MyBallotQuery(Contract):
    round_id: UUID
    voter_id: ActorId


class MyBallot(Contract):
    round_id: UUID
    receipt_code: ReceiptCode
    choices: list[UUID] = Field(default_factory=list)
    points: list[ProjectPoints] = Field(default_factory=list)
    cast_at: UtcDateTime


class PbExport(Contract):
    round_id: UUID
    file_name: Label
    content: str = Field(description="The round in pabulib .pb format (UTF-8)")
    sha256: str


class PanelQuery(Contract):
    panel_id: UUID
    neighbourhood: NeighbourhoodCode


class PanelView(Contract):
    panel_id: UUID
    name: str
    kind: PanelKind
    neighbourhood: NeighbourhoodCode
    members: list[ActorId]


GET_ROUND = BUDGET.query(
    "get_round",
    RoundRef,
    RoundView,
    "A round with its projects.",
    errors=("unknown_round",),
    policy=Policy.public(),
)
OPEN_ROUNDS = BUDGET.query(
    "open_rounds",
    OpenRoundsQuery,
    Rounds,
    "Open rounds of a neighbourhood.",
    policy=Policy.public(),
)
ROUND_RESULTS = BUDGET.query(
    "round_results",
    RoundRef,
    RoundResults,
    "The tally explained per project.",
    errors=("unknown_round", "round_not_open"),
    policy=Policy.public(),
)
BALLOT_SET = BUDGET.query(
    "ballot_set",
    BallotSetQuery,
    BallotSet,
    "The anonymised ballots of a tallied round, paginated.",
    errors=("unknown_round", "round_not_open"),
    policy=Policy.public(),
)
FIND_BALLOT = BUDGET.query(
    "find_ballot",
    FindBallot,
    PublishedBallot,
    "One's own ballot in the published set, by receipt.",
    errors=("unknown_round", "not_found"),
    policy=Policy.public(),
)
MY_BALLOT = BUDGET.query(
    "my_ballot",
    MyBallotQuery,
    MyBallot,
    "A voter's current ballot and receipt.",
    errors=("unknown_round", "not_found"),
    policy=Policy(VOTERS, own="voter_id"),
)
EXPORT_ROUND_PB = BUDGET.query(
    "export_round_pb",
    RoundRef,
    PbExport,
    "A tallied round in pabulib .pb format, to recompute with `voorelkaar tally --compare`.",
    errors=("unknown_round", "round_not_open"),
    policy=Policy.public(),
)
GET_PANEL = BUDGET.query(
    "get_panel",
    PanelQuery,
    PanelView,
    "A panel and its members.",
    errors=("unknown_panel",),
    policy=Policy(PANEL_STAFF, scope="neighbourhood"),
)

__all__ = [
    "ADD_PANEL_MEMBER",
    "BALLOT_SET",
    "CAST_BALLOT",
    "CLOSE_ROUND",
    "EXPORT_ROUND_PB",
    "FIND_BALLOT",
    "GET_PANEL",
    "GET_ROUND",
    "MY_BALLOT",
    "OPEN_ROUND",
    "OPEN_ROUNDS",
    "REGISTER_PANEL",
    "REMOVE_PANEL_MEMBER",
    "ROUND_RESULTS",
    "BallotCast",
    "BallotReceipt",
    "BallotRules",
    "BallotSet",
    "BallotSetQuery",
    "CastBallot",
    "Eligibility",
    "FindBallot",
    "MyBallot",
    "MyBallotQuery",
    "OpenRound",
    "OpenRoundsQuery",
    "PanelMemberAdded",
    "PanelMemberRemoved",
    "PanelMembership",
    "PanelQuery",
    "PanelRef",
    "PanelRegistered",
    "PanelView",
    "PbExport",
    "ProjectExplanation",
    "ProjectPoints",
    "ProjectResult",
    "PublishedBallot",
    "RegisterPanel",
    "RemovePanelMember",
    "RoundClosed",
    "RoundFacts",
    "RoundOpened",
    "RoundProjectAdded",
    "RoundProjectRemoved",
    "RoundRef",
    "RoundResults",
    "RoundTallied",
    "RoundView",
    "Rounds",
    "Supporter",
]
