"""The time bank's rules, with no I/O: members, listings, exchanges and the hour ledger.

The ledger follows TigerBeetle's model. An account keeps posted and pending debits and credits;
transfers are immutable rows: a *pending* transfer reserves an amount, a *posted* transfer moves
it (directly, or by posting a pending one, possibly for less), a *void* releases a pending one.
A pending transfer is resolved at most once. A mistake is corrected by a reversing transfer,
never by changing one. Every hour counts the same, whatever the work.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from contracts import Actor, Refusal

Phase = Literal["pending", "posted", "void"]
Kind = Literal["exchange", "donation", "award", "reversal"]

COORDINATOR_ROLES = frozenset({"coordinator", "operator"})
MEMBER_ROLES = frozenset({"resident", "organisation"})
MAX_LISTING_DAYS = 365


# -- who may act --------------------------------------------------------------------------------


def is_coordinator(actor: Actor) -> bool:
    return actor.role in COORDINATOR_ROLES


def require_coordinator(actor: Actor) -> None:
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


# -- accounts and transfers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    id: UUID
    community: str
    unit: str
    member_id: UUID | None  # None: the community pot (gemeenschapspot)
    debt_limit: int
    max_balance: int | None = None
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What may still be spent: reservations count as spent, the debt limit as available."""
        return self.balance - self.debits_pending + self.debt_limit

    def limit_violation(self) -> str | None:
        """Why this account is beyond its limits, or None. Pending debits count as spent,
        pending credits as received: whatever happens to them, the limits hold."""
        if self.debits_posted + self.debits_pending > self.credits_posted + self.debt_limit:
            return (
                f"debits {self.debits_posted}+{self.debits_pending} pending exceed credits "
                f"{self.credits_posted} + debt limit {self.debt_limit}"
            )
        if self.max_balance is not None and (
            self.credits_posted + self.credits_pending - self.debits_posted > self.max_balance
        ):
            return (
                f"credits {self.credits_posted}+{self.credits_pending} pending - debits "
                f"{self.debits_posted} exceed max balance {self.max_balance}"
            )
        return None


@dataclass(frozen=True)
class Transfer:
    id: UUID
    community: str
    unit: str
    debit_account_id: UUID
    credit_account_id: UUID
    amount: int
    phase: Phase
    kind: Kind
    pending_id: UUID | None = None
    reverses_id: UUID | None = None
    exchange_id: UUID | None = None
    note: str | None = None
    recorded_by: str | None = None
    at: datetime | None = None

    def same_as(self, other: Transfer) -> bool:
        """A repeated transfer id is harmless only if everything else is the same too."""
        fields = (
            "debit_account_id",
            "credit_account_id",
            "amount",
            "unit",
            "phase",
            "kind",
            "pending_id",
            "reverses_id",
        )
        return all(getattr(self, f) == getattr(other, f) for f in fields)


@dataclass(frozen=True)
class Posting:
    """The outcome of a ledger operation: the transfer and both accounts after it."""

    transfer: Transfer
    debit: Account
    credit: Account


def _check_pair(debit: Account, credit: Account, amount: int) -> None:
    if amount <= 0:
        raise Refusal("amount_not_positive")
    if debit.id == credit.id:
        raise Refusal("same_account")
    if (debit.community, debit.unit) != (credit.community, credit.unit):
        raise ValueError("accounts of different communities or units cannot meet in a transfer")


def _within_limits(debit: Account, credit: Account, amount: int) -> None:
    """`debit` and `credit` as they would be after moving `amount`."""
    if debit.limit_violation():
        available = max(debit.available + amount, 0)  # what was available before
        raise Refusal(
            "over_debt_limit",
            {"account_id": str(debit.id), "available": available},
            available=available,
        )
    if credit.limit_violation():
        raise Refusal("above_max_balance", {"account_id": str(credit.id)})


def _transfer(
    transfer_id: UUID,
    debit: Account,
    credit: Account,
    amount: int,
    phase: Phase,
    kind: Kind,
    **extra,
) -> Transfer:
    return Transfer(
        transfer_id, debit.community, debit.unit, debit.id, credit.id, amount, phase, kind, **extra
    )


def reserve(
    transfer_id: UUID,
    debit: Account,
    credit: Account,
    amount: int,
    kind: Kind = "exchange",
    **extra,
) -> Posting:
    """A pending transfer: the amount is held on both sides, within both accounts' limits."""
    _check_pair(debit, credit, amount)
    new_debit = replace(debit, debits_pending=debit.debits_pending + amount)
    new_credit = replace(credit, credits_pending=credit.credits_pending + amount)
    _within_limits(new_debit, new_credit, amount)
    return Posting(
        _transfer(transfer_id, debit, credit, amount, "pending", kind, **extra),
        new_debit,
        new_credit,
    )


def post_pending(
    transfer_id: UUID,
    pending: Transfer,
    debit: Account,
    credit: Account,
    amount: int | None = None,
    **extra,
) -> Posting:
    """Post a pending transfer, for its full amount or less, never more; releases the rest."""
    assert pending.phase == "pending"
    assert (debit.id, credit.id) == (pending.debit_account_id, pending.credit_account_id)
    amount = pending.amount if amount is None else amount
    if amount <= 0:
        raise Refusal("amount_not_positive")
    if amount > pending.amount:
        raise Refusal("more_than_agreed", {"agreed": pending.amount}, agreed=pending.amount)
    new_debit = replace(
        debit,
        debits_pending=debit.debits_pending - pending.amount,
        debits_posted=debit.debits_posted + amount,
    )
    new_credit = replace(
        credit,
        credits_pending=credit.credits_pending - pending.amount,
        credits_posted=credit.credits_posted + amount,
    )
    _within_limits(new_debit, new_credit, 0)
    transfer = _transfer(
        transfer_id,
        debit,
        credit,
        amount,
        "posted",
        pending.kind,
        pending_id=pending.id,
        exchange_id=pending.exchange_id,
        **extra,
    )
    return Posting(transfer, new_debit, new_credit)


def void_pending(
    transfer_id: UUID, pending: Transfer, debit: Account, credit: Account, **extra
) -> Posting:
    """Release a reservation; nothing moves."""
    assert pending.phase == "pending"
    new_debit = replace(debit, debits_pending=debit.debits_pending - pending.amount)
    new_credit = replace(credit, credits_pending=credit.credits_pending - pending.amount)
    transfer = _transfer(
        transfer_id,
        debit,
        credit,
        pending.amount,
        "void",
        pending.kind,
        pending_id=pending.id,
        exchange_id=pending.exchange_id,
        **extra,
    )
    return Posting(transfer, new_debit, new_credit)


def post_direct(
    transfer_id: UUID, debit: Account, credit: Account, amount: int, kind: Kind, **extra
) -> Posting:
    """Move an amount at once (donation, award, reversal), within both accounts' limits."""
    _check_pair(debit, credit, amount)
    new_debit = replace(debit, debits_posted=debit.debits_posted + amount)
    new_credit = replace(credit, credits_posted=credit.credits_posted + amount)
    _within_limits(new_debit, new_credit, amount)
    return Posting(
        _transfer(transfer_id, debit, credit, amount, "posted", kind, **extra),
        new_debit,
        new_credit,
    )


def reverse(
    transfer_id: UUID,
    original: Transfer,
    already_reversed: int,
    debit: Account,
    credit: Account,
    amount: int | None,
    reason: str,
    recorded_by: str,
    at: datetime | None = None,
) -> Posting:
    """Correct a posted transfer by moving (part of) its amount back; the original stays."""
    if original.phase != "posted":
        raise Refusal("not_reversible", {"phase": original.phase}, why="it is not posted")
    if original.kind == "reversal":
        raise Refusal("not_reversible", why="it is itself a reversal; make a new transfer")
    left = original.amount - already_reversed
    amount = left if amount is None else amount
    if left <= 0:
        raise Refusal("not_reversible", why="it was reversed in full already")
    if amount > left:
        raise Refusal("not_reversible", {"left": left}, why=f"only {left} is left to reverse")
    # The reversal runs the other way: who received pays back.
    assert (debit.id, credit.id) == (original.credit_account_id, original.debit_account_id)
    return post_direct(
        transfer_id,
        debit,
        credit,
        amount,
        "reversal",
        reverses_id=original.id,
        exchange_id=original.exchange_id,
        note=reason,
        recorded_by=recorded_by,
        at=at,
    )


def check_new_limits(account: Account, debt_limit: int | None, max_balance: int | None) -> Account:
    """Limits may change, but not below what the account already uses."""
    changed = replace(
        account,
        debt_limit=account.debt_limit if debt_limit is None else debt_limit,
        max_balance=account.max_balance if max_balance is None else max_balance,
    )
    if changed.limit_violation():
        raise Refusal(
            "over_debt_limit",
            {"account_id": str(account.id), "in_use": True},
            available=max(changed.available, 0),
        )
    return changed


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


# -- invariants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0


def ledger_violations(accounts: list[Account], recomputed: dict[UUID, Totals]) -> list[str]:
    """Every way the ledger can be wrong, each naming the account or unit: totals that differ
    from the journal, an account beyond its limits, debits and credits that do not balance."""
    found: list[str] = []
    sums: dict[tuple[str, str], list[int]] = {}
    for account in accounts:
        journal = recomputed.get(account.id, Totals())
        stored = Totals(
            account.debits_posted,
            account.credits_posted,
            account.debits_pending,
            account.credits_pending,
        )
        if stored != journal:
            found.append(
                f"account {account.id} ({account.unit}): stored totals {stored} differ "
                f"from the journal {journal}"
            )
        if (why := account.limit_violation()) is not None:
            found.append(f"account {account.id} ({account.unit}) is beyond its limits: {why}")
        s = sums.setdefault((account.community, account.unit), [0, 0, 0, 0])
        for i, value in enumerate(stored.__dict__.values()):
            s[i] += value
    for (community, unit), (dp, cp, dq, cq) in sorted(sums.items()):
        if dp != cp:
            found.append(f"{community}/{unit}: posted debits {dp} != posted credits {cp}")
        if dq != cq:
            found.append(f"{community}/{unit}: pending debits {dq} != pending credits {cq}")
    return found
