"""The notifications service: the time bank's, initiatives' and budget's events become
messages, once, in each person's language, in their inbox and by e-mail."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from prometheus_client import Counter, Gauge

from contracts import notifications as c
from contracts.notifications import NOTIFICATIONS
from contracts.timebank import (
    ExchangeAgreed,
    ExchangeCancelled,
    ExchangeConfirmed,
    ExchangeDisputed,
    ExchangeProposed,
    ExchangeResolved,
    MemberApproved,
    MemberLeft,
    MemberRegistered,
    TransferPosted,
    TransferReversed,
)
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
    renderer = Renderer(s.portal_url)
    lead = jobs.lead_time(s.reminder_lead_hours)
    mail = MailMetrics()

    async def send_mail(svc: Service) -> None:
        """Send queued e-mail until the service stops."""
        mail.register(svc.metrics.registry)
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
            outcomes=mail.outcomes,
        )
        await sender.start()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.shield(sender.stop())

    async def digests_and_reminders(svc: Service) -> None:
        """Daily digests as each person's hour comes; exchange reminders as they fall due."""
        while True:
            made = await jobs.digests_once(svc.pool)
            reminded = await jobs.reminders_once(svc.pool)
            if made or reminded:
                log.info("digests and reminders", digested=made, reminders=reminded)
            await asyncio.sleep(min(s.digest_interval_s, s.reminder_interval_s))

    async def retention(svc: Service) -> None:
        """Messages older than `message_retention_days` are deleted."""
        while True:
            deleted = await jobs.retention_once(svc.pool, s.message_retention_days)
            if deleted:
                log.info("old messages deleted", deleted=deleted)
            await asyncio.sleep(s.retention_sweep_interval_s)

    async def gauges(svc: Service) -> None:
        """The send queue's size, failures and oldest age, for /metrics."""
        mail.register(svc.metrics.registry)
        while True:
            with contextlib.suppress(Exception):
                mail.show(*await jobs.queue_figures(svc.pool))
            await asyncio.sleep(15)

    timebank = {
        MemberRegistered: on_tb.member_registered,
        MemberApproved: on_tb.told,
        MemberLeft: on_tb.member_left,
        ExchangeProposed: on_tb.told,
        ExchangeAgreed: on_tb.exchange_agreed(lead),
        ExchangeConfirmed: on_tb.exchange_closed,
        ExchangeCancelled: on_tb.exchange_closed,
        ExchangeDisputed: on_tb.exchange_closed,
        ExchangeResolved: on_tb.exchange_closed,
        TransferPosted: on_tb.told,
        TransferReversed: on_tb.told,
    }
    return Service(
        NOTIFICATIONS,
        MIGRATIONS,
        s,
        commands={
            c.SET_CONTACT: people.set_contact,
            c.SET_PREFERENCES: people.set_preferences,
            c.MARK_READ: people.mark_read,
            c.RETRY_FAILED: operator.retry_failed,
        },
        queries={
            c.LIST_INBOX: people.list_inbox(renderer),
            c.GET_PREFERENCES: people.get_preferences,
            c.DEMO_MAILBOX: people.demo_mailbox(s.demo_mailbox),
            c.FAILED_MESSAGES: operator.failed_messages,
        },
        events={"from-timebank": timebank},
        jobs=[send_mail, digests_and_reminders, retention, gauges],
    )


class MailMetrics:
    """The e-mail figures on the service's Prometheus registry."""

    def __init__(self):
        self.outcomes = None
        self._registry = None

    def register(self, registry) -> None:
        if self._registry is registry:
            return
        self._registry = registry
        self.outcomes = Counter(
            "voorelkaar_mail_total",
            "E-mail send attempts by outcome (sent, retry, failed)",
            ["outcome"],
            registry=registry,
        )
        self.queued = Gauge("voorelkaar_mail_queued", "E-mails waiting", registry=registry)
        self.failed = Gauge("voorelkaar_mail_failed", "E-mails given up on", registry=registry)
        self.oldest = Gauge(
            "voorelkaar_mail_oldest_age_seconds",
            "Age of the oldest e-mail waiting",
            registry=registry,
        )

    def show(self, queued: int, failed: int, oldest: float) -> None:
        self.queued.set(queued)
        self.failed.set(failed)
        self.oldest.set(oldest)
