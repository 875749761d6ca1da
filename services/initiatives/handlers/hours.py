"""The time bank's posted and reversed transfers: volunteer minutes for an initiative."""

from __future__ import annotations

from contracts import Event
from contracts.timebank import TransferPosted, TransferReversed
from kit.uow import UnitOfWork

from ..domain import from_posted, from_reversed
from .common import repo


async def on_transfer_posted(uow: UnitOfWork, event: Event[TransferPosted]) -> None:
    entry = from_posted(event.data)
    if entry is not None:
        await repo(uow).add_minutes(entry)


async def on_transfer_reversed(uow: UnitOfWork, event: Event[TransferReversed]) -> None:
    entry = from_reversed(event.data)
    if entry is not None:
        await repo(uow).add_minutes(entry)
