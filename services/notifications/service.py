"""The notifications service: the time bank's, initiatives' and budget's events become
messages, once, in each person's language, in their inbox and by e-mail."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from prometheus_client import Counter, Gauge

from contracts.notifications import NOTIFICATIONS
from contracts.timebank import TIMEBANK
from kit.logging import get_logger
from kit.service import Service
from kit.settings import ServiceSettings

from . import jobs
from .domain import RetryPolicy
from .handlers import operator, people
from .handlers import timebank as on_tb
from .render import Renderer
from .sender import MailSender
from .smtp import SmtpSettings

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


class NotificationsSettings(ServiceSettings):
    mail_lanes: int = 4
    """Sending loops per process, each with its own SMTP and database connection."""
    mail_batch: int = 20
    mail_lease_s: float = 60.0
    """How long a claimed e-mail is this process's; after a crash it comes due again then."""
    mail_poll_s: float = 1.0
    retry_base_s: float = 5.0
    retry_cap_s: float = 900.0
    retry_max_attempts: int = 12
    message_retention_days: float = 90.0
    """Messages (inbox and e-mail) older than this are deleted."""
    reminder_lead_hours: float = 48.0
    """How long before an exchange confirms itself both sides are reminded."""
    digest_interval_s: float = 60.0
    reminder_interval_s: float = 60.0
    portal_url: str | None = None
    demo_mailbox: Path | None = None
    """The folder where the embedded default's local SMTP server keeps its mails."""
    message_id_domain: str = "voorelkaar.localhost"


def build(
    settings: NotificationsSettings | None = None, smtp: SmtpSettings | None = None
) -> Service:
    s = settings or NotificationsSettings()
    smtp = smtp or SmtpSettings()
    service = Service(NOTIFICATIONS, MIGRATIONS, s)
    renderer = Renderer(s.portal_url)
    lead = jobs.lead_time(s.reminder_lead_hours)

    commands = {
        "set_contact": people.set_contact,
        "set_preferences": people.set_preferences,
        "mark_read": people.mark_read,
        "retry_failed": operator.retry_failed,
    }
    queries = {
        "list_inbox": people.list_inbox(renderer),
        "get_preferences": people.get_preferences,
        "demo_mailbox": people.demo_mailbox(s.demo_mailbox),
        "failed_messages": operator.failed_messages,
    }
    for name, fn in commands.items():
        service.command(name)(_checked(name, "command", fn))
    for name, fn in queries.items():
        service.query(name)(_checked(name, "query", fn))

    timebank_events = {
        "timebank.member.registered": on_tb.member_registered,
        "timebank.member.approved": on_tb.told,
        "timebank.member.left": on_tb.member_left,
        "timebank.exchange.proposed": on_tb.told,
        "timebank.exchange.agreed": on_tb.exchange_agreed(lead),
        "timebank.exchange.confirmed": on_tb.exchange_closed,
        "timebank.exchange.cancelled": on_tb.exchange_closed,
        "timebank.exchange.disputed": on_tb.exchange_closed,
        "timebank.exchange.resolved": on_tb.exchange_closed,
        "timebank.transfer.posted": on_tb.told,
        "timebank.transfer.reversed": on_tb.told,
    }
    for event_type, fn in timebank_events.items():
        service.on_event(TIMEBANK, event_type, consumer="from-timebank")(fn)

    outcomes = Counter(
        "voorelkaar_mail_total",
        "E-mail send attempts by outcome (sent, retry, failed)",
        ["outcome"],
        registry=service.metrics.registry,
    )
    queued = Gauge(
        "voorelkaar_mail_queued", "E-mails waiting to be sent", registry=service.metrics.registry
    )
    failed = Gauge(
        "voorelkaar_mail_failed", "E-mails given up on", registry=service.metrics.registry
    )
    oldest = Gauge(
        "voorelkaar_mail_oldest_age_seconds",
        "Age of the oldest e-mail waiting",
        registry=service.metrics.registry,
    )

    @service.background
    async def send_mail(svc: Service) -> None:
        """Send queued e-mail until the service stops."""
        sender = MailSender(
            svc.dsn,
            smtp,
            renderer,
            RetryPolicy(s.retry_base_s, s.retry_cap_s, s.retry_max_attempts),
            lanes=s.mail_lanes,
            batch=s.mail_batch,
            lease_s=s.mail_lease_s,
            poll_s=s.mail_poll_s,
            message_id_domain=s.message_id_domain,
            connect_timeout_s=s.connect_timeout_s,
            outcomes=outcomes,
        )
        await sender.start()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.shield(sender.stop())

    @service.background
    async def digests_and_reminders(svc: Service) -> None:
        while True:
            made = await jobs.digests_once(svc.pool)
            reminded = await jobs.reminders_once(svc.pool)
            if made or reminded:
                log.info("digests and reminders", digested=made, reminders=reminded)
            await asyncio.sleep(min(s.digest_interval_s, s.reminder_interval_s))

    @service.background
    async def retention(svc: Service) -> None:
        while True:
            deleted = await jobs.retention_once(svc.pool, s.message_retention_days)
            if deleted:
                log.info("old messages deleted", deleted=deleted)
            await asyncio.sleep(s.retention_sweep_interval_s)

    @service.background
    async def gauges(svc: Service) -> None:
        while True:
            with contextlib.suppress(Exception):
                q, f, age = await jobs.queue_figures(svc.pool)
                queued.set(q)
                failed.set(f)
                oldest.set(age)
            await asyncio.sleep(15)

    return service


def _checked(name: str, kind: str, fn):
    """Until the kit checks each operation's declared policy itself (issue 9): refuse an actor
    the policy does not allow, with `forbidden`."""
    from contracts import Refusal

    spec = NOTIFICATIONS.operations[(kind, name)]

    async def handle(ctx, request):
        actor = ctx.actor
        if spec.policy.refusal(actor, request) is not None:
            raise Refusal("forbidden")
        return await fn(ctx, request)

    return handle
