"""The community pot: members donate minutes to it, coordinators award minutes from it with a
reason. Transfer ids are chosen by the client: the same transfer sent again has no second
effect, a different one under a used id is refused."""

from __future__ import annotations

from uuid import UUID

from contracts import Refusal
from contracts import timebank as c
from kit.uow import UnitOfWork
from ledger import Transfer, post_direct

from ..domain import Member
from ..repository import TimebankRepository
from .common import coordinator_id, now, repo_of, save_posting, transfer_facts, who


async def _existing(repo: TimebankRepository, wanted: Transfer) -> c.TransferRef | None:
    """A client-chosen id seen before: the same transfer again has no second effect."""
    found = await repo.journal.transfer(wanted.id)
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
    accounts = await repo.journal.lock([debit_id, credit_id])
    posting = post_direct(
        transfer_id,
        accounts[debit_id],
        accounts[credit_id],
        amount,
        kind,
        note=note,
        recorded_by=who(uow),
        at=now(),
    )
    coordinator = coordinator_id(uow)
    transfer = await save_posting(repo, posting, None, coordinator)
    debit_member, credit_member = (member.id, None) if to_pot else (None, member.id)
    uow.emit(
        c.TransferPosted(
            **transfer_facts(transfer, None, debit_member, credit_member, coordinator),
            posted_at=transfer.at,
        ),
    )
    return c.TransferRef(transfer_id=transfer.id, amount=transfer.amount)


async def donate(uow: UnitOfWork, cmd: c.Donate) -> c.TransferRef:
    repo = repo_of(uow)
    member = await repo.member(cmd.member_id)
    return await _pot_transfer(
        uow, repo, cmd.transfer_id, member, cmd.unit, cmd.amount, "donation", cmd.note, to_pot=True
    )


async def award(uow: UnitOfWork, cmd: c.Award) -> c.TransferRef:
    repo = repo_of(uow)
    member = await repo.member(cmd.member_id)
    if member.community != cmd.community:
        raise Refusal("not_a_member", {"member_id": str(member.id)})
    return await _pot_transfer(
        uow, repo, cmd.transfer_id, member, cmd.unit, cmd.amount, "award", cmd.reason, to_pot=False
    )
