"""kill -9 the notifications service in the middle of a backlog of e-mail, then restart it:
no message is lost, and none is repeated except what SMTP itself cannot tell apart."""

from __future__ import annotations

import asyncio

import asyncpg

from contracts import new_id
from kit.embedded import free_port
from tests.chaos.test_kit_crashes import ServiceProcess
from tests.conftest import eventually
from tests.integration.notifications.conftest import mailbox, notification_settings, seed_member
from tests.support.notifications import Publisher, cancelled

__all__ = ["mailbox"]  # the fixture
EVENTS = 300
LANES = 4


async def test_kill_9_mid_backlog_loses_nothing_and_repeats_at_most_the_mails_in_flight(
    servers, database, namespace, nc, mailbox
):
    settings = notification_settings(
        servers, database, namespace, http_port=free_port(), mail_lanes=LANES, mail_batch=10
    )
    env = {"VOORELKAAR_SMTP_PORT": str(mailbox.port)}
    service = await ServiceProcess(settings, "services.notifications", **env).start()
    a, b = new_id(), new_id()
    await seed_member(database, str(a), name="A", email="a@example.org")
    await seed_member(database, str(b), name="B", email="b@example.org", language="en")
    publisher = Publisher(nc.jetstream(), settings_naming(settings))
    for i in range(EVENTS):
        await publisher.publish(cancelled(a, b, f"keer {i}"))
    try:
        await eventually(lambda: len(mailbox.mails) >= EVENTS // 2, timeout=60, interval=0.01)
        service.kill()
        at_kill = len(mailbox.mails)
        assert at_kill < 2 * EVENTS, "the backlog was sent before the kill"
        service = await ServiceProcess(settings, "services.notifications", **env).start()
        await eventually(lambda: len(mailbox.mails) == 2 * EVENTS, timeout=60)
        await asyncio.sleep(1.0)
        db = await asyncpg.connect(database)
        try:
            states = dict(
                await db.fetch(
                    "SELECT state, count(*) FROM messages WHERE channel = 'email' GROUP BY state"
                )
            )
        finally:
            await db.close()
        assert states == {"sent": 2 * EVENTS}
        assert len(mailbox.mails) == 2 * EVENTS  # every message once in the mailbox
        # SMTP has no idempotency key: a mail accepted by the server in the instant before
        # the kill, whose record had not committed, goes again with its Message-ID.
        assert mailbox.duplicates <= LANES, mailbox.received.most_common(LANES + 1)
        print(f"kill -9 at {at_kill} mails; re-sent with the same Message-ID: {mailbox.duplicates}")
    finally:
        service.stop()


def settings_naming(settings):
    from contracts import Naming

    return Naming(settings.namespace)
