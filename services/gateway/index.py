"""The portal's index of what the time bank published: which exchanges each member takes part
in and their latest state, and members by state, kept from the time bank's events by a durable
consumer (kit: inbox, explicit acks, dead letters). It answers the lists on the pages (my
exchanges; the desk's applications, confirmations waiting, disputes) until the time bank
answers those lists itself (issue 10): then `Lists` asks it instead, and this goes.

It holds no rules: it only remembers what happened; every page shows an item's details from
the time bank's own answer (`get_exchange`, `get_member`)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from contracts import Event
from contracts import timebank as tb
from contracts.timebank import TIMEBANK
from kit.registration import Consumer
from kit.uow import UnitOfWork

from .repository import GatewayRepository, note_exchange, note_member

EXCHANGE_STATES = {
    "timebank.exchange.proposed": "proposed",
    "timebank.exchange.agreed": "agreed",
    "timebank.exchange.confirmed": "confirmed",
    "timebank.exchange.cancelled": "cancelled",
    "timebank.exchange.disputed": "disputed",
    "timebank.exchange.resolved": "resolved",
}
MEMBER_STATES = {
    "timebank.member.registered": "applied",
    "timebank.member.approved": "active",
    "timebank.member.suspended": "suspended",
    "timebank.member.left": "left",
}


async def on_exchange(uow: UnitOfWork, event: Event) -> None:
    facts: tb.ExchangeFacts = event.data
    coordinator = getattr(facts, "recorded_by_coordinator", None) is not None
    state = EXCHANGE_STATES[event.type]
    if isinstance(facts, tb.ExchangeResolved) and facts.outcome == "dismissed":
        state = "dismissed"  # back to what it was; the page asks the time bank which
    await note_exchange(
        uow.conn,
        facts.exchange_id,
        facts.community,
        facts.provider.member_id,
        facts.receiver.member_id,
        state,
        getattr(facts, "amount", 0) or 0,
        coordinator,
        event.occurred_at,
        getattr(facts, "proposed_by", None),
    )


async def on_member(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    registered = isinstance(data, tb.MemberRegistered)
    await note_member(
        uow.conn,
        data.member_id,
        data.community,
        MEMBER_STATES[event.type],
        event.occurred_at,
        registered_by=data.registered_by if registered else None,
        needs_vog=data.needs_vog if registered else None,
    )


EXCHANGE_EVENTS = (
    tb.ExchangeProposed,
    tb.ExchangeAgreed,
    tb.ExchangeConfirmed,
    tb.ExchangeCancelled,
    tb.ExchangeDisputed,
    tb.ExchangeResolved,
)
MEMBER_EVENTS = (tb.MemberRegistered, tb.MemberApproved, tb.MemberSuspended, tb.MemberLeft)
CONSUMER = Consumer(
    "portal-index",
    TIMEBANK,
    {
        **{TIMEBANK.spec_of(model): on_exchange for model in EXCHANGE_EVENTS},
        **{TIMEBANK.spec_of(model): on_member for model in MEMBER_EVENTS},
    },
)
"""The durable consumer `gateway-portal-index` on the time bank's stream."""


class Lists(Protocol):
    """The lists the pages show. Today from the index; issue 10's time-bank queries later."""

    async def my_exchanges(self, member_id: UUID, page: int, per_page: int) -> list[UUID]: ...

    async def exchanges(self, communities: list[str] | None, states: list[str]) -> list[UUID]: ...

    async def members(self, communities: list[str] | None, states: list[str]) -> list[UUID]: ...


class IndexLists:
    def __init__(self, repo: GatewayRepository, limit: int = 100):
        self.repo, self.limit = repo, limit

    async def my_exchanges(self, member_id: UUID, page: int, per_page: int) -> list[UUID]:
        rows = await self.repo.exchanges_of(member_id, per_page, (page - 1) * per_page)
        return [r["exchange_id"] for r in rows]

    async def exchanges(self, communities: list[str] | None, states: list[str]) -> list[UUID]:
        rows = await self.repo.exchanges_in(communities, states, self.limit)
        return [r["exchange_id"] for r in rows]

    async def members(self, communities: list[str] | None, states: list[str]) -> list[UUID]:
        rows = await self.repo.members_in(communities, states, self.limit)
        return [r["member_id"] for r in rows]
