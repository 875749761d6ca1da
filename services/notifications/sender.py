"""The e-mail send queue's worker: `lanes` loops, each with its own PostgreSQL connection and
SMTP connection, so one renders while another waits for the mail server.

A lane claims due rows (`FOR UPDATE SKIP LOCKED`, so replicas and lanes never take the same
row) and leases them by moving `next_attempt_at` to the lease's end with its token in
`lease_owner`; the claim commits at once. It then sends each message and records the outcome
only if it still holds the lease. A lane that dies leaves its rows to come due again when the
lease ends. Between the server's acceptance and that record is the one moment a crash can
repeat a message: SMTP has no idempotency key, so the message goes again with the same
Message-ID (derived from the row, i.e. from the dedup key), which a mail store recognises.

Failures: a permanent refusal fails the message at once; a transient one retries with
exponential backoff (`RetryPolicy`) and fails after the last attempt, visible to operators
(`failed_messages`, `retry_failed`). When the server cannot be reached at all, the lane puts
back the rest of its claim without counting an attempt, and pauses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime

import asyncpg

from kit.db import connect_with_retry
from kit.logging import get_logger

from .domain import DIGEST, RetryPolicy
from .render import Renderer, email_message
from .repository import MAIL_CHANNEL, Repository
from .smtp import SendFailed, SmtpSender, SmtpSettings

log = get_logger(__name__)

_CLAIM = """
WITH due AS (
    SELECT id FROM messages
    WHERE state = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE messages m
    SET lease_owner = $2, attempts = m.attempts + 1,
        next_attempt_at = now() + make_interval(secs => $3)
    FROM due WHERE m.id = due.id
    RETURNING m.id, m.kind, m.language, m.params, m.deliver_to, m.attempts, m.next_attempt_at
)
SELECT c.*, ct.email, ct.name, coalesce(p.time_zone, 'Europe/Amsterdam') AS time_zone
FROM claimed c
LEFT JOIN contacts ct ON ct.person_id = c.deliver_to
LEFT JOIN preferences p ON p.person_id = c.deliver_to
ORDER BY c.next_attempt_at, c.id
"""
_SENT = (
    "UPDATE messages SET state = 'sent', sent_at = now(), lease_owner = NULL, last_error = NULL "
    "WHERE id = $1 AND lease_owner = $2"
)
_RETRY = (
    "UPDATE messages SET next_attempt_at = now() + make_interval(secs => $3), "
    "lease_owner = NULL, last_error = $4 WHERE id = $1 AND lease_owner = $2"
)
_FAILED = (
    "UPDATE messages SET state = 'failed', lease_owner = NULL, last_error = $3 "
    "WHERE id = $1 AND lease_owner = $2"
)
_RELEASE = (
    "UPDATE messages SET attempts = attempts - 1, next_attempt_at = now() + "
    "make_interval(secs => $3), lease_owner = NULL WHERE id = ANY($1::uuid[]) "
    "AND lease_owner = $2"
)


class MailSender:
    """Sends queued e-mail until stopped. `metrics` is optional (counters by outcome)."""

    def __init__(
        self,
        dsn: str,
        smtp: SmtpSettings,
        renderer: Renderer,
        retry: RetryPolicy,
        *,
        lanes: int = 4,
        batch: int = 20,
        lease_s: float = 60.0,
        poll_s: float = 1.0,
        message_id_domain: str = "voorelkaar.localhost",
        connect_timeout_s: float = 60.0,
        outcomes=None,
    ):
        self.dsn, self.smtp, self.renderer, self.retry = dsn, smtp, renderer, retry
        self.lanes, self.batch, self.lease_s, self.poll_s = lanes, batch, lease_s, poll_s
        self.domain = message_id_domain
        self.connect_timeout_s = connect_timeout_s
        self.outcomes = outcomes
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._listener: asyncpg.Connection | None = None
        self.running = False

    async def start(self) -> None:
        self._listener = await connect_with_retry(
            self.dsn, self.connect_timeout_s, "PostgreSQL (mail wake-ups)", prepare=False
        )
        await self._listener.add_listener(MAIL_CHANNEL, lambda *_: self._wake.set())
        self._tasks = [
            asyncio.create_task(self._lane(i), name=f"mail-lane:{i}") for i in range(self.lanes)
        ]
        self.running = True

    async def stop(self) -> None:
        """Finish the message in hand, put back the rest of each claim, close."""
        self._stopping.set()
        self._wake.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=30)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        self.running = False

    def _count(self, outcome: str) -> None:
        if self.outcomes is not None:
            self.outcomes.labels(outcome).inc()

    async def _lane(self, number: int) -> None:
        conn: asyncpg.Connection | None = None
        smtp = SmtpSender(self.smtp)
        owner = uuid.uuid4()
        paused = 0
        try:
            while not self._stopping.is_set():
                try:
                    if conn is None or conn.is_closed():
                        conn = await connect_with_retry(self.dsn, self.connect_timeout_s)
                        # The record of a send may wait for the WAL writer: a crash of this
                        # process loses nothing (the commit is in the server), a crash of the
                        # database server may send one message again (same Message-ID).
                        await conn.execute("SET synchronous_commit = off")
                    self._wake.clear()
                    rows = await conn.fetch(_CLAIM, self.batch, owner, self.lease_s)
                    if not rows:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), self.poll_s)
                        continue
                    unreachable = await self._send_claimed(conn, smtp, owner, rows)
                    if unreachable:
                        paused += 1
                        pause = self.retry.delay_after(paused)
                        log.warning("mail server unreachable; pausing", lane=number, pause_s=pause)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._stopping.wait(), pause)
                    else:
                        paused = 0
                except (OSError, asyncpg.PostgresConnectionError, ConnectionError) as exc:
                    log.warning("mail lane lost its database", lane=number, error=repr(exc))
                    conn = None
                    await asyncio.sleep(1.0)
                except Exception:
                    log.exception("mail lane failed; going on", lane=number)
                    await asyncio.sleep(1.0)
        finally:
            await smtp.close()
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()

    async def _send_claimed(self, conn, smtp: SmtpSender, owner: uuid.UUID, rows) -> bool:
        """Send each claimed row; True when the server could not be reached (the rest of the
        claim was put back)."""
        for i, row in enumerate(rows):
            if self._stopping.is_set():
                await conn.execute(_RELEASE, [r["id"] for r in rows[i:]], owner, 0.0)
                return False
            failure = await self._send_one(conn, smtp, row)
            if failure is None:
                status = await conn.execute(_SENT, row["id"], owner)
                if status.endswith(" 0"):
                    log.warning("sent after the lease ended", message_id=str(row["id"]))
                self._count("sent")
                continue
            if self.retry.gives_up(row["attempts"], failure.permanent):
                await conn.execute(_FAILED, row["id"], owner, failure.reason)
                self._count("failed")
                log.error("e-mail failed", message_id=str(row["id"]), reason=failure.reason)
            else:
                delay = self.retry.delay_after(row["attempts"])
                await conn.execute(_RETRY, row["id"], owner, delay, failure.reason)
                self._count("retry")
                if failure.unreachable:
                    rest = [r["id"] for r in rows[i + 1 :]]
                    if rest:
                        await conn.execute(_RELEASE, rest, owner, delay)
                    return True
        return False

    async def _send_one(self, conn, smtp: SmtpSender, row) -> SendFailed | None:
        address = row["email"]
        if not address:
            return SendFailed(f"no e-mail address known for {row['deliver_to']}", False)
        try:
            mail = await self.compose(conn, row)
        except Exception as exc:  # a template that cannot render this message: a bug to fix
            return SendFailed(f"cannot render: {exc!r}"[:500], True)
        message = email_message(
            mail,
            self.smtp.sender,
            address,
            f"<{row['id']}@{self.domain}>",
            datetime.now(UTC),
        )
        try:
            await smtp.send(message, address)
        except SendFailed as failure:
            return failure
        return None

    async def compose(self, conn, row):
        """The e-mail of one queued row (a digest gathers its items)."""
        tz = row["time_zone"]
        if row["kind"] == DIGEST:
            items = [
                self.renderer.render(i["kind"], i["language"], json.loads(i["params"]), tz)
                for i in await Repository(conn).digest_items(row["id"])
            ]
            return self.renderer.mail(items, row["language"], row["name"], digest=True)
        item = self.renderer.render(row["kind"], row["language"], json.loads(row["params"]), tz)
        return self.renderer.mail([item], row["language"], row["name"])
