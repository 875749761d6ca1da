"""The portal's tables (migrations/0001_gateway.sql), through asyncpg."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from contracts import new_id

from .domain import Account, SignedIn, token_hash


def _account(row: asyncpg.Record) -> Account:
    return Account(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        member_id=row["member_id"],
        community=row["community"],
        scopes=tuple(row["scopes"]),
        language=row["language"],
        password_hash=row["password_hash"],
    )


class EmailTaken(Exception):
    """An account with this e-mail address exists already."""


class GatewayRepository:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    # -- accounts ---------------------------------------------------------------------------

    async def create_account(
        self,
        email: str,
        name: str,
        role: str,
        password_hash: str | None,
        *,
        member_id: UUID | None = None,
        community: str | None = None,
        scopes: tuple[str, ...] = (),
        language: str = "nl",
        account_id: UUID | None = None,
    ) -> Account:
        """Raises EmailTaken when the (lower-cased) address has an account."""
        try:
            row = await self.pool.fetchrow(
                "INSERT INTO accounts (id, email, name, role, password_hash, member_id, "
                "community, scopes, language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                "RETURNING *",
                account_id or new_id(),
                email.strip().lower(),
                name,
                role,
                password_hash,
                member_id,
                community,
                list(scopes),
                language,
            )
        except asyncpg.UniqueViolationError:
            raise EmailTaken(email) from None
        return _account(row)

    async def account_by_email(self, email: str) -> Account | None:
        row = await self.pool.fetchrow(
            "SELECT * FROM accounts WHERE email = $1", email.strip().lower()
        )
        return _account(row) if row else None

    async def account(self, account_id: UUID) -> Account | None:
        row = await self.pool.fetchrow("SELECT * FROM accounts WHERE id = $1", account_id)
        return _account(row) if row else None

    async def account_by_member(self, member_id: UUID) -> Account | None:
        row = await self.pool.fetchrow("SELECT * FROM accounts WHERE member_id = $1", member_id)
        return _account(row) if row else None

    async def link_member(self, account_id: UUID, member_id: UUID, community: str) -> None:
        await self.pool.execute(
            "UPDATE accounts SET member_id = $2, community = $3 WHERE id = $1",
            account_id,
            member_id,
            community,
        )

    async def set_password(self, account_id: UUID, password_hash: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE accounts SET password_hash = $2 WHERE id = $1", account_id, password_hash
            )
            # A new password ends every session: whoever knew the old one is signed out.
            await conn.execute("DELETE FROM sessions WHERE account_id = $1", account_id)

    async def set_language(self, account_id: UUID, language: str) -> None:
        await self.pool.execute(
            "UPDATE accounts SET language = $2 WHERE id = $1", account_id, language
        )

    # -- sessions ---------------------------------------------------------------------------

    async def create_session(self, account_id: UUID, token: str, hours: float) -> None:
        await self.pool.execute(
            "INSERT INTO sessions (token_hash, account_id, expires_at) VALUES ($1, $2, $3)",
            token_hash(token),
            account_id,
            datetime.now(UTC) + timedelta(hours=hours),
        )

    async def session(self, token: str) -> SignedIn | None:
        row = await self.pool.fetchrow(
            "SELECT a.*, s.on_behalf_of FROM sessions s JOIN accounts a ON a.id = s.account_id "
            "WHERE s.token_hash = $1 AND s.expires_at > now()",
            token_hash(token),
        )
        return SignedIn(_account(row), row["on_behalf_of"]) if row else None

    async def act_for(self, token: str, member_id: UUID | None) -> None:
        await self.pool.execute(
            "UPDATE sessions SET on_behalf_of = $2 WHERE token_hash = $1",
            token_hash(token),
            member_id,
        )

    async def end_session(self, token: str) -> None:
        await self.pool.execute("DELETE FROM sessions WHERE token_hash = $1", token_hash(token))

    # -- sign-in attempts -------------------------------------------------------------------

    async def failures(self, keys: list[str], window_s: float) -> list[int]:
        since = datetime.now(UTC) - timedelta(seconds=window_s)
        rows = await self.pool.fetch(
            "SELECT key, count(*) AS n FROM login_failures WHERE key = ANY($1) AND at > $2 "
            "GROUP BY key",
            keys,
            since,
        )
        found = {r["key"]: r["n"] for r in rows}
        return [found.get(k, 0) for k in keys]

    async def record_failure(self, keys: list[str]) -> None:
        await self.pool.executemany(
            "INSERT INTO login_failures (key) VALUES ($1)", [(k,) for k in keys]
        )

    async def clear_failures(self, key: str) -> None:
        await self.pool.execute("DELETE FROM login_failures WHERE key = $1", key)

    # -- password reset ---------------------------------------------------------------------

    async def create_reset(self, account_id: UUID, token: str, minutes: int) -> None:
        await self.pool.execute(
            "INSERT INTO reset_tokens (token_hash, account_id, expires_at) VALUES ($1, $2, $3)",
            token_hash(token),
            account_id,
            datetime.now(UTC) + timedelta(minutes=minutes),
        )

    async def use_reset(self, token: str) -> UUID | None:
        """The account a valid, unused reset token belongs to, marking it used (once only)."""
        return await self.pool.fetchval(
            "UPDATE reset_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL "
            "AND expires_at > now() RETURNING account_id",
            token_hash(token),
        )

    async def reset_valid(self, token: str) -> bool:
        return bool(
            await self.pool.fetchval(
                "SELECT true FROM reset_tokens WHERE token_hash = $1 AND used_at IS NULL "
                "AND expires_at > now()",
                token_hash(token),
            )
        )

    # -- OIDC -------------------------------------------------------------------------------

    async def account_by_identity(self, issuer: str, subject: str) -> Account | None:
        row = await self.pool.fetchrow(
            "SELECT a.* FROM oidc_identities i JOIN accounts a ON a.id = i.account_id "
            "WHERE i.issuer = $1 AND i.subject = $2",
            issuer,
            subject,
        )
        return _account(row) if row else None

    async def link_identity(self, issuer: str, subject: str, account_id: UUID) -> None:
        await self.pool.execute(
            "INSERT INTO oidc_identities (issuer, subject, account_id) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            issuer,
            subject,
            account_id,
        )

    # -- audit ------------------------------------------------------------------------------

    async def audit(
        self,
        signed: SignedIn,
        operation: str,
        command_id: UUID | None,
        outcome: str,
    ) -> None:
        actor = signed.actor
        await self.pool.execute(
            "INSERT INTO audit (account_id, role, on_behalf_of, operation, command_id, outcome) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            signed.account.id,
            actor.role,
            actor.on_behalf_of,
            operation,
            command_id,
            outcome,
        )

    # -- the index of what the time bank published ------------------------------------------

    async def exchanges_of(self, member_id: UUID, limit: int, offset: int) -> list[asyncpg.Record]:
        return await self.pool.fetch(
            "SELECT * FROM exchange_index WHERE provider_id = $1 OR receiver_id = $1 "
            "ORDER BY updated_at DESC, exchange_id DESC LIMIT $2 OFFSET $3",
            member_id,
            limit,
            offset,
        )

    async def exchange_row(self, exchange_id: UUID) -> asyncpg.Record | None:
        return await self.pool.fetchrow(
            "SELECT * FROM exchange_index WHERE exchange_id = $1", exchange_id
        )

    async def delete_account(self, account_id: UUID) -> None:
        await self.pool.execute("DELETE FROM accounts WHERE id = $1", account_id)

    async def exchanges_in(
        self, communities: list[str] | None, states: list[str], limit: int
    ) -> list[asyncpg.Record]:
        return await self.pool.fetch(
            "SELECT * FROM exchange_index WHERE ($1::text[] IS NULL OR community = ANY($1)) "
            "AND state = ANY($2) ORDER BY updated_at DESC LIMIT $3",
            communities,
            states,
            limit,
        )

    async def members_in(
        self, communities: list[str] | None, states: list[str], limit: int
    ) -> list[asyncpg.Record]:
        return await self.pool.fetch(
            "SELECT * FROM member_index WHERE ($1::text[] IS NULL OR community = ANY($1)) "
            "AND state = ANY($2) ORDER BY updated_at DESC LIMIT $3",
            communities,
            states,
            limit,
        )


async def note_exchange(
    conn: asyncpg.Connection,
    exchange_id: UUID,
    community: str,
    provider_id: UUID,
    receiver_id: UUID,
    state: str,
    amount: int,
    by_coordinator: bool,
    at: datetime,
    proposed_by: UUID | None = None,
) -> None:
    """Keep the latest state seen (events may arrive out of order: the later wins)."""
    await conn.execute(
        "INSERT INTO exchange_index (exchange_id, community, provider_id, receiver_id, "
        "state, amount, recorded_by_coordinator, updated_at, proposed_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (exchange_id) DO UPDATE SET "
        "proposed_by = coalesce(exchange_index.proposed_by, EXCLUDED.proposed_by), "
        "state = EXCLUDED.state, amount = EXCLUDED.amount, updated_at = EXCLUDED.updated_at,"
        " recorded_by_coordinator = exchange_index.recorded_by_coordinator "
        "OR EXCLUDED.recorded_by_coordinator "
        "WHERE exchange_index.updated_at <= EXCLUDED.updated_at",
        exchange_id,
        community,
        provider_id,
        receiver_id,
        state,
        amount,
        by_coordinator,
        at,
        proposed_by,
    )


async def note_member(
    conn: asyncpg.Connection,
    member_id: UUID,
    community: str,
    state: str,
    at: datetime,
    registered_by: str | None = None,
    needs_vog: bool | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO member_index (member_id, community, state, registered_by, needs_vog, "
        "updated_at) VALUES ($1, $2, $3, coalesce($4, 'self'), coalesce($5, false), $6) "
        "ON CONFLICT (member_id) DO UPDATE SET state = EXCLUDED.state, "
        "updated_at = EXCLUDED.updated_at, "
        "registered_by = coalesce($4, member_index.registered_by), "
        "needs_vog = coalesce($5, member_index.needs_vog) "
        "WHERE member_index.updated_at <= EXCLUDED.updated_at",
        member_id,
        community,
        state,
        registered_by,
        needs_vog,
        at,
    )
