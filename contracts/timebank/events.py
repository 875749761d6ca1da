"""The time bank's events: facts, past tense, each carrying what consumers need without
asking back (member ids, kinds and neighbourhoods; no names or contact details)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from ..types import (
    Contract,
    Language,
    Minutes,
    Name,
    NeighbourhoodCode,
    PositiveMinutes,
    UtcDateTime,
)
from .service import TIMEBANK
from .types import (
    Category,
    CommunityCode,
    ListingKind,
    MemberKind,
    Party,
    ShortText,
    Text,
    TransferKind,
    UnitCode,
    UnitSettings,
)


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
