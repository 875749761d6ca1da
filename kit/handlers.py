"""The shapes of the handlers a service registers (kit/registration.py), and what a query
handler gets. A command handler and an event handler get a `UnitOfWork` (kit/uow.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from contracts import Actor, Contract, Refusal

from .uow import UnitOfWork


@dataclass
class QueryContext:
    """A query handler's view: `conn` in a read-only repeatable-read transaction, the
    `actor` who asked, and the request's correlation id."""

    conn: asyncpg.Connection
    actor: Actor
    correlation_id: UUID


CommandHandler = Callable[[UnitOfWork, Contract], Awaitable[Contract]]
"""`async def cast_ballot(uow: UnitOfWork, cmd: CastBallot) -> BallotReceipt`."""

BatchCommandHandler = Callable[
    [asyncpg.Connection, list[tuple[UnitOfWork, Contract]]], Awaitable[list[Contract | Refusal]]
]
"""`async def record_payouts(conn, [(uow, cmd), ...]) -> [result or Refusal, ...]`: the
commands of one operation that arrived together, decided in order, written once."""

QueryHandler = Callable[[QueryContext, Contract], Awaitable[Contract]]
"""`async def round_results(ctx: QueryContext, q: RoundRef) -> RoundResults`."""

EventHandler = Callable[[UnitOfWork, Any], Awaitable[None]]
"""`async def on_admitted(uow: UnitOfWork, event: Event[ApplicationAdmitted]) -> None`."""
