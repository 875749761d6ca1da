"""What the time bank's events mean for people (issue 14): both sides of an exchange hear when
it is proposed (the side that must accept), agreed, confirmed, cancelled, disputed or resolved,
and a few days before it confirms itself; the coordinators of the community hear of disputes
and of people who applied to join; a member hears when they are approved, awarded hours, or a
transfer of theirs is reversed."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from contracts.timebank import (
    ExchangeAgreed,
    ExchangeCancelled,
    ExchangeConfirmed,
    ExchangeDisputed,
    ExchangeFacts,
    ExchangeProposed,
    ExchangeResolved,
    MemberApproved,
    MemberRegistered,
    TransferPosted,
    TransferReversed,
)

from .model import Notice, Person, Staff

REMINDER_NAMESPACE = UUID("0b6b1f0e-5d7a-4c1e-9a53-6a3f6f0e2c41")


def _exchange(e: ExchangeFacts) -> dict:
    return {"exchange_id": str(e.exchange_id), "unit": e.unit, "community": e.community}


def _both_sides(e: ExchangeFacts, kind: str, **params) -> list[Notice]:
    """One notice per side, each naming the other side and saying which side they are."""
    provider, receiver = str(e.provider.member_id), str(e.receiver.member_id)
    base = {**_exchange(e), **params}
    return [
        Notice(Person(provider), kind, {**base, "side": "provider"}, {"other_name": receiver}),
        Notice(Person(receiver), kind, {**base, "side": "receiver"}, {"other_name": provider}),
    ]


def exchange_proposed(e: ExchangeProposed) -> list[Notice]:
    """The side that did not propose is asked to accept."""
    return [
        n
        for n in _both_sides(e, "exchange_proposed", amount=e.amount)
        if n.audience != Person(str(e.proposed_by))
    ]


def exchange_agreed(e: ExchangeAgreed) -> list[Notice]:
    return _both_sides(e, "exchange_agreed", amount=e.amount, confirm_by=e.confirm_by.isoformat())


def exchange_confirmed(e: ExchangeConfirmed) -> list[Notice]:
    return _both_sides(e, "exchange_confirmed", amount=e.amount, confirmed_by=e.confirmed_by)


def exchange_cancelled(e: ExchangeCancelled) -> list[Notice]:
    return _both_sides(e, "exchange_cancelled", reason=e.reason)


def exchange_disputed(e: ExchangeDisputed) -> list[Notice]:
    """Both sides, and the community's coordinators, who decide."""
    sides = _both_sides(e, "exchange_disputed", reason=e.reason)
    coordinators = Notice(
        Staff("coordinator", e.community),
        "dispute_to_decide",
        {**_exchange(e), "reason": e.reason},
        {
            "provider_name": str(e.provider.member_id),
            "receiver_name": str(e.receiver.member_id),
            "disputed_by_name": str(e.disputed_by),
        },
    )
    return [*sides, coordinators]


def exchange_resolved(e: ExchangeResolved) -> list[Notice]:
    return _both_sides(e, "exchange_resolved", outcome=e.outcome, amount=e.amount, note=e.note)


def member_registered(e: MemberRegistered) -> list[Notice]:
    """A person applied on their own: the coordinators vet them. (A coordinator who registers
    someone needs no message about it.)"""
    if e.registered_by != "self":
        return []
    return [
        Notice(
            Staff("coordinator", e.community),
            "member_applied",
            {"community": e.community, "member_id": str(e.member_id), "needs_vog": e.needs_vog},
            {"member_name": str(e.member_id)},
        )
    ]


def member_approved(e: MemberApproved) -> list[Notice]:
    return [Notice(Person(str(e.member_id)), "member_approved", {"community": e.community})]


def transfer_posted(e: TransferPosted) -> list[Notice]:
    """Hours awarded from the community pot. (Exchanges are told by `exchange.confirmed`;
    a donation is the donor's own act.)"""
    if e.kind != "award" or e.credit_member_id is None:
        return []
    return [
        Notice(
            Person(str(e.credit_member_id)),
            "hours_awarded",
            {"amount": e.amount, "unit": e.unit, "note": e.note, "community": e.community},
        )
    ]


def transfer_reversed(e: TransferReversed) -> list[Notice]:
    """Both members whose balance a correction changes."""
    members = [m for m in (e.debit_member_id, e.credit_member_id) if m is not None]
    return [
        Notice(
            Person(str(m)),
            "transfer_reversed",
            {
                "amount": e.amount,
                "unit": e.unit,
                "reason": e.reason,
                "received": m == e.credit_member_id,
            },
        )
        for m in members
    ]


RULES = {
    ExchangeProposed: exchange_proposed,
    ExchangeAgreed: exchange_agreed,
    ExchangeConfirmed: exchange_confirmed,
    ExchangeCancelled: exchange_cancelled,
    ExchangeDisputed: exchange_disputed,
    ExchangeResolved: exchange_resolved,
    MemberRegistered: member_registered,
    MemberApproved: member_approved,
    TransferPosted: transfer_posted,
    TransferReversed: transfer_reversed,
}
"""Each consumed time-bank event model and what it means for people."""

EXCHANGE_CLOSERS = (ExchangeConfirmed, ExchangeCancelled, ExchangeDisputed, ExchangeResolved)
"""After any of these an exchange no longer confirms itself: no reminder is due."""


def reminder_due(confirm_by: datetime, lead: timedelta) -> datetime:
    """When both sides hear that an agreed exchange will confirm itself: `lead` before its
    `confirm_by` (the time bank's auto-confirmation)."""
    return confirm_by - lead


def reminder_event_id(exchange_id: UUID) -> UUID:
    """The reminder's stand-in event id: one per exchange, so the dedup key holds for it too."""
    return uuid5(REMINDER_NAMESPACE, f"auto-confirm/{exchange_id}")


def reminder_notices(
    exchange_id: UUID,
    community: str,
    unit: str,
    amount: int,
    confirm_by: datetime,
    provider: str,
    receiver: str,
) -> list[Notice]:
    """The auto-confirmation reminder: the receiver confirms or disputes before `confirm_by`;
    the provider knows when the hours will arrive."""
    base = {
        "exchange_id": str(exchange_id),
        "community": community,
        "unit": unit,
        "amount": amount,
        "confirm_by": confirm_by.isoformat(),
    }
    return [
        Notice(
            Person(provider),
            "auto_confirm_soon",
            {**base, "side": "provider"},
            {"other_name": receiver},
        ),
        Notice(
            Person(receiver),
            "auto_confirm_soon",
            {**base, "side": "receiver"},
            {"other_name": provider},
        ),
    ]
