"""Shared by every event handler and the reminder job: turn notices into stored messages."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from ..domain import Notice, Staff, deliveries, people_named, stand_ins_needed
from ..repository import Repository


async def notify(conn: asyncpg.Connection, event_id: UUID, notices: Iterable[Notice]) -> int:
    """Look up who the notices reach, decide the messages (domain), store the new ones (the
    dedup key skips any made before). Returns how many were new."""
    notices = list(notices)
    if not notices:
        return 0
    repo = Repository(conn)
    contacts = await repo.contacts(people_named(notices))
    missing = stand_ins_needed(contacts) - contacts.keys()
    if missing:
        contacts |= await repo.contacts(missing)
    staff = await repo.staff({n.audience for n in notices if isinstance(n.audience, Staff)})
    reached = contacts.keys() | {c.person_id for people in staff.values() for c in people}
    prefs = await repo.preferences(reached)
    return await repo.add_messages(deliveries(event_id, notices, contacts, staff, prefs))
