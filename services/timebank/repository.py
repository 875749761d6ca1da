"""asyncpg adapters: load and save the time bank's aggregates inside the caller's transaction.
The hours live in the ledger component's tables, reached through its `Journal`; the time bank
keeps beside each transfer the facts its statistics need (`transfer_facts`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from contracts import Refusal
from ledger import Account, Journal, JournalWrite, Transfer
from ledger.journal import TRANSFER_COLUMNS

from .domain import Community, Exchange, Listing, Member, UnitRules

_EXCHANGE_COLS = (
    "id, community, unit, provider_id, receiver_id, amount, description, proposed_by, state, "
    "category, listing_id, initiative_id, recorded_amount, pending_transfer_id, transfer_id, "
    "confirm_by, recorded_by_coordinator, confirmed_by, disputed_from, disputed_by, "
    "provider_kind, provider_neighbourhood, receiver_kind, receiver_neighbourhood"
)
_EXCHANGE_FIELDS = tuple(c.strip() for c in _EXCHANGE_COLS.split(","))
_LOCK_EXCHANGES = (
    "SELECT "
    + ", ".join([*(f"e.{c}" for c in _EXCHANGE_FIELDS), *(f"t.{c}" for c in TRANSFER_COLUMNS)])
    + " FROM exchanges e LEFT JOIN ledger_transfers t ON t.id = e.pending_transfer_id "
    "WHERE e.id = ANY($1::uuid[]) ORDER BY e.id FOR UPDATE OF e"
)
LEDGER_CHECKS = {
    "a confirmed exchange without exactly its one posted transfer": """
        SELECT e.id FROM exchanges e LEFT JOIN ledger_transfers t ON t.id = e.transfer_id
        WHERE e.state = 'confirmed' AND (t.id IS NULL OR t.phase <> 'posted'
           OR t.pending_id IS DISTINCT FROM e.pending_transfer_id)""",
}
"""How the time bank uses its ledger, checked by `voorelkaar check-ledger --service timebank`
beside the ledger's own invariants."""

# Transfers, accounts, exchanges and the facts beside the transfers: one statement.
_RECORD = JournalWrite(
    "UPDATE exchanges AS e SET state = v.state, recorded_amount = v.recorded, "
    "pending_transfer_id = v.pending, transfer_id = v.transfer, confirm_by = v.due, "
    "recorded_by_coordinator = v.coordinator, confirmed_by = v.confirmed, "
    "disputed_from = v.disputed_from, disputed_by = v.disputed_by "
    "FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::uuid[], $5::uuid[], "
    "$6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::uuid[]) "
    "AS v(id, state, recorded, pending, transfer, due, coordinator, confirmed, "
    "disputed_from, disputed_by) WHERE e.id = v.id",
    "INSERT INTO transfer_facts (transfer_id, category, neighbourhood, recorded_by_coordinator) "
    "SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[])",
)
_MEMBER_COLS = (
    "id, community, kind, name, neighbourhood, languages, skills, state, needs_vog, vog_seen_on, "
    "email, phone"
)
_LISTING_COLS = (
    "id, community, member_id, kind, title, description, category, neighbourhood, expires_at, "
    "initiative_id, state"
)


@dataclass(frozen=True)
class JournalRow:
    """A transfer with the facts kept beside it for statistics."""

    transfer: Transfer
    category: str | None = None
    neighbourhood: str | None = None
    by_coordinator: bool = False


class TimebankRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn
        self.journal = Journal(conn)

    # -- communities --------------------------------------------------------------------------

    async def community(self, code: str) -> Community:
        row = await self.conn.fetchrow(
            "SELECT name, auto_confirm_days FROM communities WHERE code = $1", code
        )
        if row is None:
            raise Refusal("unknown_community", {"community": code}, community=code)
        units = await self.conn.fetch(
            "SELECT unit, debt_limit, max_balance, community_debt_limit FROM community_units "
            "WHERE community = $1",
            code,
        )
        return Community(
            code,
            row["name"],
            {u["unit"]: UnitRules(**dict(u)) for u in units},
            row["auto_confirm_days"],
        )

    async def save_community(self, community: Community) -> None:
        await self.conn.execute(
            "INSERT INTO communities (code, name, auto_confirm_days) VALUES ($1, $2, $3) "
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
            "auto_confirm_days = excluded.auto_confirm_days, configured_at = now()",
            community.code,
            community.name,
            community.auto_confirm_days,
        )
        for rules in community.units.values():
            await self.conn.execute(
                "INSERT INTO community_units (community, unit, debt_limit, max_balance, "
                "community_debt_limit) VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (community, unit) DO UPDATE SET debt_limit = excluded.debt_limit, "
                "max_balance = excluded.max_balance, "
                "community_debt_limit = excluded.community_debt_limit",
                community.code,
                rules.unit,
                rules.debt_limit,
                rules.max_balance,
                rules.community_debt_limit,
            )

    async def member_ids(self, community: str) -> list[UUID]:
        rows = await self.conn.fetch("SELECT id FROM members WHERE community = $1", community)
        return [r[0] for r in rows]

    # -- members ------------------------------------------------------------------------------

    async def member(self, member_id: UUID, lock: bool = False) -> Member:
        row = await self.conn.fetchrow(
            f"SELECT {_MEMBER_COLS} FROM members WHERE id = $1" + (" FOR UPDATE" if lock else ""),
            member_id,
        )
        if row is None:
            raise Refusal("not_a_member", {"member_id": str(member_id)})
        return Member(**dict(row))

    async def add_member(self, member: Member, registered_by: str) -> None:
        await self.conn.execute(
            "INSERT INTO members (id, community, kind, name, neighbourhood, languages, skills, "
            "email, phone, state, needs_vog, registered_by) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            member.id,
            member.community,
            member.kind,
            member.name,
            member.neighbourhood,
            member.languages,
            member.skills,
            member.email,
            member.phone,
            member.state,
            member.needs_vog,
            registered_by,
        )

    async def save_member_state(self, member: Member) -> None:
        await self.conn.execute(
            "UPDATE members SET state = $2 WHERE id = $1", member.id, member.state
        )

    async def record_vog(self, member_id: UUID, seen_on, by: str) -> None:
        await self.conn.execute(
            "UPDATE members SET vog_seen_on = $2, vog_recorded_by = $3 WHERE id = $1",
            member_id,
            seen_on,
            by,
        )

    async def has_open_exchanges(self, member_id: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM exchanges WHERE (provider_id = $1 OR receiver_id = $1) "
            "AND state IN ('proposed', 'agreed', 'disputed'))",
            member_id,
        )

    # -- accounts (on the ledger: one per member and unit, one pot per community and unit) -----

    async def member_account_id(self, member_id: UUID, unit: str) -> UUID:
        account_id = await self.journal.account_id(None, unit, member_id)
        if account_id is None:
            raise Refusal("unknown_unit", {"unit": unit}, unit=unit)
        return account_id

    async def pot_account_id(self, community: str, unit: str) -> UUID:
        account_id = await self.journal.account_id(community, unit, None)
        if account_id is None:
            raise Refusal("unknown_unit", {"unit": unit}, unit=unit)
        return account_id

    # -- transfers ----------------------------------------------------------------------------

    async def record_many(
        self, rows: list[JournalRow], accounts: list[Account], exchanges: list[Exchange]
    ) -> None:
        """Transfers, the accounts' new totals, the exchanges' new states and the transfers'
        facts: one statement, one round trip, however many there are."""
        await _RECORD(
            self.conn,
            [r.transfer for r in rows],
            accounts,
            [e.id for e in exchanges],
            [e.state for e in exchanges],
            [e.recorded_amount for e in exchanges],
            [e.pending_transfer_id for e in exchanges],
            [e.transfer_id for e in exchanges],
            [e.confirm_by for e in exchanges],
            [e.recorded_by_coordinator for e in exchanges],
            [e.confirmed_by for e in exchanges],
            [e.disputed_from for e in exchanges],
            [e.disputed_by for e in exchanges],
            [r.transfer.id for r in rows],
            [r.category for r in rows],
            [r.neighbourhood for r in rows],
            [r.by_coordinator for r in rows],
        )

    # -- listings -----------------------------------------------------------------------------

    async def listing(self, listing_id: UUID, lock: bool = False) -> Listing:
        row = await self.conn.fetchrow(
            f"SELECT {_LISTING_COLS} FROM listings WHERE id = $1" + (" FOR UPDATE" if lock else ""),
            listing_id,
        )
        if row is None:
            raise Refusal("not_found", {"listing_id": str(listing_id)}, what="De advertentie")
        return Listing(**dict(row))

    async def add_listing(self, listing: Listing) -> None:
        await self.conn.execute(
            "INSERT INTO listings (id, community, member_id, kind, title, description, category, "
            "neighbourhood, expires_at, initiative_id, state) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            listing.id,
            listing.community,
            listing.member_id,
            listing.kind,
            listing.title,
            listing.description,
            listing.category,
            listing.neighbourhood,
            listing.expires_at,
            listing.initiative_id,
            listing.state,
        )

    async def save_listing_state(self, listing: Listing) -> None:
        await self.conn.execute(
            "UPDATE listings SET state = $2 WHERE id = $1", listing.id, listing.state
        )

    async def expired_listings(self, limit: int) -> list[Listing]:
        rows = await self.conn.fetch(
            f"SELECT {_LISTING_COLS} FROM listings WHERE state = 'open' AND expires_at <= now() "
            "ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED",
            limit,
        )
        return [Listing(**dict(r)) for r in rows]

    # -- exchanges ----------------------------------------------------------------------------

    async def exchange(self, exchange_id: UUID) -> tuple[Exchange, Transfer | None]:
        """The exchange, locked, with its pending transfer (if any) in the same round trip."""
        found = await self.exchanges([exchange_id])
        if exchange_id not in found:
            raise Refusal("not_found", {"exchange_id": str(exchange_id)}, what="De uitwisseling")
        return found[exchange_id]

    async def exchanges(self, ids: Iterable[UUID]) -> dict[UUID, tuple[Exchange, Transfer | None]]:
        """Exchanges locked in id order (as accounts are), each with its pending transfer."""
        rows = await self.conn.fetch(_LOCK_EXCHANGES, sorted(set(ids)))
        # Columns in field order (a unit test holds them so): the hot path builds by position.
        n = len(_EXCHANGE_FIELDS)
        found = {}
        for row in rows:
            values = tuple(row)
            found[values[0]] = (
                Exchange(*values[:n]),
                Transfer(*values[n:]) if values[n] is not None else None,
            )
        return found

    async def add_exchange(self, exchange: Exchange) -> None:
        await self.conn.execute(
            f"INSERT INTO exchanges ({_EXCHANGE_COLS}) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
            "$19, $20, $21, $22, $23, $24)",
            *self._exchange_values(exchange),
        )

    async def save_exchange(self, exchange: Exchange) -> None:
        """An exchange's new state alone: the same statement that records postings."""
        await self.record_many([], [], [exchange])

    @staticmethod
    def _exchange_values(e: Exchange) -> tuple:
        return (
            e.id,
            e.community,
            e.unit,
            e.provider_id,
            e.receiver_id,
            e.amount,
            e.description,
            e.proposed_by,
            e.state,
            e.category,
            e.listing_id,
            e.initiative_id,
            e.recorded_amount,
            e.pending_transfer_id,
            e.transfer_id,
            e.confirm_by,
            e.recorded_by_coordinator,
            e.confirmed_by,
            e.disputed_from,
            e.disputed_by,
            e.provider_kind,
            e.provider_neighbourhood,
            e.receiver_kind,
            e.receiver_neighbourhood,
        )

    async def due_exchanges(self, limit: int) -> list[UUID]:
        rows = await self.conn.fetch(
            "SELECT id FROM exchanges WHERE state = 'agreed' AND confirm_by <= now() "
            "ORDER BY confirm_by LIMIT $1 FOR UPDATE SKIP LOCKED",
            limit,
        )
        return [r["id"] for r in rows]
