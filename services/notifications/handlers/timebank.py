"""The time bank's events: keep the contacts projection, schedule reminders, tell people."""

from __future__ import annotations

from datetime import timedelta

from contracts import Event
from contracts.timebank import (
    ExchangeAgreed,
    MemberLeft,
    MemberRegistered,
)
from kit.uow import UnitOfWork

from ..domain import Contact
from ..domain import timebank as rules
from ..repository import Repository
from .notify import notify


async def told(uow: UnitOfWork, event: Event) -> None:
    """Any time-bank event with a rule: tell whom it concerns."""
    rule = rules.RULES[type(event.data)]
    await notify(uow.conn, event.event_id, rule(event.data))


async def member_registered(uow: UnitOfWork, event: Event[MemberRegistered]) -> None:
    """Keep how the member is reached, then tell the coordinators if they applied.

    v1 carries only the languages they speak (the first one is used): the member is kept
    without an address, so they get inbox messages only."""
    data = event.data
    contact = Contact(str(data.member_id), language=data.languages[0] if data.languages else "nl")
    await Repository(uow.conn).save_member(contact, data.community)
    await told(uow, event)


async def member_left(uow: UnitOfWork, event: Event[MemberLeft]) -> None:
    """Someone who left gets no more messages; their contact details are deleted."""
    await Repository(uow.conn).forget(str(event.data.member_id))


def exchange_agreed(lead: timedelta):
    async def handle(uow: UnitOfWork, event: Event[ExchangeAgreed]) -> None:
        """Tell both sides, and remind them `lead` before the exchange confirms itself."""
        e = event.data
        await Repository(uow.conn).add_reminder(
            e.exchange_id,
            rules.reminder_due(e.confirm_by, lead),
            e.confirm_by,
            e.community,
            e.unit,
            e.amount,
            str(e.provider.member_id),
            str(e.receiver.member_id),
        )
        await told(uow, event)

    return handle


async def exchange_closed(uow: UnitOfWork, event: Event) -> None:
    """Confirmed, cancelled, disputed or resolved: no reminder any more; tell both sides."""
    await Repository(uow.conn).close_exchange(event.data.exchange_id)
    await told(uow, event)
