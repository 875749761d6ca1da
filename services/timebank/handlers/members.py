"""Communities and members: set-up, registration, approval, suspension, leaving, VOG, limits.
Who may call each is the operation's policy (`contracts/timebank.py`), checked by the kit."""

from __future__ import annotations

from uuid import UUID

from contracts import new_id
from contracts import timebank as c
from kit.uow import UnitOfWork
from ledger import Account, check_new_limits

from .. import domain
from ..domain import Community, Member, UnitRules
from ..repository import TimebankRepository
from .common import coordinator_id, repo_of, who


async def configure_community(uow: UnitOfWork, cmd: c.ConfigureCommunity) -> c.CommunityRef:
    repo = repo_of(uow)
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
    members = await repo.member_ids(community.code)
    for r in community.units.values():
        # The pot, and an account in a new unit for members who joined before it was added.
        pot = Account(new_id(), community.code, r.unit, None, r.community_debt_limit)
        await repo.journal.open(
            [pot]
            + [
                Account(new_id(), community.code, r.unit, m, r.debt_limit, r.max_balance)
                for m in members
            ]
        )
        await repo.journal.apply_default_limits(
            community.code, r.unit, r.debt_limit, r.max_balance, owned=True
        )
        await repo.journal.apply_default_limits(
            community.code, r.unit, r.community_debt_limit, None, owned=False
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
    repo = repo_of(uow)
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
    await repo.add_member(member, who(uow))
    await repo.journal.open(
        [
            Account(new_id(), community.code, r.unit, member.id, r.debt_limit, r.max_balance)
            for r in community.units.values()
        ]
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
            coordinator_id=coordinator_id(uow),
            needs_vog=member.needs_vog,
        ),
    )
    return c.MemberRef(member_id=member.id)


async def _locked_member(uow: UnitOfWork, member_id: UUID) -> tuple[TimebankRepository, Member]:
    repo = repo_of(uow)
    return repo, await repo.member(member_id, lock=True)


async def approve_member(uow: UnitOfWork, cmd: c.MemberRef) -> c.MemberRef:
    repo, member = await _locked_member(uow, cmd.member_id)
    member.approve()
    await repo.save_member_state(member)
    uow.emit(
        c.MemberApproved(
            member_id=member.id, community=member.community, coordinator_id=uow.actor.id
        ),
    )
    return cmd


async def suspend_member(uow: UnitOfWork, cmd: c.SuspendMember) -> c.MemberRef:
    repo, member = await _locked_member(uow, cmd.member_id)
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
    repo, member = await _locked_member(uow, cmd.member_id)
    member.leave(await repo.has_open_exchanges(member.id))
    await repo.save_member_state(member)
    uow.emit(c.MemberLeft(member_id=member.id, community=member.community))
    return cmd


async def record_vog(uow: UnitOfWork, cmd: c.RecordVog) -> c.MemberRef:
    repo, member = await _locked_member(uow, cmd.member_id)
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
    repo, member = await _locked_member(uow, cmd.member_id)
    account_id = await repo.member_account_id(member.id, cmd.unit)
    accounts = await repo.journal.lock([account_id])
    changed = check_new_limits(accounts[account_id], cmd.debt_limit, cmd.max_balance)
    await repo.journal.set_limits(changed)
    return c.MemberRef(member_id=member.id)
