"""The notifications service in the test's event loop, with a real local SMTP server
(aiosmtpd) and the session's real NATS and PostgreSQL."""

from __future__ import annotations

import asyncpg
import pytest

from kit.client import ServiceClient
from kit.embedded import free_port
from kit.mailbox import LocalSmtpServer
from services.notifications.domain import Contact
from services.notifications.repository import Repository
from services.notifications.service import NotificationsSettings, build
from services.notifications.smtp import SmtpSettings
from tests.conftest import make_settings
from tests.support.notifications import COMMUNITY, COORDINATOR, Publisher

FAST = {
    "mail_poll_s": 0.2,
    "mail_lease_s": 3.0,
    "retry_base_s": 0.1,
    "retry_cap_s": 0.4,
    "retry_max_attempts": 4,
    "digest_interval_s": 3600.0,  # the tests run digests and reminders themselves
    "reminder_interval_s": 3600.0,
}


def notification_settings(servers, database, namespace, **overrides) -> NotificationsSettings:
    base = make_settings(servers, database, namespace).model_dump()
    return NotificationsSettings(**{**base, **FAST, **overrides})


@pytest.fixture
async def mailbox(tmp_path):
    box = await LocalSmtpServer(tmp_path / "mail", port=free_port()).start()
    yield box
    await box.stop()


@pytest.fixture
async def notifications(servers, database, namespace, nc, mailbox, tmp_path):
    settings = notification_settings(
        servers, database, namespace, demo_mailbox=str(tmp_path / "mail")
    )
    service = build(settings, SmtpSettings(port=mailbox.port))
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
def publisher(nc, notifications) -> Publisher:
    return Publisher(nc.jetstream(), notifications.naming)


@pytest.fixture
def client(nc, notifications) -> ServiceClient:
    return ServiceClient(nc, notifications.naming, COORDINATOR)


async def seed_member(database: str, person_id: str, **fields) -> None:
    """A member as the time bank's member events (v2) leave them in the contacts projection."""
    conn = await asyncpg.connect(database)
    try:
        await Repository(conn).save_member(Contact(person_id, **fields), COMMUNITY)
    finally:
        await conn.close()
