"""The time bank's queries: request and result models, and each query's spec with its error
codes and policy."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from ..envelope import Empty
from ..registry import Policy
from ..types import (
    Contract,
    Language,
    Minutes,
    NeighbourhoodCode,
    PositiveMinutes,
    UtcDateTime,
)
from .commands import ExchangeRef, MemberRef
from .policies import member_or_coordinator
from .service import TIMEBANK
from .types import (
    Category,
    CommunityCode,
    ExchangeState,
    ListingKind,
    MemberKind,
    MemberState,
    Page,
    TransferKind,
    UnitCode,
)


class BalanceQuery(Contract):
    member_id: UUID


class UnitBalance(Contract):
    unit: UnitCode
    balance: Minutes
    pending_in: Minutes
    pending_out: Minutes
    available: Minutes = Field(
        description="What can still be spent: balance - pending_out + debt limit"
    )
    debt_limit: int
    max_balance: int | None = None


class Balances(Contract):
    member_id: UUID
    balances: list[UnitBalance]


class StatementQuery(Contract):
    member_id: UUID | None = None
    community: CommunityCode | None = Field(default=None, description="The community pot")
    unit: UnitCode = "hour"
    after: int | None = Field(default=None, description="Cursor: last entry number seen")
    limit: Page = 50

    @model_validator(mode="after")
    def _whose(self):
        if (self.member_id is None) == (self.community is None):
            raise ValueError("give either member_id or community")
        return self


class StatementEntry(Contract):
    entry: int
    transfer_id: UUID
    at: UtcDateTime
    kind: TransferKind
    amount: Minutes = Field(description="Positive: received; negative: paid")
    balance: Minutes = Field(description="Running balance after this entry")
    counterparty_member_id: UUID | None = None
    exchange_id: UUID | None = None
    note: str | None = None


class Statement(Contract):
    unit: UnitCode
    entries: list[StatementEntry]
    next_after: int | None = None


class CsvExportQuery(Contract):
    member_id: UUID | None = None
    community: CommunityCode | None = None
    unit: UnitCode = "hour"
    after: int | None = None
    limit: Annotated[int, Field(ge=1, le=10_000)] = 5000

    @model_validator(mode="after")
    def _whose(self):
        if self.member_id is None and self.community is None:
            raise ValueError("give member_id or community")
        return self


class CsvExport(Contract):
    csv: str
    rows: int
    next_after: int | None = None


class StatsQuery(Contract):
    community: CommunityCode
    unit: UnitCode = "hour"
    since: date | None = None
    until: date | None = None


class MonthFigure(Contract):
    month: str
    amount: Minutes
    transfers: int


class GroupFigure(Contract):
    key: str
    amount: Minutes
    transfers: int


class CommunityStats(Contract):
    community: CommunityCode
    unit: UnitCode
    by_month: list[MonthFigure]
    by_category: list[GroupFigure]
    by_neighbourhood: list[GroupFigure]
    active_members: int
    members_by_state: dict[str, int]
    exchanges_confirmed: int
    total_amount: Minutes
    recorded_by_coordinator_amount: Minutes
    recorded_by_coordinator_basis_points: Annotated[int, Field(ge=0, le=10_000)] = Field(
        description="Share of the exchanged amount recorded by coordinators, in 1/100 of a percent"
    )


class SearchListings(Contract):
    community: CommunityCode
    text: Annotated[str, StringConstraints(max_length=200)] | None = None
    kind: ListingKind | None = None
    category: Category | None = None
    neighbourhood: NeighbourhoodCode | None = None
    page: Page = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20


class ListingView(Contract):
    listing_id: UUID
    member_id: UUID
    kind: ListingKind
    title: str
    description: str
    category: Category
    neighbourhood: NeighbourhoodCode
    initiative_id: UUID | None = None
    expires_at: UtcDateTime
    state: Literal["open", "closed", "expired"]


class Listings(Contract):
    listings: list[ListingView]
    total: int


class MemberView(Contract):
    member_id: UUID
    community: CommunityCode
    kind: MemberKind
    name: str
    neighbourhood: NeighbourhoodCode
    languages: list[Language]
    skills: list[Category]
    state: MemberState
    needs_vog: bool
    vog_seen_on: date | None = None


class ExchangeView(Contract):
    exchange_id: UUID
    community: CommunityCode
    state: ExchangeState
    unit: UnitCode
    provider_id: UUID
    receiver_id: UUID
    amount: PositiveMinutes
    recorded_amount: PositiveMinutes | None = None
    description: str
    listing_id: UUID | None = None
    initiative_id: UUID | None = None
    pending_transfer_id: UUID | None = None
    transfer_id: UUID | None = None
    confirm_by: UtcDateTime | None = None


BALANCE = TIMEBANK.query(
    "balance",
    BalanceQuery,
    Balances,
    "Balances of a member per unit.",
    ("not_found", "not_your_account"),
    policy=member_or_coordinator(own="member_id"),
)
STATEMENT = TIMEBANK.query(
    "statement",
    StatementQuery,
    Statement,
    "Entries with running balance, paginated (a community's pot: coordinators only).",
    ("not_found", "not_your_account", "coordinator_only"),
    policy=member_or_coordinator(own="member_id"),
)
EXPORT_CSV = TIMEBANK.query(
    "export_csv",
    CsvExportQuery,
    CsvExport,
    "A statement as CSV, per member or (coordinators) per community.",
    ("not_found", "not_your_account", "coordinator_only"),
    policy=member_or_coordinator(own="member_id"),
)
COMMUNITY_STATS = TIMEBANK.query(
    "community_stats",
    StatsQuery,
    CommunityStats,
    "Figures for funders.",
    ("unknown_community",),
    policy=Policy.public(),
)
SEARCH_LISTINGS = TIMEBANK.query(
    "search_listings", SearchListings, Listings, "Open listings by text, category, neighbourhood."
)
GET_MEMBER = TIMEBANK.query(
    "get_member", MemberRef, MemberView, "A member's profile.", ("not_found",)
)
GET_EXCHANGE = TIMEBANK.query(
    "get_exchange",
    ExchangeRef,
    ExchangeView,
    "An exchange.",
    ("not_found", "not_your_account"),
    policy=member_or_coordinator(),
)
PING = TIMEBANK.query("ping", Empty, Empty, "Liveness through NATS.", policy=Policy.public())
