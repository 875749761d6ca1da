"""Never the same message twice, and nothing lost: redelivered events, a mail server that is
down while events keep coming, two replicas, a malformed event, and failed e-mail that an
operator sends again."""

from __future__ import annotations

import asyncio

from contracts import DeadLetter, new_id
from services.notifications.service import build
from services.notifications.smtp import SmtpSettings
from tests.conftest import eventually
from tests.integration.notifications.conftest import notification_settings, seed_member
from tests.integration.test_kit_events import stream_messages
from tests.support.notifications import cancelled, confirmed


async def two_members(database):
    a, b = new_id(), new_id()
    await seed_member(database, str(a), name="A", email="a@example.org")
    await seed_member(database, str(b), name="B", email="b@example.org", language="en")
    return a, b


async def test_a_redelivered_event_sends_nothing_twice_even_after_the_inbox_forgot_it(
    notifications, publisher, mailbox, database
):
    a, b = await two_members(database)
    event = publisher.event(cancelled(a, b))
    await publisher.publish(event)
    await eventually(lambda: len(mailbox.mails) == 2)
    # Published again under another message id (past JetStream's duplicate window) and with
    # the kit's inbox swept: only the dedup key stands between it and a second message.
    await notifications.pool.execute("DELETE FROM inbox")
    await publisher.publish(event, msg_id=f"again-{event.event_id}")
    await publisher.publish(cancelled(a, b, "laatste"))  # a marker that the first was handled
    await eventually(lambda: len(mailbox.mails) == 4)
    await asyncio.sleep(0.5)
    assert set(mailbox.received.values()) == {1}
    rows = await notifications.pool.fetchval(
        "SELECT count(*) FROM messages WHERE event_id = $1", event.event_id
    )
    assert rows == 4  # two people, two channels


async def test_mail_server_down_while_events_keep_coming_then_up_every_mail_once(
    notifications, publisher, mailbox, database
):
    a, b = await two_members(database)
    await mailbox.stop()
    for i in range(20):
        await publisher.publish(cancelled(a, b, f"keer {i}"))
    await eventually(
        lambda: notifications.pool.fetchval(
            "SELECT count(*) FROM messages WHERE channel = 'email' AND attempts > 0"
        ),
        timeout=10,
    )
    for i in range(20, 30):
        await publisher.publish(cancelled(a, b, f"keer {i}"))
    await asyncio.sleep(0.5)
    assert len(mailbox.mails) == 0
    await mailbox.start()
    await eventually(lambda: len(mailbox.mails) == 60, timeout=30)
    await asyncio.sleep(0.5)
    assert sum(mailbox.received.values()) == 60 and mailbox.duplicates == 0
    assert (
        await notifications.pool.fetchval(
            "SELECT count(*) FROM messages WHERE channel = 'email' AND state <> 'sent'"
        )
        == 0
    )


async def test_two_replicas_share_the_work_and_send_each_mail_once(
    servers, database, namespace, nc, notifications, publisher, mailbox, tmp_path
):
    a, b = await two_members(database)
    second = build(
        notification_settings(servers, database, namespace, mail_lanes=2),
        SmtpSettings(port=mailbox.port),
    )
    await second.start()
    try:
        for i in range(100):
            await publisher.publish(cancelled(a, b, f"keer {i}"))
        await eventually(lambda: len(mailbox.mails) == 200, timeout=30)
        await asyncio.sleep(0.5)
        assert sum(mailbox.received.values()) == 200
        sent = [sent_by(s) for s in (notifications, second)]
        assert all(n > 0 for n in sent) and sum(sent) == 200, sent
    finally:
        await second.stop()


def sent_by(service) -> float:
    return service.metrics.registry.get_sample_value("voorelkaar_mail_total", {"outcome": "sent"})


async def test_a_malformed_event_is_dead_lettered_with_its_reason_and_the_next_is_handled(
    notifications, publisher, mailbox, database, nc
):
    a, b = await two_members(database)
    good = publisher.event(cancelled(a, b))
    broken = good.model_dump(mode="json")
    broken["data"]["provider"]["member_id"] = "not-a-uuid"
    import json

    await publisher.raw("timebank.exchange.cancelled", json.dumps(broken).encode())
    await publisher.raw("timebank.exchange.cancelled", b"{not json")
    await publisher.publish(good)
    await eventually(lambda: len(mailbox.mails) == 2)
    naming = notifications.naming

    async def letters():
        msgs = await stream_messages(
            nc.jetstream(), naming.dlq_stream(), naming.dlq_subject("notifications")
        )
        return [DeadLetter.model_validate_json(m.data) for m in msgs]

    found = await eventually(lambda: _two(letters()))
    assert {d.reason for d in found} == {"invalid_message"}
    assert any("provider.member_id" in d.error for d in found)
    assert any("not JSON" in d.error for d in found)


async def _two(letters):
    found = await letters
    return found if len(found) == 2 else None


async def test_an_address_refused_for_good_fails_visibly_and_an_operator_sends_it_again(
    notifications, publisher, mailbox, client, database
):
    from contracts import Actor

    operator = Actor(role="operator", id="op")
    a, b = await two_members(database)
    mailbox.reject.add("a@example.org")
    await publisher.publish(confirmed(a, b))

    async def failed():
        reply = await client.query("notifications", "failed_messages", {}, actor=operator)
        return reply.result["messages"]

    [one] = await eventually(failed)
    assert one["deliver_to"] == str(a) and "550" in one["last_error"] and one["attempts"] == 1
    assert len(mailbox.mails) == 1  # B's
    refused = await client.query("notifications", "failed_messages", {})
    assert refused.code == "forbidden"  # a coordinator is no operator
    mailbox.reject.clear()
    retried = await client.command("notifications", "retry_failed", {}, actor=operator)
    assert retried.result == {"requeued": 1}
    await eventually(lambda: len(mailbox.to("a@example.org")) == 1)
    assert await failed() == []
