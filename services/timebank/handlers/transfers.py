"""Corrections: a coordinator reverses (part of) a posted transfer with a reason; the original
stays as it was. Also the reversal step of resolving a dispute about a posted exchange."""

from __future__ import annotations

from uuid import UUID

from contracts import Refusal
from contracts import timebank as c
from kit.uow import UnitOfWork
from ledger import Transfer, reverse

from ..domain import Exchange
from ..repository import TimebankRepository
from .common import now, repo_of, save_posting, transfer_facts, who


async def reverse_posted(
    uow: UnitOfWork,
    repo: TimebankRepository,
    transfer_id: UUID,
    original_id: UUID,
    amount: int | None,
    reason: str,
    exchange: Exchange | None,
) -> Transfer:
    original = await repo.journal.transfer(original_id)
    if original is None:
        raise Refusal("not_found", {"transfer_id": str(original_id)}, what="De boeking")
    accounts = await repo.journal.lock([original.debit_account_id, original.credit_account_id])
    # Lock first, then count what was reversed: two reversals cannot both take the rest.
    already = await repo.journal.reversed_so_far(original.id)
    posting = reverse(
        transfer_id,
        original,
        already,
        accounts[original.credit_account_id],
        accounts[original.debit_account_id],
        amount,
        reason,
        who(uow),
        at=now(),
    )
    transfer = await save_posting(repo, posting, exchange, uow.actor.id)
    uow.emit(
        c.TransferReversed(
            **transfer_facts(
                transfer,
                exchange,
                await repo.journal.owner_of(transfer.debit_account_id),
                await repo.journal.owner_of(transfer.credit_account_id),
                uow.actor.id,
            ),
            reverses_transfer_id=original.id,
            reason=reason,
        ),
    )
    return transfer


async def reverse_transfer(uow: UnitOfWork, cmd: c.ReverseTransfer) -> c.TransferRef:
    repo = repo_of(uow)
    if (found := await repo.journal.transfer(cmd.transfer_id)) is not None:
        if found.reverses_id != cmd.reverses_transfer_id or (
            cmd.amount is not None and cmd.amount != found.amount
        ):
            raise Refusal("transfer_id_conflict", {"transfer_id": str(cmd.transfer_id)})
        return c.TransferRef(transfer_id=found.id, amount=found.amount)
    transfer = await reverse_posted(
        uow, repo, cmd.transfer_id, cmd.reverses_transfer_id, cmd.amount, cmd.reason, None
    )
    return c.TransferRef(transfer_id=transfer.id, amount=transfer.amount)
