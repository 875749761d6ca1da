"""A second, tiny user of the ledger component, in euro cents, as the budget service will be:
a fund commits grants to initiatives (a pending transfer reserves the cents within the fund's
budget) and pays them (the pending transfer is posted, for what was spent; the rest returns).
Built from `ledger/` and the kit alone, with its own rows written in the ledger's statement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

import ledger
from contracts import (
    COMMON_ERRORS,
    Cents,
    Contract,
    ErrorCatalogue,
    Policy,
    PositiveCents,
    Refusal,
    ServiceContracts,
    new_id,
)
from contracts.ledger import LEDGER_ERRORS, LIMIT_ERRORS, Limit
from kit.handlers import QueryContext
from kit.service import Service
from kit.settings import ServiceSettings
from kit.uow import UnitOfWork
from ledger import Account, Journal, JournalWrite

FundCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]

FUND = ServiceContracts(
    "fund",
    errors=COMMON_ERRORS.merged(LEDGER_ERRORS).merged(
        ErrorCatalogue({"unknown_fund": ("Onbekend fonds: {fund}", "Unknown fund: {fund}")})
    ),
)


@FUND.event("grant.committed")
class GrantCommitted(Contract):
    """Cents reserved for an initiative."""

    grant_id: UUID
    fund: FundCode
    initiative_id: UUID
    amount: PositiveCents


@FUND.event("grant.paid")
class GrantPaid(Contract):
    """Cents paid out; what was committed beyond them went back to the fund."""

    grant_id: UUID
    amount: PositiveCents
    returned: Cents


class OpenFund(Contract):
    fund: FundCode
    budget: Limit


class CommitGrant(Contract):
    fund: FundCode
    initiative_id: UUID
    amount: PositiveCents


class PayGrant(Contract):
    grant_id: UUID
    amount: PositiveCents


class FundRef(Contract):
    fund: FundCode


class GrantRef(Contract):
    grant_id: UUID


class FundBalance(Contract):
    fund: FundCode
    committed: Cents
    paid: Cents
    available: Cents


FINANCE = Policy(frozenset({"finance"}))
OPEN_FUND = FUND.command("open_fund", OpenFund, FundRef, "Open a fund.", policy=FINANCE)
COMMIT_GRANT = FUND.command(
    "commit_grant",
    CommitGrant,
    GrantRef,
    "Reserve cents for an initiative.",
    ("unknown_fund", *LIMIT_ERRORS),
    policy=FINANCE,
)
PAY_GRANT = FUND.command(
    "pay_grant",
    PayGrant,
    GrantRef,
    "Pay a grant, at most as committed.",
    ("not_found", "more_than_agreed", "not_reversible"),
    policy=FINANCE,
)
FUND_BALANCE = FUND.query("fund_balance", FundRef, FundBalance, "The fund's figures.")
MIGRATIONS = Path(__file__).parent / "fund_migrations"

# The grant's row goes with its transfer, in the ledger's one statement.
_COMMIT = JournalWrite(
    "INSERT INTO grants (id, fund, initiative_id, amount, state, pending_transfer_id) "
    "SELECT g.id, g.fund, g.initiative, g.amount, 'committed', g.pending "
    "FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::bigint[], $5::uuid[]) "
    "AS g(id, fund, initiative, amount, pending)"
)
_PAY = JournalWrite(
    "UPDATE grants SET state = 'paid', paid_transfer_id = $2 WHERE id = $1 AND state = 'committed'"
)


async def _fund_account(journal: Journal, fund: str) -> UUID:
    account_id = await journal.account_id(fund, "EUR", None)
    if account_id is None:
        raise Refusal("unknown_fund", {"fund": fund}, fund=fund)
    return account_id


async def open_fund(uow: UnitOfWork, cmd: OpenFund) -> FundRef:
    # The fund's own account may go below zero by its budget: what it committed.
    await Journal(uow.conn).open([Account(new_id(), cmd.fund, "EUR", None, cmd.budget)])
    return FundRef(fund=cmd.fund)


async def commit_grant(uow: UnitOfWork, cmd: CommitGrant) -> GrantRef:
    journal = Journal(uow.conn)
    fund_id = await _fund_account(journal, cmd.fund)
    await journal.open([Account(new_id(), cmd.fund, "EUR", cmd.initiative_id, 0)])
    initiative_id = await journal.account_id(cmd.fund, "EUR", cmd.initiative_id)
    accounts = await journal.lock([fund_id, initiative_id])
    grant_id = new_id()
    posting = ledger.reserve(
        new_id(),
        accounts[fund_id],
        accounts[initiative_id],
        cmd.amount,
        kind="grant",
        ref=grant_id,
        recorded_by=f"{uow.actor.role}:{uow.actor.id}",
    )
    await _COMMIT(
        uow.conn,
        [posting.transfer],
        [posting.debit, posting.credit],
        [grant_id],
        [cmd.fund],
        [cmd.initiative_id],
        [cmd.amount],
        [posting.transfer.id],
    )
    uow.emit(
        GrantCommitted(
            grant_id=grant_id, fund=cmd.fund, initiative_id=cmd.initiative_id, amount=cmd.amount
        )
    )
    return GrantRef(grant_id=grant_id)


async def pay_grant(uow: UnitOfWork, cmd: PayGrant) -> GrantRef:
    journal = Journal(uow.conn)
    row = await uow.conn.fetchrow(
        "SELECT pending_transfer_id, state FROM grants WHERE id = $1 FOR UPDATE", cmd.grant_id
    )
    if row is None:
        raise Refusal("not_found", {"grant_id": str(cmd.grant_id)}, what="De toekenning")
    if row["state"] != "committed":
        raise Refusal("not_reversible", why="it was paid already")
    pending = await journal.transfer(row["pending_transfer_id"])
    accounts = await journal.lock([pending.debit_account_id, pending.credit_account_id])
    posting = ledger.post_pending(
        new_id(),
        pending,
        accounts[pending.debit_account_id],
        accounts[pending.credit_account_id],
        cmd.amount,
    )
    await _PAY(
        uow.conn,
        [posting.transfer],
        [posting.debit, posting.credit],
        cmd.grant_id,
        posting.transfer.id,
    )
    uow.emit(
        GrantPaid(grant_id=cmd.grant_id, amount=cmd.amount, returned=pending.amount - cmd.amount)
    )
    return GrantRef(grant_id=cmd.grant_id)


async def fund_balance(ctx: QueryContext, q: FundRef) -> FundBalance:
    journal = Journal(ctx.conn)
    account_id = await _fund_account(journal, q.fund)
    fund = (await journal.accounts([account_id]))[account_id]
    return FundBalance(
        fund=q.fund,
        committed=fund.debits_pending,
        paid=fund.debits_posted,
        available=fund.available,
    )


def build(settings: ServiceSettings | None = None) -> Service:
    return Service(
        FUND,
        MIGRATIONS,
        settings,
        components=(ledger.COMPONENT,),
        commands={OPEN_FUND: open_fund, COMMIT_GRANT: commit_grant, PAY_GRANT: pay_grant},
        queries={FUND_BALANCE: fund_balance},
    )
