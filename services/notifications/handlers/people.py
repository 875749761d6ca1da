"""A person's own things: staff contact details, preferences, the inbox, the demo mailbox."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from contracts import Actor, Refusal
from contracts import notifications as c
from kit.mailbox import read_mailbox
from kit.requests import QueryContext
from kit.uow import UnitOfWork

from ..domain import KINDS, Contact, Preferences, zone
from ..render import Renderer
from ..repository import Repository


def yourself(actor: Actor, person_id: str) -> None:
    """Only the person themself, whatever their role. (`Policy.own` binds member roles only;
    a coordinator's reach over members does not extend to their messages.)"""
    if actor.id != person_id:
        raise Refusal("not_your_inbox")


async def set_contact(uow: UnitOfWork, cmd: c.SetContact) -> c.PersonRef:
    """Staff: where their messages go. Role and scopes are the signed-in actor's."""
    yourself(uow.actor, cmd.person_id)
    contact = Contact(
        person_id=cmd.person_id,
        name=cmd.name,
        email=str(cmd.email) if cmd.email else None,
        language=cmd.language,
        role=uow.actor.role,
        scopes=tuple(uow.actor.scopes),
    )
    await Repository(uow.conn).save_staff(contact)
    return c.PersonRef(person_id=cmd.person_id)


async def set_preferences(uow: UnitOfWork, cmd: c.SetPreferences) -> c.PersonRef:
    yourself(uow.actor, cmd.person_id)
    for switch in cmd.off:
        if switch.kind not in KINDS:
            raise Refusal("unknown_kind", {"kind": switch.kind}, kind=switch.kind)
    try:
        zone(cmd.time_zone)
    except ValueError:
        raise Refusal(
            "unknown_time_zone", {"time_zone": cmd.time_zone}, time_zone=cmd.time_zone
        ) from None
    prefs = Preferences(
        frozenset((s.kind, s.channel) for s in cmd.off),
        cmd.digest,
        cmd.time_zone,
        cmd.digest_hour,
    )
    await Repository(uow.conn).save_preferences(cmd.person_id, prefs)
    return c.PersonRef(person_id=cmd.person_id)


async def get_preferences(ctx: QueryContext, q: c.PersonRef) -> c.Preferences:
    yourself(ctx.actor, q.person_id)
    row = await Repository(ctx.conn).preference_row(q.person_id)
    kinds = sorted(KINDS)
    if row is None:
        return c.Preferences(person_id=q.person_id, kinds=kinds)
    return c.Preferences(
        person_id=q.person_id,
        off=[c.Switch(kind=k, channel=ch) for k, ch in (o.split("/", 1) for o in row["off"])],
        digest=row["digest"],
        time_zone=row["time_zone"],
        digest_hour=row["digest_hour"],
        kinds=kinds,
    )


async def mark_read(uow: UnitOfWork, cmd: c.MarkRead) -> c.Marked:
    yourself(uow.actor, cmd.person_id)
    ids = None if cmd.all else cmd.message_ids
    if ids == []:
        return c.Marked(marked=0)
    return c.Marked(marked=await Repository(uow.conn).mark_read(cmd.person_id, ids))


def list_inbox(renderer: Renderer):
    async def handle(ctx: QueryContext, q: c.InboxQuery) -> c.Inbox:
        """The person's messages, newest first, rendered in the language each was made in."""
        yourself(ctx.actor, q.person_id)
        repo = Repository(ctx.conn)
        rows = await repo.inbox(q.person_id, q.unread_only, q.before, q.limit)
        prefs = (await repo.preferences([q.person_id])).get(q.person_id)
        tz = prefs.time_zone if prefs else "Europe/Amsterdam"
        items = []
        for row in rows:
            text = renderer.render(row["kind"], row["language"], json.loads(row["params"]), tz)
            items.append(
                c.InboxItem(
                    message_id=row["id"],
                    kind=row["kind"],
                    subject=text.subject,
                    paragraphs=list(text.paragraphs),
                    for_name=text.for_name,
                    created_at=row["created_at"],
                    read_at=row["read_at"],
                )
            )
        more = len(rows) == q.limit
        return c.Inbox(
            items=items,
            unread=await repo.unread(q.person_id),
            next_before=rows[-1]["id"] if more else None,
        )

    return handle


def demo_mailbox(folder: Path | None):
    async def handle(ctx: QueryContext, q: c.MailboxQuery) -> c.DemoMailbox:
        """What the embedded default's local mail server received for this person."""
        yourself(ctx.actor, q.person_id)
        if folder is None:
            raise Refusal("no_demo_mailbox")
        address = (await Repository(ctx.conn).contacts([q.person_id])).get(q.person_id)
        email = address.email if address else None
        if email is None:
            return c.DemoMailbox(address=None, mails=[])
        mails = await asyncio.to_thread(read_mailbox, folder, email, q.limit)
        return c.DemoMailbox(
            address=email,
            mails=[
                c.DemoMail(
                    message_id=m.message_id,
                    received_at=m.received_at,
                    subject=m.subject,
                    text=m.text,
                    html=m.html,
                )
                for m in mails
            ],
        )

    return handle
