"""The time bank's commands: request and result models, and each command's spec with its
error codes and policy (the keys of the service's handler table)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from ..ledger import LIMIT_ERRORS, Limit, PositiveLimit
from ..registry import Policy
from ..types import (
    Contract,
    Email,
    Language,
    Name,
    NeighbourhoodCode,
    PositiveMinutes,
    UtcDateTime,
)
from .policies import COORDINATOR_ONLY, COORDINATOR_ROLES, MEMBER_ROLES, member_or_coordinator
from .service import TIMEBANK
from .types import (
    Category,
    CommunityCode,
    ExchangeState,
    ListingKind,
    MemberKind,
    NewUnitSettings,
    Phone,
    ShortText,
    Text,
    UnitCode,
)


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


_M = ("not_a_member", "member_not_active", "not_your_account", "unknown_community", "unknown_unit")
_LIMITS = LIMIT_ERRORS

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
