"""What every handler of the time bank uses: the repository, who acts, the facts a transfer
event carries, and the write of a ledger posting with the time bank's own rows."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from kit.uow import UnitOfWork
from ledger import Posting, Transfer

from .. import domain
from ..domain import Exchange
from ..repository import JournalRow, TimebankRepository


def now() -> datetime:
    return datetime.now(UTC)


def repo_of(uow: UnitOfWork) -> TimebankRepository:
    return TimebankRepository(uow.conn)


def who(uow: UnitOfWork) -> str:
    """`role:id` of the actor, as the journal records it."""
    return f"{uow.actor.role}:{uow.actor.id}"


def coordinator_id(uow: UnitOfWork) -> str | None:
    return uow.actor.id if domain.is_coordinator(uow.actor) else None


def transfer_facts(
    t: Transfer,
    e: Exchange | None,
    debit_member: UUID | None,
    credit_member: UUID | None,
    coordinator: str | None,
) -> dict:
    """The fields every transfer event carries (`contracts.timebank.TransferFacts`)."""
    return {
        "transfer_id": t.id,
        "community": t.ledger,
        "unit": t.unit,
        "amount": t.amount,
        "debit_member_id": debit_member,
        "credit_member_id": credit_member,
        "kind": t.kind,
        "exchange_id": t.ref,
        "initiative_id": e.initiative_id if e else None,
        "category": e.category if e else None,
        "neighbourhood": e.provider_neighbourhood if e else None,
        "recorded_by_coordinator": coordinator,
        "note": t.note,
    }


def journal_row(posting: Posting, exchange: Exchange | None, coordinator: str | None) -> JournalRow:
    """The transfer with the facts the statistics group it by."""
    return JournalRow(
        posting.transfer,
        exchange.category if exchange else None,
        exchange.provider_neighbourhood if exchange else None,
        bool(coordinator or (exchange and exchange.recorded_by_coordinator)),
    )


async def save_posting(
    repo: TimebankRepository, posting: Posting, exchange: Exchange | None, coordinator: str | None
) -> Transfer:
    """The transfer, both accounts and the exchange as it now is, in one write."""
    await repo.record_many(
        [journal_row(posting, exchange, coordinator)],
        [posting.debit, posting.credit],
        [exchange] if exchange else [],
    )
    return posting.transfer
