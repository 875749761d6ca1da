"""The time bank's published interface: its events, commands, queries and error codes.

Every hour counts the same. Amounts are integers in the unit's smallest step: minutes for
`hour`, whole tokens for a local token such as `steerk`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from .envelope import Empty
from .errors import COMMON_ERRORS, ErrorCatalogue
from .ledger import LEDGER_ERRORS, LIMIT_ERRORS, Limit, PositiveLimit
from .registry import Policy, ServiceContracts
from .types import (
    Contract,
    Email,
    Language,
    Minutes,
    Name,
    NeighbourhoodCode,
    PositiveMinutes,
    UtcDateTime,
)

CommunityCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")]
UnitCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,19}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
MemberKind = Literal["resident", "organisation"]
MemberState = Literal["applied", "active", "suspended", "left"]
ListingKind = Literal["offer", "request"]
ExchangeState = Literal["proposed", "agreed", "confirmed", "cancelled", "disputed", "resolved"]
TransferKind = Literal["exchange", "donation", "award", "reversal"]
Page = Annotated[int, Field(ge=1, le=1000)]

ERRORS = COMMON_ERRORS.merged(LEDGER_ERRORS).merged(
    ErrorCatalogue(
        {
            "unknown_community": (
                "Deze tijdbank bestaat niet: {community}.",
                "This time bank does not exist: {community}.",
            ),
            "unknown_unit": (
                "Deze eenheid wordt in deze tijdbank niet gebruikt: {unit}.",
                "This unit is not used in this time bank: {unit}.",
            ),
            "not_a_member": (
                "Deze persoon is geen actief lid van de tijdbank.",
                "This person is not an active member of the time bank.",
            ),
            "member_not_active": (
                "Het lid is niet actief (status: {state}).",
                "The member is not active (state: {state}).",
            ),
            "invalid_member_state": (
                "Dit kan niet bij een lid met status {state}.",
                "This is not possible for a member in state {state}.",
            ),
            "not_your_account": (
                "Dit is niet uw rekening of uitwisseling.",
                "This is not your account or exchange.",
            ),
            "coordinator_only": (
                "Alleen een tijdbank-makelaar mag dit doen.",
                "Only a coordinator may do this.",
            ),
            "listing_closed": (
                "Deze advertentie is gesloten of verlopen.",
                "This listing is closed or has expired.",
            ),
            "own_listing": (
                "U kunt niet op uw eigen advertentie reageren.",
                "You cannot answer your own listing.",
            ),
            "invalid_expiry": (
                "De vervaldatum moet in de toekomst liggen (uiterlijk over een jaar).",
                "The expiry must be in the future (at most a year ahead).",
            ),
            "exchange_not_open": (
                "Deze uitwisseling kan dit niet meer (status: {state}).",
                "This exchange can no longer do this (state: {state}).",
            ),
            "exchange_already_confirmed": (
                "Deze uitwisseling is al bevestigd.",
                "This exchange has already been confirmed.",
            ),
            "not_disputed": (
                "Deze uitwisseling is niet betwist.",
                "This exchange is not disputed.",
            ),
            "pending_transfers": (
                "Er staan nog uitwisselingen open; rond die eerst af.",
                "There are open exchanges; settle them first.",
            ),
        }
    )
)

TIMEBANK = ServiceContracts("timebank", errors=ERRORS)


# -- shared shapes ------------------------------------------------------------------------------


class UnitSettings(Contract):
    """How a unit behaves in one community; limits in the unit's smallest step."""

    unit: UnitCode
    debt_limit: Annotated[int, Field(ge=0)] = Field(
        description="How far an account may go below zero"
    )
    max_balance: Annotated[int, Field(gt=0)] | None = None
    community_debt_limit: Annotated[int, Field(ge=0)] = 0


class NewUnitSettings(UnitSettings):
    """Settings as a command gives them: every limit within what the ledger can hold
    (`contracts/ledger.py`). The event keeps the published `UnitSettings`."""

    debt_limit: Limit = Field(description="How far an account may go below zero")
    max_balance: PositiveLimit | None = None
    community_debt_limit: Limit = 0


class Limits(Contract):
    debt_limit: Annotated[int, Field(ge=0)]
    max_balance: Annotated[int, Field(gt=0)] | None = None


class Party(Contract):
    """A member as other services need to know them in an event (ids, no personal data)."""

    member_id: UUID
    kind: MemberKind
    neighbourhood: NeighbourhoodCode


# -- events -------------------------------------------------------------------------------------


@TIMEBANK.event("community.configured")
class CommunityConfigured(Contract):
    """A time bank was set up or its units and limits changed."""

    community: CommunityCode
    name: Name
    units: list[UnitSettings]
    auto_confirm_days: int


@TIMEBANK.event("member.registered")
class MemberRegistered(Contract):
    """Someone applied, or a coordinator registered them."""

    member_id: UUID
    community: CommunityCode
    kind: MemberKind
    neighbourhood: NeighbourhoodCode
    languages: list[Language]
    skills: list[Category]
    registered_by: Literal["self", "coordinator"]
    coordinator_id: str | None = None
    needs_vog: bool


@TIMEBANK.event("member.approved")
class MemberApproved(Contract):
    """A coordinator made the member active (first approval or reinstatement)."""

    member_id: UUID
    community: CommunityCode
    coordinator_id: str


@TIMEBANK.event("member.suspended")
class MemberSuspended(Contract):
    member_id: UUID
    community: CommunityCode
    coordinator_id: str
    reason: ShortText


@TIMEBANK.event("member.left")
class MemberLeft(Contract):
    member_id: UUID
    community: CommunityCode


@TIMEBANK.event("member.vog_recorded")
class VogRecorded(Contract):
    """A coordinator saw the member's certificate of conduct (VOG)."""

    member_id: UUID
    community: CommunityCode
    seen_on: date
    coordinator_id: str


@TIMEBANK.event("listing.published")
class ListingPublished(Contract):
    listing_id: UUID
    community: CommunityCode
    member_id: UUID
    kind: ListingKind
    title: ShortText
    category: Category
    neighbourhood: NeighbourhoodCode
    initiative_id: UUID | None = None
    expires_at: UtcDateTime


@TIMEBANK.event("listing.closed")
class ListingClosed(Contract):
    listing_id: UUID
    community: CommunityCode
    reason: Literal["closed", "expired"]


class ExchangeFacts(Contract):
    """What every exchange event carries, so no consumer needs to ask back."""

    exchange_id: UUID
    community: CommunityCode
    unit: UnitCode
    provider: Party
    receiver: Party
    listing_id: UUID | None = None
    initiative_id: UUID | None = None
    category: Category | None = None


@TIMEBANK.event("exchange.proposed")
class ExchangeProposed(ExchangeFacts):
    amount: PositiveMinutes
    proposed_by: UUID


@TIMEBANK.event("exchange.agreed")
class ExchangeAgreed(ExchangeFacts):
    amount: PositiveMinutes
    pending_transfer_id: UUID
    confirm_by: UtcDateTime
    recorded_by_coordinator: str | None = None


@TIMEBANK.event("exchange.confirmed")
class ExchangeConfirmed(ExchangeFacts):
    amount: PositiveMinutes
    agreed_amount: PositiveMinutes
    transfer_id: UUID
    confirmed_by: Literal["receiver", "coordinator", "auto"]
    coordinator_id: str | None = None


@TIMEBANK.event("exchange.cancelled")
class ExchangeCancelled(ExchangeFacts):
    cancelled_by: str
    reason: ShortText | None = None


@TIMEBANK.event("exchange.disputed")
class ExchangeDisputed(ExchangeFacts):
    disputed_by: UUID
    reason: Text


@TIMEBANK.event("exchange.resolved")
class ExchangeResolved(ExchangeFacts):
    outcome: Literal["confirmed", "voided", "reversed", "dismissed"]
    coordinator_id: str
    note: Text
    amount: Minutes = Field(description="Minutes posted (confirmed) or reversed; 0 otherwise")


class TransferFacts(Contract):
    transfer_id: UUID
    community: CommunityCode
    unit: UnitCode
    amount: PositiveMinutes
    debit_member_id: UUID | None = Field(description="None: the community pot")
    credit_member_id: UUID | None = Field(description="None: the community pot")
    kind: TransferKind
    exchange_id: UUID | None = None
    initiative_id: UUID | None = None
    category: Category | None = None
    neighbourhood: NeighbourhoodCode | None = Field(
        default=None, description="Where the help was given: the provider's neighbourhood"
    )
    recorded_by_coordinator: str | None = None
    note: str | None = None


@TIMEBANK.event("transfer.pending")
class TransferPending(TransferFacts):
    """Minutes reserved for an agreed exchange: not yet on anyone's balance."""


@TIMEBANK.event("transfer.posted")
class TransferPosted(TransferFacts):
    """Minutes moved: the debit account paid, the credit account received."""

    pending_transfer_id: UUID | None = None
    posted_at: UtcDateTime


@TIMEBANK.event("transfer.voided")
class TransferVoided(TransferFacts):
    """A reservation released without moving anything."""

    pending_transfer_id: UUID


@TIMEBANK.event("transfer.reversed")
class TransferReversed(TransferFacts):
    """A correcting transfer in the opposite direction; the original stays as it was."""

    reverses_transfer_id: UUID
    reason: Text


# -- commands -----------------------------------------------------------------------------------


class ConfigureCommunity(Contract):
    community: CommunityCode
    name: Name
    units: list[NewUnitSettings] = Field(min_length=1)
    auto_confirm_days: Annotated[int, Field(ge=1, le=90)] = 14

    @model_validator(mode="after")
    def _hour_always(self):
        codes = [u.unit for u in self.units]
        if "hour" not in codes:
            raise ValueError("the unit 'hour' is always configured")
        if len(set(codes)) != len(codes):
            raise ValueError("each unit once")
        return self


class RegisterMember(Contract):
    community: CommunityCode
    kind: MemberKind = "resident"
    name: Name
    neighbourhood: NeighbourhoodCode
    languages: list[Language] = Field(default_factory=lambda: ["nl"], min_length=1)
    skills: list[Category] = Field(default_factory=list, max_length=50)
    email: Email | None = None
    phone: Phone | None = None
    needs_vog: bool = False


class MemberRef(Contract):
    member_id: UUID


class SuspendMember(Contract):
    member_id: UUID
    reason: ShortText


class RecordVog(Contract):
    member_id: UUID
    seen_on: date


class SetMemberLimits(Contract):
    member_id: UUID
    unit: UnitCode = "hour"
    debt_limit: Limit | None = None
    max_balance: PositiveLimit | None = None


class PublishListing(Contract):
    member_id: UUID
    kind: ListingKind
    title: ShortText
    description: Text
    category: Category
    neighbourhood: NeighbourhoodCode
    initiative_id: UUID | None = None
    expires_at: UtcDateTime


class ListingRef(Contract):
    listing_id: UUID


class ProposeExchange(Contract):
    """Answer a listing, or propose directly to another member."""

    proposer_id: UUID
    other_member_id: UUID | None = None
    listing_id: UUID | None = None
    proposer_role: Literal["provider", "receiver"] | None = Field(
        default=None, description="Needed without a listing; with one, it follows from its kind"
    )
    unit: UnitCode = "hour"
    amount: PositiveMinutes
    description: ShortText
    category: Category | None = None
    initiative_id: UUID | None = None

    @model_validator(mode="after")
    def _target(self):
        if (self.listing_id is None) == (self.other_member_id is None):
            raise ValueError("give either listing_id or other_member_id")
        if self.listing_id is None and self.proposer_role is None:
            raise ValueError("proposer_role is needed without a listing")
        return self


class ExchangeRef(Contract):
    exchange_id: UUID


class RecordExchange(Contract):
    """A coordinator records an exchange both sides agreed on (e.g. by phone)."""

    community: CommunityCode
    provider_id: UUID
    receiver_id: UUID
    unit: UnitCode = "hour"
    amount: PositiveMinutes
    description: ShortText
    category: Category | None = None
    listing_id: UUID | None = None
    initiative_id: UUID | None = None
    confirm_now: bool = False


class RecordHours(Contract):
    exchange_id: UUID
    amount: PositiveMinutes


class ConfirmExchange(Contract):
    exchange_id: UUID
    amount: PositiveMinutes | None = Field(
        default=None, description="Less than agreed if less was given; default: as recorded"
    )


class CancelExchange(Contract):
    exchange_id: UUID
    reason: ShortText | None = None


class DisputeExchange(Contract):
    exchange_id: UUID
    reason: Text


class ResolveDispute(Contract):
    exchange_id: UUID
    outcome: Literal["confirm", "void", "reverse", "dismiss"]
    amount: PositiveMinutes | None = None
    note: Text


class Donate(Contract):
    transfer_id: UUID
    member_id: UUID
    unit: UnitCode = "hour"
    amount: PositiveMinutes
    note: ShortText | None = None


class Award(Contract):
    transfer_id: UUID
    community: CommunityCode
    member_id: UUID
    unit: UnitCode = "hour"
    amount: PositiveMinutes
    reason: ShortText


class ReverseTransfer(Contract):
    transfer_id: UUID
    reverses_transfer_id: UUID
    amount: PositiveMinutes | None = Field(default=None, description="Default: all that is left")
    reason: Text


# -- results ------------------------------------------------------------------------------------


class CommunityRef(Contract):
    community: CommunityCode


class ExchangeStatus(Contract):
    exchange_id: UUID
    state: ExchangeState
    amount: PositiveMinutes
    pending_transfer_id: UUID | None = None
    transfer_id: UUID | None = None


class TransferRef(Contract):
    transfer_id: UUID
    amount: PositiveMinutes


# -- queries ------------------------------------------------------------------------------------


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


_M = ("not_a_member", "member_not_active", "not_your_account", "unknown_community", "unknown_unit")
_LIMITS = LIMIT_ERRORS

# -- who may act (checked by the kit before a handler runs) -------------------------------------

MEMBER_ROLES = frozenset({"resident", "organisation"})
"""Members act for themselves: `actor.id` is their member id."""
COORDINATOR_ROLES = frozenset({"coordinator", "operator"})
"""Coordinators (and operators) act on behalf of any member."""

COORDINATOR_ONLY = Policy(COORDINATOR_ROLES, code="coordinator_only")


def member_or_coordinator(own: str | None = None) -> Policy:
    """A member (as themself, when `own` names the request's member field) or a coordinator.
    Which exchange or listing is the member's own depends on stored state: the domain checks
    that, with the same code."""
    return Policy(MEMBER_ROLES | COORDINATOR_ROLES, own=own, code="not_your_account")


# -- commands -----------------------------------------------------------------------------------

CONFIGURE_COMMUNITY = TIMEBANK.command(
    "configure_community",
    ConfigureCommunity,
    CommunityRef,
    "Set up a time bank, its units and limits.",
    ("coordinator_only",),
    policy=COORDINATOR_ONLY,
)
REGISTER_MEMBER = TIMEBANK.command(
    "register_member",
    RegisterMember,
    MemberRef,
    "Apply to join, or register someone who is not online (coordinator).",
    ("unknown_community", "coordinator_only"),
    policy=Policy(MEMBER_ROLES | COORDINATOR_ROLES, code="coordinator_only"),
)
APPROVE_MEMBER = TIMEBANK.command(
    "approve_member",
    MemberRef,
    MemberRef,
    "Make an applied or suspended member active.",
    ("coordinator_only", "invalid_member_state", "not_found"),
    policy=COORDINATOR_ONLY,
)
SUSPEND_MEMBER = TIMEBANK.command(
    "suspend_member",
    SuspendMember,
    MemberRef,
    "Suspend an active member.",
    ("coordinator_only", "invalid_member_state", "not_found"),
    policy=COORDINATOR_ONLY,
)
LEAVE = TIMEBANK.command(
    "leave",
    MemberRef,
    MemberRef,
    "Leave the time bank.",
    ("not_your_account", "invalid_member_state", "pending_transfers", "not_found"),
    policy=member_or_coordinator(own="member_id"),
)
RECORD_VOG = TIMEBANK.command(
    "record_vog",
    RecordVog,
    MemberRef,
    "Record that a VOG was seen.",
    ("coordinator_only", "not_found"),
    policy=COORDINATOR_ONLY,
)
SET_MEMBER_LIMITS = TIMEBANK.command(
    "set_member_limits",
    SetMemberLimits,
    MemberRef,
    "Give one member other limits.",
    ("coordinator_only", "unknown_unit", "not_found"),
    policy=COORDINATOR_ONLY,
)
PUBLISH_LISTING = TIMEBANK.command(
    "publish_listing",
    PublishListing,
    ListingRef,
    "Post an offer or a request.",
    (*_M, "invalid_expiry"),
    policy=member_or_coordinator(own="member_id"),
)
CLOSE_LISTING = TIMEBANK.command(
    "close_listing",
    ListingRef,
    ListingRef,
    "Close one's own listing.",
    ("not_your_account", "listing_closed", "not_found"),
    policy=member_or_coordinator(),
)
PROPOSE_EXCHANGE = TIMEBANK.command(
    "propose_exchange",
    ProposeExchange,
    ExchangeStatus,
    "Answer a listing or propose an exchange.",
    (*_M, "listing_closed", "own_listing", "same_account"),
    policy=member_or_coordinator(own="proposer_id"),
)
ACCEPT_EXCHANGE = TIMEBANK.command(
    "accept_exchange",
    ExchangeRef,
    ExchangeStatus,
    "The other side agrees: the minutes are reserved.",
    (*_M, *_LIMITS, "exchange_not_open"),
    policy=member_or_coordinator(),
)
RECORD_EXCHANGE = TIMEBANK.command(
    "record_exchange",
    RecordExchange,
    ExchangeStatus,
    "A coordinator records an agreed exchange for two members.",
    (*_M, *_LIMITS, "coordinator_only", "listing_closed"),
    policy=COORDINATOR_ONLY,
)
RECORD_HOURS = TIMEBANK.command(
    "record_hours",
    RecordHours,
    ExchangeStatus,
    "The provider records the minutes given (at most as agreed).",
    ("not_your_account", "exchange_not_open", "more_than_agreed"),
    policy=member_or_coordinator(),
)
CONFIRM_EXCHANGE = TIMEBANK.command(
    "confirm_exchange",
    ConfirmExchange,
    ExchangeStatus,
    "The receiver (or a coordinator) confirms: the minutes are posted.",
    (
        "not_your_account",
        "exchange_not_open",
        "exchange_already_confirmed",
        "more_than_agreed",
        "above_max_balance",
    ),
    policy=member_or_coordinator(),
)
CANCEL_EXCHANGE = TIMEBANK.command(
    "cancel_exchange",
    CancelExchange,
    ExchangeStatus,
    "Either side cancels before confirmation: the reservation is voided.",
    ("not_your_account", "exchange_not_open", "exchange_already_confirmed"),
    policy=member_or_coordinator(),
)
DISPUTE_EXCHANGE = TIMEBANK.command(
    "dispute_exchange",
    DisputeExchange,
    ExchangeStatus,
    "Either side disputes; a coordinator decides.",
    ("not_your_account", "exchange_not_open"),
    # A dispute is raised by a party, not (yet) by a coordinator on their behalf.
    policy=Policy(MEMBER_ROLES, code="not_your_account"),
)
RESOLVE_DISPUTE = TIMEBANK.command(
    "resolve_dispute",
    ResolveDispute,
    ExchangeStatus,
    "A coordinator confirms, voids, reverses or dismisses a dispute.",
    (
        "coordinator_only",
        "not_disputed",
        "more_than_agreed",
        "not_reversible",
        "above_max_balance",
        "over_debt_limit",
    ),
    policy=COORDINATOR_ONLY,
)
DONATE = TIMEBANK.command(
    "donate",
    Donate,
    TransferRef,
    "Give minutes to the community pot.",
    (*_M, *_LIMITS, "transfer_id_conflict"),
    policy=member_or_coordinator(own="member_id"),
)
AWARD = TIMEBANK.command(
    "award",
    Award,
    TransferRef,
    "A coordinator awards minutes from the community pot, with a reason.",
    (*_M, *_LIMITS, "coordinator_only", "transfer_id_conflict"),
    policy=COORDINATOR_ONLY,
)
REVERSE_TRANSFER = TIMEBANK.command(
    "reverse_transfer",
    ReverseTransfer,
    TransferRef,
    "A coordinator corrects a posted transfer with a reversing one.",
    ("coordinator_only", "not_reversible", "transfer_id_conflict", *_LIMITS),
    policy=COORDINATOR_ONLY,
)

# -- queries ------------------------------------------------------------------------------------

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
