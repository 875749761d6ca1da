"""The time bank's rules, with no I/O: communities, members, listings and exchanges.

The hours themselves move on the shared ledger component (`ledger/`): an agreed exchange is a
pending transfer there, a confirmed one its posting. Every hour counts the same, whatever the
work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from contracts import Actor, Refusal
from contracts.timebank import COORDINATOR_ROLES, MEMBER_ROLES

Kind = Literal["exchange", "donation", "award", "reversal"]
"""The time bank's kinds of transfer (a ledger transfer's `kind`)."""

MAX_LISTING_DAYS = 365


# -- who may act --------------------------------------------------------------------------------


def is_coordinator(actor: Actor) -> bool:
    return actor.role in COORDINATOR_ROLES


def require_coordinator(actor: Actor) -> None:
    """For a rule that depends on the request's shape (a community's statement)."""
    if not is_coordinator(actor):
        raise Refusal("coordinator_only")


def acts_as(actor: Actor, member_id: UUID) -> bool:
    return actor.role in MEMBER_ROLES and actor.id == str(member_id)


def require_self_or_coordinator(actor: Actor, *member_ids: UUID) -> None:
    """A member acts for themself; a coordinator may act on behalf of anyone."""
    if is_coordinator(actor) or any(acts_as(actor, m) for m in member_ids):
        return
    raise Refusal("not_your_account")


# -- community ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRules:
    unit: str
    debt_limit: int
    max_balance: int | None
    community_debt_limit: int = 0


@dataclass(frozen=True)
class Community:
    code: str
    name: str
    units: dict[str, UnitRules]
    auto_confirm_days: int = 14

    def unit(self, code: str) -> UnitRules:
        if code not in self.units:
            raise Refusal("unknown_unit", {"unit": code}, unit=code)
        return self.units[code]

    def confirm_by(self, agreed_at: datetime) -> datetime:
        return agreed_at + timedelta(days=self.auto_confirm_days)


# -- members ------------------------------------------------------------------------------------


@dataclass
class Member:
    id: UUID
    community: str
    kind: Literal["resident", "organisation"]
    name: str
    neighbourhood: str
    languages: list[str]
    skills: list[str]
    state: Literal["applied", "active", "suspended", "left"] = "applied"
    needs_vog: bool = False
    vog_seen_on: date | None = None
    email: str | None = None
    phone: str | None = None

    def ensure_active(self) -> None:
        if self.state != "active":
            raise Refusal(
                "member_not_active",
                {"member_id": str(self.id), "state": self.state},
                state=self.state,
            )

    def approve(self) -> None:
        if self.state not in ("applied", "suspended"):
            raise Refusal("invalid_member_state", {"state": self.state}, state=self.state)
        self.state = "active"

    def suspend(self) -> None:
        if self.state != "active":
            raise Refusal("invalid_member_state", {"state": self.state}, state=self.state)
        self.state = "suspended"

    def leave(self, has_open_exchanges: bool) -> None:
        if self.state == "left":
            raise Refusal("invalid_member_state", {"state": self.state}, state=self.state)
        if has_open_exchanges:
            raise Refusal("pending_transfers")
        self.state = "left"


# -- listings -----------------------------------------------------------------------------------


@dataclass
class Listing:
    id: UUID
    community: str
    member_id: UUID
    kind: Literal["offer", "request"]
    title: str
    description: str
    category: str
    neighbourhood: str
    expires_at: datetime
    initiative_id: UUID | None = None
    state: Literal["open", "closed", "expired"] = "open"

    @staticmethod
    def check_expiry(expires_at: datetime, now: datetime) -> None:
        if not now < expires_at <= now + timedelta(days=MAX_LISTING_DAYS):
            raise Refusal("invalid_expiry")

    def ensure_open(self, now: datetime) -> None:
        if self.state != "open" or self.expires_at <= now:
            raise Refusal("listing_closed", {"listing_id": str(self.id)})

    def close(self) -> None:
        if self.state != "open":
            raise Refusal("listing_closed", {"listing_id": str(self.id)})
        self.state = "closed"

    def expire(self, now: datetime) -> bool:
        if self.state == "open" and self.expires_at <= now:
            self.state = "expired"
            return True
        return False

    def roles_for_answer(
        self,
    ) -> tuple[Literal["provider", "receiver"], Literal["provider", "receiver"]]:
        """(answerer's role, owner's role): whoever answers an offer receives the help."""
        return ("receiver", "provider") if self.kind == "offer" else ("provider", "receiver")


# -- exchanges ----------------------------------------------------------------------------------

ExchangeState = Literal["proposed", "agreed", "confirmed", "cancelled", "disputed", "resolved"]


@dataclass
class Exchange:
    id: UUID
    community: str
    unit: str
    provider_id: UUID  # gives help, receives the minutes
    receiver_id: UUID  # receives help, pays the minutes
    amount: int
    description: str
    proposed_by: UUID | None
    state: ExchangeState = "proposed"
    category: str | None = None
    listing_id: UUID | None = None
    initiative_id: UUID | None = None
    recorded_amount: int | None = None
    pending_transfer_id: UUID | None = None
    transfer_id: UUID | None = None
    confirm_by: datetime | None = None
    recorded_by_coordinator: str | None = None
    confirmed_by: str | None = None
    disputed_from: ExchangeState | None = None
    disputed_by: UUID | None = None
    # The parties as they were when the exchange was made: events and statistics need them.
    provider_kind: str = "resident"
    provider_neighbourhood: str = ""
    receiver_kind: str = "resident"
    receiver_neighbourhood: str = ""

    def parties(self) -> tuple[UUID, UUID]:
        return self.provider_id, self.receiver_id

    def _state_must_be(self, *states: ExchangeState) -> None:
        if self.state not in states:
            if self.state == "confirmed":
                raise Refusal("exchange_already_confirmed", {"exchange_id": str(self.id)})
            raise Refusal("exchange_not_open", {"state": self.state}, state=self.state)

    def accept(self, actor: Actor) -> None:
        """The side that did not propose agrees (or a coordinator, on their behalf)."""
        self._state_must_be("proposed")
        other = self.receiver_id if self.proposed_by == self.provider_id else self.provider_id
        require_self_or_coordinator(actor, other)

    def agreed(self, pending_transfer_id: UUID, confirm_by: datetime) -> None:
        self.state = "agreed"
        self.pending_transfer_id = pending_transfer_id
        self.confirm_by = confirm_by

    def record_hours(self, actor: Actor, amount: int) -> None:
        self._state_must_be("agreed")
        require_self_or_coordinator(actor, self.provider_id)
        if amount > self.amount:
            raise Refusal("more_than_agreed", {"agreed": self.amount}, agreed=self.amount)
        self.recorded_amount = amount

    def amount_to_post(self, amount: int | None) -> int:
        chosen = amount if amount is not None else (self.recorded_amount or self.amount)
        if chosen > self.amount:
            raise Refusal("more_than_agreed", {"agreed": self.amount}, agreed=self.amount)
        return chosen

    def confirm(
        self, actor: Actor, amount: int | None
    ) -> tuple[int, Literal["receiver", "coordinator"]]:
        """The receiver confirms the help they got (a coordinator may, on their behalf)."""
        self._state_must_be("agreed")
        require_self_or_coordinator(actor, self.receiver_id)
        return self.amount_to_post(amount), ("coordinator" if is_coordinator(actor) else "receiver")

    def auto_confirmable(self, now: datetime) -> bool:
        return self.state == "agreed" and self.confirm_by is not None and self.confirm_by <= now

    def confirmed(self, transfer_id: UUID, by: str) -> None:
        self.state = "confirmed"
        self.transfer_id = transfer_id
        self.confirmed_by = by

    def cancel(self, actor: Actor) -> None:
        self._state_must_be("proposed", "agreed")
        require_self_or_coordinator(actor, *self.parties())
        self.state = "cancelled"

    def dispute(self, actor: Actor) -> UUID:
        self._state_must_be("agreed", "confirmed")
        if is_coordinator(actor):
            raise Refusal("not_your_account")  # a dispute is raised by a party
        require_self_or_coordinator(actor, *self.parties())
        self.disputed_from = self.state
        self.disputed_by = UUID(actor.id)
        self.state = "disputed"
        return self.disputed_by

    def resolve(self, outcome: str) -> None:
        """Whether a coordinator (the operation's policy) may resolve this way."""
        if self.state != "disputed":
            raise Refusal("not_disputed")
        was_posted = self.disputed_from == "confirmed"
        if outcome in ("confirm", "void") and was_posted:
            raise Refusal("not_reversible", why="the minutes were posted already; reverse them")
        if outcome == "reverse" and not was_posted:
            raise Refusal("not_reversible", why="nothing was posted yet; void or confirm instead")

    def resolved(self, outcome: str) -> None:
        if outcome == "dismiss":
            self.state = self.disputed_from or "agreed"
        else:
            self.state = "resolved"
        self.disputed_from = None
