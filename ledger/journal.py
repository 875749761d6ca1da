"""The journal in PostgreSQL (asyncpg), inside the caller's transaction.

Accounts are locked in id order (`lock`), so concurrent transactions never wait on each other
in a circle. A whole batch of transfers, their accounts' new totals and the service's own rows
(an exchange's new state, a payout's) are written by one statement: one round trip however
many there are (`JournalWrite`). The tables are the component's own (`ledger/migrations`):
`ledger_accounts` and the insert-only `ledger_transfers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from .accounts import Account
from .transfers import Transfer

ACCOUNT_COLUMNS = (
    "id",
    "ledger",
    "unit",
    "owner",
    "debt_limit",
    "max_balance",
    "debits_posted",
    "credits_posted",
    "debits_pending",
    "credits_pending",
)
"""The columns of `ledger_accounts` in `Account`'s field order: rows become accounts by
position on the hot path (a unit test holds the order)."""

TRANSFER_COLUMNS = (
    "id",
    "ledger",
    "unit",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "phase",
    "kind",
    "pending_id",
    "reverses_id",
    "ref",
    "note",
    "recorded_by",
    "at",
)
"""The columns of `ledger_transfers` in `Transfer`'s field order."""

_ACCOUNTS = ", ".join(ACCOUNT_COLUMNS)
_TRANSFERS = ", ".join(TRANSFER_COLUMNS)

_WRITE = (
    f"WITH ledger_t AS (INSERT INTO ledger_transfers ({_TRANSFERS}) "
    "SELECT v.id, v.ledger, v.unit, v.debit, v.credit, v.amount, v.phase, v.kind, v.pending, "
    "v.reverses, v.ref, v.note, v.recorded_by, coalesce(v.at, now()) "
    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::bigint[], "
    "$7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::uuid[], $12::text[], $13::text[], "
    "$14::timestamptz[]) AS v(id, ledger, unit, debit, credit, amount, phase, kind, pending, "
    "reverses, ref, note, recorded_by, at)), "
    "ledger_a AS (UPDATE ledger_accounts AS a SET debits_posted = v.dp, credits_posted = v.cp, "
    "debits_pending = v.dq, credits_pending = v.cq "
    "FROM unnest($15::uuid[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[]) "
    "AS v(id, dp, cp, dq, cq) WHERE a.id = v.id)"
)
_WRITE_ARGS = 19
_PLACEHOLDER = re.compile(r"\$(\d+)")


def write_args(transfers: Sequence[Transfer], accounts: Sequence[Account]) -> list:
    """The journal's arguments of a `JournalWrite`: one array per column."""
    t = transfers
    return [
        [x.id for x in t],
        [x.ledger for x in t],
        [x.unit for x in t],
        [x.debit_account_id for x in t],
        [x.credit_account_id for x in t],
        [x.amount for x in t],
        [x.phase for x in t],
        [x.kind for x in t],
        [x.pending_id for x in t],
        [x.reverses_id for x in t],
        [x.ref for x in t],
        [x.note for x in t],
        [x.recorded_by for x in t],
        [x.at for x in t],
        [a.id for a in accounts],
        [a.debits_posted for a in accounts],
        [a.credits_posted for a in accounts],
        [a.debits_pending for a in accounts],
        [a.credits_pending for a in accounts],
    ]


class JournalWrite:
    """One statement that writes transfers, their accounts' new totals, and the service's own
    rows alongside: each of `alongside` is a data-modifying statement (e.g. `UPDATE exchanges
    ... FROM unnest($1::uuid[], ...)`) whose placeholders count from $1 (they are renumbered
    after the journal's and the previous ones'). Build it once, at import; call it with the
    transfers, the accounts as they now are, and the alongside statements' arguments in order.
    """

    def __init__(self, *alongside: str):
        parts, offset = [_WRITE], _WRITE_ARGS
        for n, sql in enumerate(alongside):
            used = [int(m) for m in _PLACEHOLDER.findall(sql)]
            parts.append(
                f"ledger_x{n} AS ("
                + _PLACEHOLDER.sub(lambda m, o=offset: f"${int(m[1]) + o}", sql)
                + ")"
            )
            offset += max(used, default=0)
        self.arguments = offset
        self.sql = ", ".join(parts) + " SELECT 1"

    async def __call__(
        self,
        conn: asyncpg.Connection,
        transfers: Sequence[Transfer],
        accounts: Sequence[Account],
        *alongside_args: object,
    ) -> None:
        args = write_args(transfers, accounts)
        if len(args) + len(alongside_args) != self.arguments:
            raise TypeError(f"{self.arguments - len(args)} alongside arguments expected")
        await conn.execute(self.sql, *args, *alongside_args)


_JOURNAL_ONLY = JournalWrite()


@dataclass(frozen=True)
class Entry:
    """One line of an account's statement: a posted transfer seen from that account.
    `amount` > 0 received, < 0 paid; `balance` the running balance after it; `entry` the
    journal's sequence number (the cursor for the next page)."""

    entry: int
    transfer_id: UUID
    at: datetime
    kind: str
    amount: int
    balance: int
    counterparty_owner: UUID | None
    ref: UUID | None
    note: str | None


_STATEMENT = """
WITH entries AS (
    SELECT t.seq, t.id, t.at, t.kind, t.ref, t.note,
           CASE WHEN t.credit_account_id = $1 THEN t.amount ELSE -t.amount END AS delta,
           CASE WHEN t.credit_account_id = $1 THEN t.debit_account_id
                ELSE t.credit_account_id END AS other
    FROM ledger_transfers t
    WHERE t.phase = 'posted' AND (t.debit_account_id = $1 OR t.credit_account_id = $1)
), running AS (
    SELECT *, (sum(delta) OVER (ORDER BY seq))::bigint AS balance FROM entries
)
SELECT r.seq, r.id, r.at, r.kind, r.delta, r.balance, a.owner, r.ref, r.note
FROM running r JOIN ledger_accounts a ON a.id = r.other
WHERE ($2::bigint IS NULL OR r.seq > $2)
ORDER BY r.seq
LIMIT $3
"""


class Journal:
    """The ledger's tables as seen from one connection, inside the caller's transaction."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    # -- accounts -----------------------------------------------------------------------------

    async def open(self, accounts: Sequence[Account]) -> None:
        """Open accounts (totals zero); one that exists already (same id, or the same owner,
        ledger and unit, or a second ownerless one of a ledger and unit) is left as it is."""
        if not accounts:
            return
        await self.conn.execute(
            "INSERT INTO ledger_accounts (id, ledger, unit, owner, debt_limit, max_balance) "
            "SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], "
            "$5::bigint[], $6::bigint[]) ON CONFLICT DO NOTHING",
            [a.id for a in accounts],
            [a.ledger for a in accounts],
            [a.unit for a in accounts],
            [a.owner for a in accounts],
            [a.debt_limit for a in accounts],
            [a.max_balance for a in accounts],
        )

    async def accounts(self, ids: Iterable[UUID]) -> dict[UUID, Account]:
        """The accounts as they are, unlocked (for reading)."""
        rows = await self.conn.fetch(
            f"SELECT {_ACCOUNTS} FROM ledger_accounts WHERE id = ANY($1::uuid[])", list(ids)
        )
        return {r[0]: Account(*r) for r in rows}

    async def lock(self, ids: Iterable[UUID]) -> dict[UUID, Account]:
        """The accounts, locked in id order (so concurrent transactions never deadlock)."""
        rows = await self.conn.fetch(
            f"SELECT {_ACCOUNTS} FROM ledger_accounts WHERE id = ANY($1::uuid[]) "
            "ORDER BY id FOR UPDATE",
            sorted(set(ids)),
        )
        return {r[0]: Account(*r) for r in rows}

    async def account_id(self, ledger: str | None, unit: str, owner: UUID | None) -> UUID | None:
        """The account of `owner` in `unit` (in any ledger when `ledger` is None), or the
        ledger's own account when `owner` is None."""
        if owner is None:
            return await self.conn.fetchval(
                "SELECT id FROM ledger_accounts WHERE ledger = $1 AND unit = $2 AND owner IS NULL",
                ledger,
                unit,
            )
        return await self.conn.fetchval(
            "SELECT id FROM ledger_accounts WHERE owner = $1 AND unit = $2 "
            "AND ($3::text IS NULL OR ledger = $3)",
            owner,
            unit,
            ledger,
        )

    async def accounts_of(self, owner: UUID) -> list[Account]:
        """Every account of `owner`, by unit."""
        rows = await self.conn.fetch(
            f"SELECT {_ACCOUNTS} FROM ledger_accounts WHERE owner = $1 ORDER BY unit, ledger",
            owner,
        )
        return [Account(*r) for r in rows]

    async def owner_of(self, account_id: UUID) -> UUID | None:
        return await self.conn.fetchval(
            "SELECT owner FROM ledger_accounts WHERE id = $1", account_id
        )

    async def set_limits(self, account: Account) -> None:
        """Store the account's own limits (checked with `check_new_limits`); the ledger's
        defaults (`apply_default_limits`) no longer reach it."""
        await self.conn.execute(
            "UPDATE ledger_accounts SET debt_limit = $2, max_balance = $3, own_limits = true "
            "WHERE id = $1",
            account.id,
            account.debt_limit,
            account.max_balance,
        )

    async def apply_default_limits(
        self,
        ledger: str,
        unit: str,
        debt_limit: int,
        max_balance: int | None,
        *,
        owned: bool,
    ) -> None:
        """New default limits for the owned accounts (`owned`) or the ledger's own account of
        a ledger and unit: every account without its own limits takes them, unless they are
        below what it already uses (then it keeps its old ones)."""
        await self.conn.execute(
            "UPDATE ledger_accounts SET debt_limit = $3, max_balance = $4 "
            "WHERE ledger = $1 AND unit = $2 AND (owner IS NOT NULL) = $5 AND NOT own_limits "
            "AND debits_posted + debits_pending <= credits_posted + $3 "
            "AND ($4::bigint IS NULL OR credits_posted + credits_pending - debits_posted <= $4)",
            ledger,
            unit,
            debt_limit,
            max_balance,
            owned,
        )

    # -- transfers ----------------------------------------------------------------------------

    async def transfer(self, transfer_id: UUID) -> Transfer | None:
        row = await self.conn.fetchrow(
            f"SELECT {_TRANSFERS} FROM ledger_transfers WHERE id = $1", transfer_id
        )
        return Transfer(*row) if row else None

    async def reversed_so_far(self, transfer_id: UUID) -> int:
        """What reversals took back of `transfer_id` so far (read it under the locks)."""
        return await self.conn.fetchval(
            "SELECT coalesce(sum(amount), 0)::bigint FROM ledger_transfers WHERE reverses_id = $1",
            transfer_id,
        )

    async def write(self, transfers: Sequence[Transfer], accounts: Sequence[Account]) -> None:
        """Transfers and their accounts' new totals, in one statement (`JournalWrite` adds
        the service's own rows to the same statement)."""
        await _JOURNAL_ONLY(self.conn, transfers, accounts)

    async def statement(
        self, account_id: UUID, after: int | None, limit: int
    ) -> tuple[list[Entry], int | None]:
        """Up to `limit` posted entries of an account after the cursor `after`, with their
        running balance, and the cursor of the next page (None at the end)."""
        rows = await self.conn.fetch(_STATEMENT, account_id, after, limit + 1)
        more, rows = len(rows) > limit, rows[:limit]
        return [Entry(*r) for r in rows], (rows[-1][0] if more and rows else None)
