"""PostgreSQL access for the notifications service: contacts, preferences, messages (inbox
items and the e-mail send queue), reminders. Statements only; the rules are in `domain/`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

import asyncpg

from contracts import new_id

from .domain import Contact, Delivery, Preferences, Staff, covers

_CONTACT_COLUMNS = "person_id, name, email, language, online, stand_in, role, scopes"


MAIL_CHANNEL = "notifications_mail"
# Called once per queued row; NOTIFY folds repeats within a transaction into one.
_WAKE = f"count(CASE WHEN state = 'queued' THEN pg_notify('{MAIL_CHANNEL}', '')::text END)"


def _contact(row) -> Contact:
    return Contact(
        person_id=row["person_id"],
        name=row["name"],
        email=row["email"],
        language=row["language"],
        online=row["online"],
        stand_in=row["stand_in"],
        role=row["role"],
        scopes=tuple(row["scopes"]),
    )


def _preferences(row) -> Preferences:
    off = frozenset(tuple(item.split("/", 1)) for item in row["off"])
    return Preferences(off, row["digest"], row["time_zone"], row["digest_hour"])


class Repository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    # -- contacts and preferences ------------------------------------------------------------

    async def contacts(self, ids: Iterable[str]) -> dict[str, Contact]:
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = await self.conn.fetch(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE person_id = ANY($1::text[])", ids
        )
        return {r["person_id"]: _contact(r) for r in rows}

    async def staff(self, wanted: Iterable[Staff]) -> dict[Staff, list[Contact]]:
        """Staff whose scopes cover each wanted (role, scope); staff lists are short."""
        wanted = set(wanted)
        if not wanted:
            return {}
        rows = await self.conn.fetch(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE role = ANY($1::text[]) "
            "ORDER BY person_id",
            sorted({w.role for w in wanted}),
        )
        people = [_contact(r) for r in rows]
        return {
            w: [p for p in people if p.role == w.role and any(covers(s, w.scope) for s in p.scopes)]
            for w in wanted
        }

    async def preferences(self, ids: Iterable[str]) -> dict[str, Preferences]:
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = await self.conn.fetch(
            "SELECT person_id, off, digest, time_zone, digest_hour FROM preferences "
            "WHERE person_id = ANY($1::text[])",
            ids,
        )
        return {r["person_id"]: _preferences(r) for r in rows}

    async def preference_row(self, person_id: str):
        return await self.conn.fetchrow(
            "SELECT off, digest, time_zone, digest_hour FROM preferences WHERE person_id = $1",
            person_id,
        )

    async def save_member(self, contact: Contact, community: str) -> None:
        await self.conn.execute(
            "INSERT INTO contacts (person_id, role, community, name, email, language, online, "
            "stand_in) VALUES ($1, 'member', $2, $3, $4, $5, $6, $7) "
            "ON CONFLICT (person_id) DO UPDATE SET community = EXCLUDED.community, "
            "name = EXCLUDED.name, email = EXCLUDED.email, language = EXCLUDED.language, "
            "online = EXCLUDED.online, stand_in = EXCLUDED.stand_in, updated_at = now()",
            contact.person_id,
            community,
            contact.name,
            contact.email,
            contact.language,
            contact.online,
            contact.stand_in,
        )

    async def save_staff(self, contact: Contact) -> None:
        await self.conn.execute(
            "INSERT INTO contacts (person_id, role, scopes, name, email, language) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id) DO UPDATE SET "
            "role = EXCLUDED.role, scopes = EXCLUDED.scopes, name = EXCLUDED.name, "
            "email = EXCLUDED.email, language = EXCLUDED.language, updated_at = now()",
            contact.person_id,
            contact.role,
            list(contact.scopes),
            contact.name,
            contact.email,
            contact.language,
        )

    async def forget(self, person_id: str) -> None:
        """A member left: their contact details go (their messages age out with the rest)."""
        await self.conn.execute("DELETE FROM contacts WHERE person_id = $1", person_id)

    async def save_preferences(self, person_id: str, prefs: Preferences) -> None:
        await self.conn.execute(
            "INSERT INTO preferences (person_id, off, digest, time_zone, digest_hour) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE SET "
            "off = EXCLUDED.off, digest = EXCLUDED.digest, time_zone = EXCLUDED.time_zone, "
            "digest_hour = EXCLUDED.digest_hour, updated_at = now()",
            person_id,
            sorted(f"{k}/{c}" for k, c in prefs.off),
            prefs.digest,
            prefs.time_zone,
            prefs.digest_hour,
        )

    # -- messages ----------------------------------------------------------------------------

    async def add_messages(self, deliveries: list[Delivery]) -> int:
        """Store what is new; a delivery whose (event, recipient, channel) exists is skipped.
        Returns how many were new."""
        if not deliveries:
            return 0
        # pg_notify wakes the senders when the transaction commits (queued e-mail only).
        row = await self.conn.fetchrow(
            "WITH new AS (INSERT INTO messages (id, event_id, recipient, channel, deliver_to, "
            "kind, language, params, state) SELECT * FROM unnest($1::uuid[], $2::uuid[], "
            "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], "
            "$9::text[]) ON CONFLICT ON CONSTRAINT messages_once DO NOTHING RETURNING state) "
            f"SELECT count(*) AS new, {_WAKE} AS queued FROM new",
            [new_id() for _ in deliveries],
            [d.event_id for d in deliveries],
            [d.recipient for d in deliveries],
            [d.channel for d in deliveries],
            [d.deliver_to for d in deliveries],
            [d.kind for d in deliveries],
            [d.language for d in deliveries],
            [json.dumps(d.params) for d in deliveries],
            [
                "inbox" if d.channel == "inbox" else "held" if d.held else "queued"
                for d in deliveries
            ],
        )
        return row["new"]

    async def inbox(self, person_id: str, unread_only: bool, before: UUID | None, limit: int):
        return await self.conn.fetch(
            "SELECT id, kind, language, params, created_at, read_at FROM messages "
            "WHERE channel = 'inbox' AND deliver_to = $1 AND ($2::uuid IS NULL OR id < $2) "
            "AND (NOT $3 OR read_at IS NULL) ORDER BY id DESC LIMIT $4",
            person_id,
            before,
            unread_only,
            limit,
        )

    async def unread(self, person_id: str) -> int:
        return await self.conn.fetchval(
            "SELECT count(*) FROM messages WHERE channel = 'inbox' AND deliver_to = $1 "
            "AND read_at IS NULL",
            person_id,
        )

    async def mark_read(self, person_id: str, ids: list[UUID] | None) -> int:
        status = await self.conn.execute(
            "UPDATE messages SET read_at = now() WHERE channel = 'inbox' AND deliver_to = $1 "
            "AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))",
            person_id,
            ids,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def failed(self, limit: int):
        return await self.conn.fetch(
            "SELECT id, kind, deliver_to, attempts, last_error, created_at, "
            "count(*) OVER () AS total FROM messages WHERE state = 'failed' ORDER BY id LIMIT $1",
            limit,
        )

    async def requeue_failed(self, ids: list[UUID] | None) -> int:
        status = await self.conn.execute(
            "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = now(), "
            "lease_owner = NULL WHERE state = 'failed' AND ($1::uuid[] IS NULL OR id = ANY($1))",
            ids,
        )
        return int(status.rsplit(" ", 1)[-1])

    # -- reminders ---------------------------------------------------------------------------

    async def add_reminder(
        self,
        exchange_id: UUID,
        due_at: datetime,
        confirm_by: datetime,
        community: str,
        unit: str,
        amount: int,
        provider: str,
        receiver: str,
    ) -> None:
        """Schedule, unless the exchange was already closed (its event came first)."""
        await self.conn.execute(
            "INSERT INTO reminders (exchange_id, due_at, confirm_by, community, unit, amount, "
            "provider, receiver) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE NOT EXISTS "
            "(SELECT 1 FROM closed_exchanges WHERE exchange_id = $1) ON CONFLICT DO NOTHING",
            exchange_id,
            due_at,
            confirm_by,
            community,
            unit,
            amount,
            provider,
            receiver,
        )

    async def close_exchange(self, exchange_id: UUID) -> None:
        await self.conn.execute(
            "INSERT INTO closed_exchanges (exchange_id) VALUES ($1) ON CONFLICT DO NOTHING",
            exchange_id,
        )
        await self.conn.execute("DELETE FROM reminders WHERE exchange_id = $1", exchange_id)

    async def take_due_reminders(self, now: datetime, limit: int):
        """Due reminders, locked for this transaction (replicas skip each other's)."""
        return await self.conn.fetch(
            "DELETE FROM reminders WHERE exchange_id IN (SELECT exchange_id FROM reminders "
            "WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING *",
            now,
            limit,
        )

    # -- the digest --------------------------------------------------------------------------

    async def people_with_held(self) -> list:
        return await self.conn.fetch(
            "SELECT DISTINCT m.deliver_to AS person_id, p.digest, p.time_zone, p.digest_hour, "
            "p.last_digest_on FROM messages m LEFT JOIN preferences p "
            "ON p.person_id = m.deliver_to WHERE m.state = 'held'"
        )

    async def release_held(self, person_id: str) -> int:
        """The person no longer wants a digest: their held e-mails go out one by one."""
        status = await self.conn.execute(
            "UPDATE messages SET state = 'queued', next_attempt_at = now() "
            "WHERE state = 'held' AND deliver_to = $1",
            person_id,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def lock_digest_day(self, person_id: str) -> date | None:
        return await self.conn.fetchval(
            "SELECT last_digest_on FROM preferences WHERE person_id = $1 FOR UPDATE", person_id
        )

    async def make_digest(self, person_id: str, day: date, event_id: UUID, language: str) -> int:
        """One digest e-mail gathering the person's held e-mails; returns how many."""
        digest_id = new_id()
        inserted = await self.conn.fetchval(
            "INSERT INTO messages (id, event_id, recipient, channel, deliver_to, kind, language, "
            "params, state) VALUES ($1, $2, $3, 'email', $3, 'digest', $4, $5, 'queued') "
            "ON CONFLICT ON CONSTRAINT messages_once DO NOTHING RETURNING id",
            digest_id,
            event_id,
            person_id,
            language,
            json.dumps({"day": day.isoformat()}),
        )
        await self.conn.execute(
            "UPDATE preferences SET last_digest_on = $2 WHERE person_id = $1", person_id, day
        )
        if inserted is None:
            return 0
        status = await self.conn.execute(
            "UPDATE messages SET state = 'digested', digest_id = $2 "
            "WHERE state = 'held' AND deliver_to = $1",
            person_id,
            digest_id,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def digest_items(self, digest_id: UUID):
        return await self.conn.fetch(
            "SELECT kind, language, params FROM messages WHERE digest_id = $1 ORDER BY id",
            digest_id,
        )

    # -- retention ---------------------------------------------------------------------------

    async def delete_before(self, cutoff: datetime, batch: int) -> int:
        status = await self.conn.execute(
            "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < $1 "
            "AND state <> 'queued' LIMIT $2)",
            cutoff,
            batch,
        )
        await self.conn.execute("DELETE FROM closed_exchanges WHERE closed_at < $1", cutoff)
        return int(status.rsplit(" ", 1)[-1])
