"""asyncpg adapters: load and save the time bank's aggregates inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from contracts import Refusal

from .domain import Account, Community, Exchange, Listing, Member, Transfer, UnitRules

_ACCOUNT_COLS = (
    "id, community, unit, member_id, debt_limit, max_balance, "
    "debits_posted, credits_posted, debits_pending, credits_pending"
)
_TRANSFER_COLS = (
    "id, community, unit, debit_account_id, credit_account_id, amount, phase, kind, "
    "pending_id, reverses_id, exchange_id, note, recorded_by, at"
)
_EXCHANGE_COLS = (
    "id, community, unit, provider_id, receiver_id, amount, description, proposed_by, state, "
    "category, listing_id, initiative_id, recorded_amount, pending_transfer_id, transfer_id, "
    "confirm_by, recorded_by_coordinator, confirmed_by, disputed_from, disputed_by, "
    "provider_kind, provider_neighbourhood, receiver_kind, receiver_neighbourhood"
)
_ACCOUNT_FIELDS = tuple(c.strip() for c in _ACCOUNT_COLS.split(","))
_TRANSFER_FIELDS = tuple(c.strip() for c in _TRANSFER_COLS.split(","))
_EXCHANGE_FIELDS = tuple(c.strip() for c in _EXCHANGE_COLS.split(","))
_LOCK_EXCHANGES = (
    "SELECT "
    + ", ".join([*(f"e.{c}" for c in _EXCHANGE_FIELDS), *(f"t.{c}" for c in _TRANSFER_FIELDS)])
    + " FROM exchanges e LEFT JOIN transfers t ON t.id = e.pending_transfer_id "
    "WHERE e.id = ANY($1::uuid[]) ORDER BY e.id FOR UPDATE OF e"
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

    # -- accounts -----------------------------------------------------------------------------

    @staticmethod
    def _account(row) -> Account:
        return Account(*row)  # columns in field order (a unit test holds them so)

    async def accounts_for_update(self, ids: Iterable[UUID]) -> dict[UUID, Account]:
        """Lock accounts in id order, so concurrent transactions never wait on each other in a
        circle."""
        rows = await self.conn.fetch(
            f"SELECT {_ACCOUNT_COLS} FROM accounts WHERE id = ANY($1::uuid[]) "
            "ORDER BY id FOR UPDATE",
            sorted(set(ids)),
        )
        return {r["id"]: self._account(r) for r in rows}

    async def member_account_id(self, member_id: UUID, unit: str) -> UUID:
        account_id = await self.conn.fetchval(
            "SELECT id FROM accounts WHERE member_id = $1 AND unit = $2", member_id, unit
        )
        if account_id is None:
            raise Refusal("unknown_unit", {"unit": unit}, unit=unit)
        return account_id

    async def pot_account_id(self, community: str, unit: str) -> UUID:
        account_id = await self.conn.fetchval(
            "SELECT id FROM accounts WHERE community = $1 AND unit = $2 AND member_id IS NULL",
            community,
            unit,
        )
        if account_id is None:
            raise Refusal("unknown_unit", {"unit": unit}, unit=unit)
        return account_id

    async def member_accounts(self, member_id: UUID) -> list[Account]:
        rows = await self.conn.fetch(
            f"SELECT {_ACCOUNT_COLS} FROM accounts WHERE member_id = $1 ORDER BY unit", member_id
        )
        return [self._account(r) for r in rows]

    async def add_account(self, account: Account) -> None:
        await self.conn.execute(
            "INSERT INTO accounts (id, community, unit, member_id, debt_limit, max_balance) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            account.id,
            account.community,
            account.unit,
            account.member_id,
            account.debt_limit,
            account.max_balance,
        )

    async def apply_default_limits(self, community: str, rules: UnitRules) -> None:
        """Community defaults reach every account whose limits were not set one by one, but
        never take an account below what it already uses."""
        await self.conn.execute(
            "UPDATE accounts SET debt_limit = $3, max_balance = $4 "
            "WHERE community = $1 AND unit = $2 AND member_id IS NOT NULL "
            "AND NOT limits_overridden "
            "AND debits_posted + debits_pending <= credits_posted + $3 "
            "AND ($4::bigint IS NULL OR credits_posted + credits_pending - debits_posted <= $4)",
            community,
            rules.unit,
            rules.debt_limit,
            rules.max_balance,
        )
        await self.conn.execute(
            "UPDATE accounts SET debt_limit = $3 WHERE community = $1 AND unit = $2 "
            "AND member_id IS NULL AND debits_posted + debits_pending <= credits_posted + $3",
            community,
            rules.unit,
            rules.community_debt_limit,
        )

    async def save_limits(self, account: Account) -> None:
        await self.conn.execute(
            "UPDATE accounts SET debt_limit = $2, max_balance = $3, limits_overridden = true "
            "WHERE id = $1",
            account.id,
            account.debt_limit,
            account.max_balance,
        )

    # -- transfers ----------------------------------------------------------------------------

    async def transfer(self, transfer_id: UUID) -> Transfer | None:
        row = await self.conn.fetchrow(
            f"SELECT {_TRANSFER_COLS} FROM transfers WHERE id = $1", transfer_id
        )
        return Transfer(**dict(row)) if row else None

    async def reversed_so_far(self, transfer_id: UUID) -> int:
        return await self.conn.fetchval(
            "SELECT coalesce(sum(amount), 0)::bigint FROM transfers WHERE reverses_id = $1",
            transfer_id,
        )

    async def record(
        self,
        transfer: Transfer,
        accounts: list[Account],
        exchange: Exchange | None = None,
        *,
        category: str | None = None,
        neighbourhood: str | None = None,
        by_coordinator: bool = False,
    ) -> None:
        await self.record_many(
            [JournalRow(transfer, category, neighbourhood, by_coordinator)],
            accounts,
            [exchange] if exchange else [],
        )

    async def record_many(
        self, rows: list[JournalRow], accounts: list[Account], exchanges: list[Exchange]
    ) -> None:
        """Transfers, the accounts' new totals and the exchanges' new states: one statement,
        one round trip, however many there are."""
        t = [r.transfer for r in rows]
        await self.conn.execute(
            "WITH t AS (INSERT INTO transfers (id, community, unit, debit_account_id, "
            "credit_account_id, amount, phase, kind, pending_id, reverses_id, exchange_id, "
            "category, neighbourhood, note, recorded_by, recorded_by_coordinator, at) "
            "SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], "
            "$6::bigint[], $7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::uuid[], "
            "$12::text[], $13::text[], $14::text[], $15::text[], $16::boolean[], "
            "$17::timestamptz[])), "
            "a AS (UPDATE accounts AS a SET debits_posted = v.dp, credits_posted = v.cp, "
            "debits_pending = v.dq, credits_pending = v.cq "
            "FROM unnest($18::uuid[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[]) "
            "AS v(id, dp, cp, dq, cq) WHERE a.id = v.id), "
            "e AS (UPDATE exchanges AS e SET state = v.state, recorded_amount = v.recorded, "
            "pending_transfer_id = v.pending, transfer_id = v.transfer, confirm_by = v.due, "
            "recorded_by_coordinator = v.coordinator, confirmed_by = v.confirmed, "
            "disputed_from = v.disputed_from, disputed_by = v.disputed_by "
            "FROM unnest($23::uuid[], $24::text[], $25::bigint[], $26::uuid[], $27::uuid[], "
            "$28::timestamptz[], $29::text[], $30::text[], $31::text[], $32::uuid[]) "
            "AS v(id, state, recorded, pending, transfer, due, coordinator, confirmed, "
            "disputed_from, disputed_by) WHERE e.id = v.id) "
            "SELECT 1",
            [x.id for x in t],
            [x.community for x in t],
            [x.unit for x in t],
            [x.debit_account_id for x in t],
            [x.credit_account_id for x in t],
            [x.amount for x in t],
            [x.phase for x in t],
            [x.kind for x in t],
            [x.pending_id for x in t],
            [x.reverses_id for x in t],
            [x.exchange_id for x in t],
            [r.category for r in rows],
            [r.neighbourhood for r in rows],
            [x.note for x in t],
            [x.recorded_by for x in t],
            [r.by_coordinator for r in rows],
            [x.at for x in t],
            [a.id for a in accounts],
            [a.debits_posted for a in accounts],
            [a.credits_posted for a in accounts],
            [a.debits_pending for a in accounts],
            [a.credits_pending for a in accounts],
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
        )

    async def account_owner(self, account_id: UUID) -> UUID | None:
        return await self.conn.fetchval("SELECT member_id FROM accounts WHERE id = $1", account_id)

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
