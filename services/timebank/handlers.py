"""Thin handlers: load, decide (in the domain), save, emit — in one unit of work."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from contracts import Refusal, new_id
from contracts import timebank as c
from kit.uow import UnitOfWork

from . import domain
from .domain import Account, Community, Exchange, Member, Posting, Transfer, UnitRules
from .repository import JournalRow, TimebankRepository


def now() -> datetime:
    return datetime.now(UTC)


def _repo(uow: UnitOfWork) -> TimebankRepository:
    return TimebankRepository(uow.conn)


def _who(uow: UnitOfWork) -> str:
    return f"{uow.actor.role}:{uow.actor.id}"


def _coordinator_id(uow: UnitOfWork) -> str | None:
    return uow.actor.id if domain.is_coordinator(uow.actor) else None


# -- communities and members ---------------------------------------------------------------------


async def configure_community(uow: UnitOfWork, cmd: c.ConfigureCommunity) -> c.CommunityRef:
    repo = _repo(uow)
    community = Community(
        cmd.community,
        cmd.name,
        {
            u.unit: UnitRules(u.unit, u.debt_limit, u.max_balance, u.community_debt_limit)
            for u in cmd.units
        },
        cmd.auto_confirm_days,
    )
    await repo.save_community(community)
    for rules in community.units.values():
        await repo.add_account(
            Account(new_id(), community.code, rules.unit, None, rules.community_debt_limit)
        )
        await repo.apply_default_limits(community.code, rules)
    # Members who joined before a unit was added get an account in it too.
    for rules in community.units.values():
        await uow.conn.execute(
            "INSERT INTO accounts (id, community, unit, member_id, debt_limit, max_balance) "
            "SELECT gen_random_uuid(), m.community, $2, m.id, $3, $4 FROM members m "
            "WHERE m.community = $1 ON CONFLICT DO NOTHING",
            community.code,
            rules.unit,
            rules.debt_limit,
            rules.max_balance,
        )
    uow.emit(
        c.CommunityConfigured(
            community=cmd.community,
            name=cmd.name,
            units=cmd.units,
            auto_confirm_days=cmd.auto_confirm_days,
        ),
    )
    return c.CommunityRef(community=cmd.community)


async def register_member(uow: UnitOfWork, cmd: c.RegisterMember) -> c.MemberRef:
    by_coordinator = domain.is_coordinator(uow.actor)
    repo = _repo(uow)
    community = await repo.community(cmd.community)
    member = Member(
        new_id(),
        cmd.community,
        cmd.kind,
        cmd.name,
        cmd.neighbourhood,
        list(cmd.languages),
        list(cmd.skills),
        "applied",
        cmd.needs_vog,
        email=cmd.email,
        phone=cmd.phone,
    )
    await repo.add_member(member, _who(uow))
    for rules in community.units.values():
        await repo.add_account(
            Account(
                new_id(), community.code, rules.unit, member.id, rules.debt_limit, rules.max_balance
            )
        )
    uow.emit(
        c.MemberRegistered(
            member_id=member.id,
            community=member.community,
            kind=member.kind,
            neighbourhood=member.neighbourhood,
            languages=member.languages,
            skills=member.skills,
            registered_by="coordinator" if by_coordinator else "self",
            coordinator_id=_coordinator_id(uow),
            needs_vog=member.needs_vog,
        ),
    )
    return c.MemberRef(member_id=member.id)


async def _member_for_coordinator(
    uow: UnitOfWork, member_id: UUID
) -> tuple[TimebankRepository, Member]:
    repo = _repo(uow)
    return repo, await repo.member(member_id, lock=True)


async def approve_member(uow: UnitOfWork, cmd: c.MemberRef) -> c.MemberRef:
    repo, member = await _member_for_coordinator(uow, cmd.member_id)
    member.approve()
    await repo.save_member_state(member)
    uow.emit(
        c.MemberApproved(
            member_id=member.id, community=member.community, coordinator_id=uow.actor.id
        ),
    )
    return cmd


async def suspend_member(uow: UnitOfWork, cmd: c.SuspendMember) -> c.MemberRef:
    repo, member = await _member_for_coordinator(uow, cmd.member_id)
    member.suspend()
    await repo.save_member_state(member)
    uow.emit(
        c.MemberSuspended(
            member_id=member.id,
            community=member.community,
            coordinator_id=uow.actor.id,
            reason=cmd.reason,
        ),
    )
    return c.MemberRef(member_id=member.id)


async def leave(uow: UnitOfWork, cmd: c.MemberRef) -> c.MemberRef:
    repo = _repo(uow)
    member = await repo.member(cmd.member_id, lock=True)
    member.leave(await repo.has_open_exchanges(member.id))
    await repo.save_member_state(member)
    uow.emit(c.MemberLeft(member_id=member.id, community=member.community))
    return cmd


async def record_vog(uow: UnitOfWork, cmd: c.RecordVog) -> c.MemberRef:
    repo, member = await _member_for_coordinator(uow, cmd.member_id)
    await repo.record_vog(member.id, cmd.seen_on, uow.actor.id)
    uow.emit(
        c.VogRecorded(
            member_id=member.id,
            community=member.community,
            seen_on=cmd.seen_on,
            coordinator_id=uow.actor.id,
        ),
    )
    return c.MemberRef(member_id=member.id)


async def set_member_limits(uow: UnitOfWork, cmd: c.SetMemberLimits) -> c.MemberRef:
    repo, member = await _member_for_coordinator(uow, cmd.member_id)
    account_id = await repo.member_account_id(member.id, cmd.unit)
    accounts = await repo.accounts_for_update([account_id])
    changed = domain.check_new_limits(accounts[account_id], cmd.debt_limit, cmd.max_balance)
    await repo.save_limits(changed)
    return c.MemberRef(member_id=member.id)


# -- listings ----------------------------------------------------------------------------------


async def publish_listing(uow: UnitOfWork, cmd: c.PublishListing) -> c.ListingRef:
    repo = _repo(uow)
    member = await repo.member(cmd.member_id)
    member.ensure_active()
    domain.Listing.check_expiry(cmd.expires_at, now())
    listing = domain.Listing(
        new_id(),
        member.community,
        member.id,
        cmd.kind,
        cmd.title,
        cmd.description,
        cmd.category,
        cmd.neighbourhood,
        cmd.expires_at,
        cmd.initiative_id,
    )
    await repo.add_listing(listing)
    uow.emit(
        c.ListingPublished(
            listing_id=listing.id,
            community=listing.community,
            member_id=member.id,
            kind=listing.kind,
            title=listing.title,
            category=listing.category,
            neighbourhood=listing.neighbourhood,
            initiative_id=listing.initiative_id,
            expires_at=listing.expires_at,
        ),
    )
    return c.ListingRef(listing_id=listing.id)


async def close_listing(uow: UnitOfWork, cmd: c.ListingRef) -> c.ListingRef:
    repo = _repo(uow)
    listing = await repo.listing(cmd.listing_id, lock=True)
    domain.require_self_or_coordinator(uow.actor, listing.member_id)
    listing.close()
    await repo.save_listing_state(listing)
    uow.emit(
        c.ListingClosed(listing_id=listing.id, community=listing.community, reason="closed"),
    )
    return cmd


async def expire_listings(uow: UnitOfWork, limit: int = 200) -> int:
    repo = _repo(uow)
    expired = 0
    for listing in await repo.expired_listings(limit):
        if listing.expire(now()):
            await repo.save_listing_state(listing)
            uow.emit(
                c.ListingClosed(
                    listing_id=listing.id, community=listing.community, reason="expired"
                ),
            )
            expired += 1
    return expired


# -- exchanges ---------------------------------------------------------------------------------


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


def _transfer_facts(
    t: Transfer,
    e: Exchange | None,
    debit_member: UUID | None,
    credit_member: UUID | None,
    coordinator: str | None,
) -> dict:
    return {
        "transfer_id": t.id,
        "community": t.community,
        "unit": t.unit,
        "amount": t.amount,
        "debit_member_id": debit_member,
        "credit_member_id": credit_member,
        "kind": t.kind,
        "exchange_id": t.exchange_id,
        "initiative_id": e.initiative_id if e else None,
        "category": e.category if e else None,
        "neighbourhood": e.provider_neighbourhood if e else None,
        "recorded_by_coordinator": coordinator,
        "note": t.note,
    }


async def _new_exchange(
    repo: TimebankRepository,
    community: Community,
    provider: Member,
    receiver: Member,
    unit: str,
    amount: int,
    description: str,
    category: str | None,
    listing_id: UUID | None,
    initiative_id: UUID | None,
    proposed_by: UUID | None,
) -> Exchange:
    community.unit(unit)
    for member in (provider, receiver):
        member.ensure_active()
        if member.community != community.code:
            raise Refusal("not_a_member", {"member_id": str(member.id)})
    if provider.id == receiver.id:
        raise Refusal("same_account")
    return Exchange(
        new_id(),
        community.code,
        unit,
        provider.id,
        receiver.id,
        amount,
        description,
        proposed_by,
        category=category,
        listing_id=listing_id,
        initiative_id=initiative_id,
        provider_kind=provider.kind,
        provider_neighbourhood=provider.neighbourhood,
        receiver_kind=receiver.kind,
        receiver_neighbourhood=receiver.neighbourhood,
    )


async def propose_exchange(uow: UnitOfWork, cmd: c.ProposeExchange) -> c.ExchangeStatus:
    repo = _repo(uow)
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
    exchange = await _new_exchange(
        repo,
        community,
        provider,
        receiver,
        cmd.unit,
        cmd.amount,
        cmd.description,
        category,
        cmd.listing_id,
        initiative_id,
        proposer.id,
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
    accounts = await repo.accounts_for_update([debit_id, credit_id])
    posting = domain.reserve(
        new_id(),
        accounts[debit_id],
        accounts[credit_id],
        exchange.amount,
        exchange_id=exchange.id,
        recorded_by=_who(uow),
        at=now(),
    )
    coordinator = _coordinator_id(uow)
    transfer = posting.transfer
    confirm_by = community.confirm_by(transfer.at)
    exchange.agreed(transfer.id, confirm_by)
    if coordinator:
        exchange.recorded_by_coordinator = coordinator
    await _save_posting(repo, posting, exchange, coordinator)
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
            **_transfer_facts(
                transfer, exchange, exchange.receiver_id, exchange.provider_id, coordinator
            )
        ),
    )


async def _save_posting(
    repo: TimebankRepository, posting: Posting, exchange: Exchange | None, coordinator: str | None
) -> Transfer:
    """The transfer, both accounts and the exchange as it now is, in one write."""
    await repo.record(
        posting.transfer,
        [posting.debit, posting.credit],
        exchange,
        category=exchange.category if exchange else None,
        neighbourhood=exchange.provider_neighbourhood if exchange else None,
        by_coordinator=bool(coordinator or (exchange and exchange.recorded_by_coordinator)),
    )
    return posting.transfer


async def accept_exchange(uow: UnitOfWork, cmd: c.ExchangeRef) -> c.ExchangeStatus:
    repo = _repo(uow)
    exchange, _ = await repo.exchange(cmd.exchange_id)
    exchange.accept(uow.actor)
    for member_id in exchange.parties():
        (await repo.member(member_id)).ensure_active()
    community = await repo.community(exchange.community)
    await _reserve(uow, repo, community, exchange)
    return _status(exchange)


async def record_exchange(uow: UnitOfWork, cmd: c.RecordExchange) -> c.ExchangeStatus:
    repo = _repo(uow)
    community = await repo.community(cmd.community)
    provider, receiver = await repo.member(cmd.provider_id), await repo.member(cmd.receiver_id)
    if cmd.listing_id is not None:
        (await repo.listing(cmd.listing_id)).ensure_open(now())
    exchange = await _new_exchange(
        repo,
        community,
        provider,
        receiver,
        cmd.unit,
        cmd.amount,
        cmd.description,
        cmd.category,
        cmd.listing_id,
        cmd.initiative_id,
        None,
    )
    await repo.add_exchange(exchange)
    await _reserve(uow, repo, community, exchange)
    if cmd.confirm_now:
        pending = await repo.transfer(exchange.pending_transfer_id)
        await _post(uow, repo, exchange, pending, exchange.amount, "coordinator")
    return _status(exchange)


async def record_hours(uow: UnitOfWork, cmd: c.RecordHours) -> c.ExchangeStatus:
    repo = _repo(uow)
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
    posting = domain.post_pending(
        new_id(),
        pending,
        accounts[pending.debit_account_id],
        accounts[pending.credit_account_id],
        amount,
        recorded_by=_who(uow),
        at=now(),
    )
    accounts[posting.debit.id], accounts[posting.credit.id] = posting.debit, posting.credit
    coordinator = _coordinator_id(uow)
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
            **_transfer_facts(
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


def _journal_row(
    posting: Posting, exchange: Exchange | None, coordinator: str | None
) -> JournalRow:
    return JournalRow(
        posting.transfer,
        exchange.category if exchange else None,
        exchange.provider_neighbourhood if exchange else None,
        bool(coordinator or (exchange and exchange.recorded_by_coordinator)),
    )


async def _post(
    uow: UnitOfWork,
    repo: TimebankRepository,
    exchange: Exchange,
    pending: Transfer,
    amount: int,
    by: str,
) -> Transfer:
    accounts = await repo.accounts_for_update([pending.debit_account_id, pending.credit_account_id])
    posting = _decide_post(uow, exchange, pending, accounts, amount, by)
    await repo.record_many(
        [_journal_row(posting, exchange, _coordinator_id(uow))],
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
    accounts = await repo.accounts_for_update(account_ids)
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
        rows.append(_journal_row(posting, exchange, _coordinator_id(uow)))
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
    repo = _repo(uow)
    exchange, pending = await repo.exchange(exchange_id)
    if not exchange.auto_confirmable(now()):
        return False
    await _post(uow, repo, exchange, pending, exchange.amount_to_post(None), "auto")
    return True


async def _void(
    uow: UnitOfWork, repo: TimebankRepository, exchange: Exchange, pending: Transfer
) -> None:
    accounts = await repo.accounts_for_update([pending.debit_account_id, pending.credit_account_id])
    posting = domain.void_pending(
        new_id(),
        pending,
        accounts[pending.debit_account_id],
        accounts[pending.credit_account_id],
        recorded_by=_who(uow),
        at=now(),
    )
    transfer = await _save_posting(repo, posting, exchange, _coordinator_id(uow))
    uow.emit(
        c.TransferVoided(
            **_transfer_facts(
                transfer, exchange, exchange.receiver_id, exchange.provider_id, _coordinator_id(uow)
            ),
            pending_transfer_id=pending.id,
        ),
    )


async def cancel_exchange(uow: UnitOfWork, cmd: c.CancelExchange) -> c.ExchangeStatus:
    repo = _repo(uow)
    exchange, pending = await repo.exchange(cmd.exchange_id)
    exchange.cancel(uow.actor)
    if pending is not None:
        await _void(uow, repo, exchange, pending)
    else:
        await repo.save_exchange(exchange)
    uow.emit(
        c.ExchangeCancelled(**_facts(exchange), cancelled_by=_who(uow), reason=cmd.reason),
    )
    return _status(exchange)


async def dispute_exchange(uow: UnitOfWork, cmd: c.DisputeExchange) -> c.ExchangeStatus:
    repo = _repo(uow)
    exchange, _ = await repo.exchange(cmd.exchange_id)
    by = exchange.dispute(uow.actor)
    await repo.save_exchange(exchange)
    uow.emit(
        c.ExchangeDisputed(**_facts(exchange), disputed_by=by, reason=cmd.reason),
    )
    return _status(exchange)


async def resolve_dispute(uow: UnitOfWork, cmd: c.ResolveDispute) -> c.ExchangeStatus:
    repo = _repo(uow)
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
            await _reverse(
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


# -- direct transfers --------------------------------------------------------------------------


async def _existing(repo: TimebankRepository, wanted: Transfer) -> c.TransferRef | None:
    """A client-chosen id seen before: the same transfer again has no second effect."""
    found = await repo.transfer(wanted.id)
    if found is None:
        return None
    if not found.same_as(wanted):
        raise Refusal("transfer_id_conflict", {"transfer_id": str(wanted.id)})
    return c.TransferRef(transfer_id=found.id, amount=found.amount)


async def _pot_transfer(
    uow: UnitOfWork,
    repo: TimebankRepository,
    transfer_id: UUID,
    member: Member,
    unit: str,
    amount: int,
    kind: str,
    note: str | None,
    to_pot: bool,
) -> c.TransferRef:
    """A posted transfer between a member and the community pot (either way)."""
    member.ensure_active()
    member_account = await repo.member_account_id(member.id, unit)
    pot = await repo.pot_account_id(member.community, unit)
    debit_id, credit_id = (member_account, pot) if to_pot else (pot, member_account)
    wanted = Transfer(
        transfer_id, member.community, unit, debit_id, credit_id, amount, "posted", kind
    )
    if (done := await _existing(repo, wanted)) is not None:
        return done
    accounts = await repo.accounts_for_update([debit_id, credit_id])
    posting = domain.post_direct(
        transfer_id,
        accounts[debit_id],
        accounts[credit_id],
        amount,
        kind,
        note=note,
        recorded_by=_who(uow),
        at=now(),
    )
    coordinator = _coordinator_id(uow)
    transfer = await _save_posting(repo, posting, None, coordinator)
    debit_member, credit_member = (member.id, None) if to_pot else (None, member.id)
    uow.emit(
        c.TransferPosted(
            **_transfer_facts(transfer, None, debit_member, credit_member, coordinator),
            posted_at=transfer.at,
        ),
    )
    return c.TransferRef(transfer_id=transfer.id, amount=transfer.amount)


async def donate(uow: UnitOfWork, cmd: c.Donate) -> c.TransferRef:
    repo = _repo(uow)
    member = await repo.member(cmd.member_id)
    return await _pot_transfer(
        uow, repo, cmd.transfer_id, member, cmd.unit, cmd.amount, "donation", cmd.note, to_pot=True
    )


async def award(uow: UnitOfWork, cmd: c.Award) -> c.TransferRef:
    repo = _repo(uow)
    member = await repo.member(cmd.member_id)
    if member.community != cmd.community:
        raise Refusal("not_a_member", {"member_id": str(member.id)})
    return await _pot_transfer(
        uow, repo, cmd.transfer_id, member, cmd.unit, cmd.amount, "award", cmd.reason, to_pot=False
    )


async def _reverse(
    uow: UnitOfWork,
    repo: TimebankRepository,
    transfer_id: UUID,
    original_id: UUID,
    amount: int | None,
    reason: str,
    exchange: Exchange | None,
) -> Transfer:
    original = await repo.transfer(original_id)
    if original is None:
        raise Refusal("not_found", {"transfer_id": str(original_id)}, what="De boeking")
    accounts = await repo.accounts_for_update(
        [original.debit_account_id, original.credit_account_id]
    )
    # Lock first, then count what was reversed: two reversals cannot both take the rest.
    already = await repo.reversed_so_far(original.id)
    posting = domain.reverse(
        transfer_id,
        original,
        already,
        accounts[original.credit_account_id],
        accounts[original.debit_account_id],
        amount,
        reason,
        _who(uow),
        at=now(),
    )
    transfer = await _save_posting(repo, posting, exchange, uow.actor.id)
    uow.emit(
        c.TransferReversed(
            **_transfer_facts(
                transfer,
                exchange,
                await repo.account_owner(transfer.debit_account_id),
                await repo.account_owner(transfer.credit_account_id),
                uow.actor.id,
            ),
            reverses_transfer_id=original.id,
            reason=reason,
        ),
    )
    return transfer


async def reverse_transfer(uow: UnitOfWork, cmd: c.ReverseTransfer) -> c.TransferRef:
    repo = _repo(uow)
    if (found := await repo.transfer(cmd.transfer_id)) is not None:
        if found.reverses_id != cmd.reverses_transfer_id or (
            cmd.amount is not None and cmd.amount != found.amount
        ):
            raise Refusal("transfer_id_conflict", {"transfer_id": str(cmd.transfer_id)})
        return c.TransferRef(transfer_id=found.id, amount=found.amount)
    transfer = await _reverse(
        uow, repo, cmd.transfer_id, cmd.reverses_transfer_id, cmd.amount, cmd.reason, None
    )
    return c.TransferRef(transfer_id=transfer.id, amount=transfer.amount)
