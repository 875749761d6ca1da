"""The operator's view of e-mail that could not be sent, and sending it again."""

from __future__ import annotations

from contracts import notifications as c
from kit.requests import QueryContext
from kit.uow import UnitOfWork

from ..repository import Repository


async def failed_messages(ctx: QueryContext, q: c.FailedQuery) -> c.FailedMessages:
    rows = await Repository(ctx.conn).failed(q.limit)
    return c.FailedMessages(
        messages=[
            c.FailedMessage(
                message_id=r["id"],
                kind=r["kind"],
                deliver_to=r["deliver_to"],
                attempts=r["attempts"],
                last_error=r["last_error"],
                created_at=r["created_at"],
            )
            for r in rows
        ],
        total=rows[0]["total"] if rows else 0,
    )


async def retry_failed(uow: UnitOfWork, cmd: c.RetryFailed) -> c.Requeued:
    """Queue failed e-mails again with a fresh set of attempts (all, or the ones named)."""
    ids = cmd.message_ids or None
    return c.Requeued(requeued=await Repository(uow.conn).requeue_failed(ids))
