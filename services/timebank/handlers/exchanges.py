"""Exchanges, two-phase: propose, accept (a pending transfer reserves the minutes on the
ledger), record hours, confirm (the pending transfer is posted; confirmations that arrive
together in one batch), cancel (voided), dispute and resolve, and the sweep's auto-confirm."""

from __future__ import annotations

from uuid import UUID

from contracts import Refusal, new_id
from contracts import timebank as c
from kit.uow import UnitOfWork
from ledger import Account, Posting, Transfer, post_pending, reserve, void_pending

from ..domain import Community, Exchange, Member
from ..repository import TimebankRepository
from .common import (
    coordinator_id,
    journal_row,
    now,
    repo_of,
    save_posting,
    transfer_facts,
    who,
)
from .transfers import reverse_posted


def _facts(e: Exchange) -> dict:
    return {
        "exchange_id": e.id,
        "community": e.community,
        "unit": e.unit,
        "provider": c.Party(
            member_id=e.provider_id, kind=e.provider_kind, neighbourhood=e.provider_neighbourhood
        ),
        "receiver": c.Party(
            member_id=e.receiver_id, kind=e.receiver_kind, neighbourhood=e.receiver_neighbourhood
        ),
        "listing_id": e.listing_id,
        "initiative_id": e.initiative_id,
        "category": e.category,
    }


def _status(e: Exchange) -> c.ExchangeStatus:
    return c.ExchangeStatus(
        exchange_id=e.id,
        state=e.state,
        amount=e.amount,
        pending_transfer_id=e.pending_transfer_id,
        transfer_id=e.transfer_id,
    )


def _new_exchange(
    community: Community,
    provider: Member,
    receiver: Member,
    cmd: c.ProposeExchange | c.RecordExchange,
    proposed_by: UUID | None,
    **facts: object,
) -> Exchange:
    """An exchange between two active members of `community`, in the command's unit, amount
    and description; `facts`: category, listing_id, initiative_id (default the command's)."""
    community.unit(cmd.unit)
    for member in (provider, receiver):
        member.ensure_active()
        if member.community != community.code:
            raise Refusal("not_a_member", {"member_id": str(member.id)})
    if provider.id == receiver.id:
        raise Refusal("same_account")
    return Exchange(
        new_id(),
        community.code,
        cmd.unit,
        provider.id,
        receiver.id,
        cmd.amount,
        cmd.description,
        proposed_by,
        **{
            "category": cmd.category,
            "listing_id": cmd.listing_id,
            "initiative_id": cmd.initiative_id,
            **facts,
        },
        provider_kind=provider.kind,
        provider_neighbourhood=provider.neighbourhood,
        receiver_kind=receiver.kind,
        receiver_neighbourhood=receiver.neighbourhood,
    )


async def propose_exchange(uow: UnitOfWork, cmd: c.ProposeExchange) -> c.ExchangeStatus:
    repo = repo_of(uow)
    proposer = await repo.member(cmd.proposer_id)
    category, initiative_id = cmd.category, cmd.initiative_id
    if cmd.listing_id is not None:
        listing = await repo.listing(cmd.listing_id)
        listing.ensure_open(now())
        if listing.member_id == proposer.id:
            raise Refusal("own_listing")
        other = await repo.member(listing.member_id)
        role, _ = listing.roles_for_answer()
        category = category or listing.category
        initiative_id = initiative_id or listing.initiative_id
    else:
        other = await repo.member(cmd.other_member_id)
        role = cmd.proposer_role
    provider, receiver = (proposer, other) if role == "provider" else (other, proposer)
    community = await repo.community(proposer.community)
    exchange = _new_exchange(
        community,
        provider,
        receiver,
        cmd,
        proposer.id,
        category=category,
        initiative_id=initiative_id,
    )
    await repo.add_exchange(exchange)
    uow.emit(
        c.ExchangeProposed(**_facts(exchange), amount=exchange.amount, proposed_by=proposer.id),
    )
    return _status(exchange)


async def _reserve(
    uow: UnitOfWork, repo: TimebankRepository, community: Community, exchange: Exchange
) -> None:
    """Agreement: a pending transfer holds the minutes, within both accounts' limits."""
    debit_id = await repo.member_account_id(exchange.receiver_id, exchange.unit)
    credit_id = await repo.member_account_id(exchange.provider_id, exchange.unit)
    accounts = await repo.journal.lock([debit_id, credit_id])
    posting = reserve(
        new_id(),
        accounts[debit_id],
        accounts[credit_id],
        exchange.amount,
        ref=exchange.id,
        recorded_by=who(uow),
        at=now(),
    )
    coordinator = coordinator_id(uow)
    transfer = posting.transfer
    confirm_by = community.confirm_by(transfer.at)
    exchange.agreed(transfer.id, confirm_by)
    if coordinator:
        exchange.recorded_by_coordinator = coordinator
    await save_posting(repo, posting, exchange, coordinator)
    uow.emit(
        c.ExchangeAgreed(
            **_facts(exchange),
            amount=exchange.amount,
            pending_transfer_id=transfer.id,
            confirm_by=confirm_by,
            recorded_by_coordinator=coordinator,
        ),
    )
    uow.emit(
        c.TransferPending(
            **transfer_facts(
                transfer, exchange, exchange.receiver_id, exchange.provider_id, coordinator
            )
        ),
    )


async def accept_exchange(uow: UnitOfWork, cmd: c.ExchangeRef) -> c.ExchangeStatus:
    repo = repo_of(uow)
    exchange, _ = await repo.exchange(cmd.exchange_id)
    exchange.accept(uow.actor)
    for member_id in exchange.parties():
        (await repo.member(member_id)).ensure_active()
    community = await repo.community(exchange.community)
    await _reserve(uow, repo, community, exchange)
    return _status(exchange)


async def record_exchange(uow: UnitOfWork, cmd: c.RecordExchange) -> c.ExchangeStatus:
    repo = repo_of(uow)
    community = await repo.community(cmd.community)
    provider, receiver = await repo.member(cmd.provider_id), await repo.member(cmd.receiver_id)
    facts = {}
    if cmd.listing_id is not None:
        listing = await repo.listing(cmd.listing_id)
        listing.ensure_open(now())
        # As when a member answers the listing: its initiative's hours count for it.
        facts = {
            "category": cmd.category or listing.category,
            "initiative_id": cmd.initiative_id or listing.initiative_id,
        }
    exchange = _new_exchange(community, provider, receiver, cmd, None, **facts)
    await repo.add_exchange(exchange)
    await _reserve(uow, repo, community, exchange)
    if cmd.confirm_now:
        pending = await repo.journal.transfer(exchange.pending_transfer_id)
        await _post(uow, repo, exchange, pending, exchange.amount, "coordinator")
    return _status(exchange)


async def record_hours(uow: UnitOfWork, cmd: c.RecordHours) -> c.ExchangeStatus:
    repo = repo_of(uow)
    exchange, _ = await repo.exchange(cmd.exchange_id)
    exchange.record_hours(uow.actor, cmd.amount)
    await repo.save_exchange(exchange)
    return _status(exchange)


def _decide_post(
    uow: UnitOfWork,
    exchange: Exchange,
    pending: Transfer,
    accounts: dict[UUID, Account],
    amount: int,
    by: str,
) -> Posting:
    """Post the reservation (in memory: `accounts` and `exchange` change), and emit."""
    posting = post_pending(
        new_id(),
        pending,
        accounts[pending.debit_account_id],
        accounts[pending.credit_account_id],
        amount,
        recorded_by=who(uow),
        at=now(),
    )
    accounts[posting.debit.id], accounts[posting.credit.id] = posting.debit, posting.credit
    coordinator = coordinator_id(uow)
    exchange.confirmed(posting.transfer.id, by)
    transfer = posting.transfer
    uow.emit(
        c.ExchangeConfirmed(
            **_facts(exchange),
            amount=transfer.amount,
            agreed_amount=exchange.amount,
            transfer_id=transfer.id,
            confirmed_by=by,
            coordinator_id=coordinator,
        ),
    )
    uow.emit(
        c.TransferPosted(
            **transfer_facts(
                transfer,
                exchange,
                exchange.receiver_id,
                exchange.provider_id,
                coordinator or exchange.recorded_by_coordinator,
            ),
            pending_transfer_id=pending.id,
            posted_at=transfer.at,
        ),
    )
    return posting


async def _post(
    uow: UnitOfWork,
    repo: TimebankRepository,
    exchange: Exchange,
    pending: Transfer,
    amount: int,
    by: str,
) -> Transfer:
    accounts = await repo.journal.lock([pending.debit_account_id, pending.credit_account_id])
    posting = _decide_post(uow, exchange, pending, accounts, amount, by)
    await repo.record_many(
        [journal_row(posting, exchange, coordinator_id(uow))],
        [posting.debit, posting.credit],
        [exchange],
    )
    return posting.transfer


async def confirm_exchanges(conn, commands: list[tuple[UnitOfWork, c.ConfirmExchange]]) -> list:
    """Confirmations that arrive together: load and lock them all, decide each in order in
    memory (as confirm_exchange would), then write everything in one statement."""
    repo = TimebankRepository(conn)
    found = await repo.exchanges(cmd.exchange_id for _, cmd in commands)
    account_ids = {
        i for _, p in found.values() if p for i in (p.debit_account_id, p.credit_account_id)
    }
    accounts = await repo.journal.lock(account_ids)
    results, rows, touched = [], [], {}
    for uow, cmd in commands:
        try:
            if cmd.exchange_id not in found:
                raise Refusal(
                    "not_found", {"exchange_id": str(cmd.exchange_id)}, what="De uitwisseling"
                )
            exchange, pending = found[cmd.exchange_id]
            amount, by = exchange.confirm(uow.actor, cmd.amount)
            posting = _decide_post(uow, exchange, pending, accounts, amount, by)
        except Refusal as refusal:
            results.append(refusal)
            continue
        rows.append(journal_row(posting, exchange, coordinator_id(uow)))
        touched[exchange.id] = exchange
        results.append(_status(exchange))
    if rows:
        changed = {r.transfer.debit_account_id for r in rows} | {
            r.transfer.credit_account_id for r in rows
        }
        await repo.record_many(rows, [accounts[i] for i in sorted(changed)], list(touched.values()))
    return results


async def auto_confirm(uow: UnitOfWork, exchange_id: UUID) -> bool:
    """Confirm an exchange whose confirmation period has passed without a dispute."""
    repo = repo_of(uow)
    exchange, pending = await repo.exchange(exchange_id)
    if not exchange.auto_confirmable(now()):
        return False
    await _post(uow, repo, exchange, pending, exchange.amount_to_post(None), "auto")
    return True


async def _void(
    uow: UnitOfWork, repo: TimebankRepository, exchange: Exchange, pending: Transfer
) -> None:
    accounts = await repo.journal.lock([pending.debit_account_id, pending.credit_account_id])
    posting = void_pending(
        new_id(),
        pending,
        accounts[pending.debit_account_id],
        accounts[pending.credit_account_id],
        recorded_by=who(uow),
        at=now(),
    )
    transfer = await save_posting(repo, posting, exchange, coordinator_id(uow))
    uow.emit(
        c.TransferVoided(
            **transfer_facts(
                transfer, exchange, exchange.receiver_id, exchange.provider_id, coordinator_id(uow)
            ),
            pending_transfer_id=pending.id,
        ),
    )


async def cancel_exchange(uow: UnitOfWork, cmd: c.CancelExchange) -> c.ExchangeStatus:
    repo = repo_of(uow)
    exchange, pending = await repo.exchange(cmd.exchange_id)
    exchange.cancel(uow.actor)
    if pending is not None:
        await _void(uow, repo, exchange, pending)
    else:
        await repo.save_exchange(exchange)
    uow.emit(
        c.ExchangeCancelled(**_facts(exchange), cancelled_by=who(uow), reason=cmd.reason),
    )
    return _status(exchange)


async def dispute_exchange(uow: UnitOfWork, cmd: c.DisputeExchange) -> c.ExchangeStatus:
    repo = repo_of(uow)
    exchange, _ = await repo.exchange(cmd.exchange_id)
    by = exchange.dispute(uow.actor)
    await repo.save_exchange(exchange)
    uow.emit(
        c.ExchangeDisputed(**_facts(exchange), disputed_by=by, reason=cmd.reason),
    )
    return _status(exchange)


async def resolve_dispute(uow: UnitOfWork, cmd: c.ResolveDispute) -> c.ExchangeStatus:
    repo = repo_of(uow)
    exchange, pending = await repo.exchange(cmd.exchange_id)
    exchange.resolve(cmd.outcome)
    moved = 0
    if cmd.outcome == "confirm":
        moved = (
            await _post(
                uow, repo, exchange, pending, exchange.amount_to_post(cmd.amount), "coordinator"
            )
        ).amount
    elif cmd.outcome == "void":
        await _void(uow, repo, exchange, pending)
    elif cmd.outcome == "reverse":
        moved = (
            await reverse_posted(
                uow, repo, new_id(), exchange.transfer_id, cmd.amount, cmd.note, exchange
            )
        ).amount
    exchange.resolved(cmd.outcome)
    await repo.save_exchange(exchange)
    outcome = {
        "confirm": "confirmed",
        "void": "voided",
        "reverse": "reversed",
        "dismiss": "dismissed",
    }[cmd.outcome]
    uow.emit(
        c.ExchangeResolved(
            **_facts(exchange),
            outcome=outcome,
            coordinator_id=uow.actor.id,
            note=cmd.note,
            amount=moved,
        ),
    )
    return _status(exchange)
