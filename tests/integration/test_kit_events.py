"""Events: outbox → JetStream → durable consumer → inbox, against real servers."""

from __future__ import annotations

import asyncio
import json

import pytest
from nats.js.api import ConsumerConfig

from contracts import DeadLetter, Event, new_id
from kit.client import ServiceClient
from tests.conftest import equals, eventually
from tests.support.sample import ALICE, NoteWritten, build


async def tally(service) -> tuple[int, int]:
    row = await service.pool.fetchrow("SELECT total, seen FROM tally")
    return row["total"], row["seen"]


async def stream_messages(js, stream: str, subject: str) -> list:
    """Every message on `subject`, read with an ephemeral ordered consumer."""
    info = await js.stream_info(stream)
    sub = await js.subscribe(subject, stream=stream, ordered_consumer=True)
    found = []
    try:
        while len(found) < info.state.messages:
            try:
                msg = await sub.next_msg(timeout=1)
            except TimeoutError:
                break
            found.append(msg)
    finally:
        await sub.unsubscribe()
    return found


async def dead_letters(nc, sample) -> list[DeadLetter]:
    js = nc.jetstream()
    msgs = await stream_messages(
        js, sample.naming.dlq_stream(), sample.naming.dlq_subject("sample")
    )
    return [DeadLetter.model_validate_json(m.data) for m in msgs]


def raw_event(text: str, amount: int, naming) -> tuple[str, bytes, Event]:
    event = Event[NoteWritten](
        type="sample.note.written",
        version=1,
        correlation_id=new_id(),
        actor=ALICE,
        data=NoteWritten(note_id=new_id(), text=text, amount=amount),
    )
    return naming.event_subject("sample.note.written"), event.model_dump_json().encode(), event


async def test_an_event_committed_with_state_is_published_with_its_id_and_consumed(
    sample, client, nc
):
    reply = await client.command("sample", "write_note", {"text": "a", "amount": 3})
    assert reply.ok
    await eventually(lambda: equals(tally(sample), (3, 1)))
    js = nc.jetstream()
    msgs = await stream_messages(
        js, sample.naming.stream("sample"), sample.naming.event_subject("sample.note.written")
    )
    assert len(msgs) == 1
    event = json.loads(msgs[0].data)
    assert msgs[0].headers["Nats-Msg-Id"] == event["event_id"]
    assert event["data"]["note_id"] == reply.result["note_id"]
    assert event["causation_id"] is not None  # the command that caused it
    assert await sample.pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_the_same_event_delivered_twice_is_applied_once(sample, nc):
    js = nc.jetstream()
    subject, payload, event = raw_event("twice", 4, sample.naming)
    # Two publishes with different message ids get past JetStream's dedup, as a re-publish
    # after the duplicate window would: only the inbox stands between them and a double effect.
    await js.publish(subject, payload, headers={"Nats-Msg-Id": "first"})
    await js.publish(subject, payload, headers={"Nats-Msg-Id": "second"})
    await eventually(lambda: _metric(sample, "messages_duplicate", "tally", 1))
    assert await tally(sample) == (4, 1)
    assert (
        await sample.pool.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event.event_id)
        == 1
    )


def _metric(service, name, label, expected):
    return getattr(service.metrics, name).labels(label)._value.get() == expected


async def test_a_handler_that_keeps_failing_is_dead_lettered_and_the_next_message_goes_through(
    sample, nc, settings
):
    js = nc.jetstream()
    subject, bad, bad_event = raw_event("fail", 100, sample.naming)
    await js.publish(subject, bad)
    subject, good, _ = raw_event("fine", 5, sample.naming)
    await js.publish(subject, good)
    letters = await eventually(lambda: dead_letters(nc, sample), timeout=15)
    assert len(letters) == 1
    letter = letters[0]
    assert letter.reason == "handler_failed"
    assert letter.deliveries == settings.max_deliver
    assert "deliberate failure" in letter.error and "'fail'" in letter.error
    from tests.support.sample import ATTEMPTS

    assert ATTEMPTS[bad_event.event_id] >= settings.max_deliver  # tried on every delivery
    assert json.loads(letter.payload)["event_id"] == str(bad_event.event_id)
    assert letter.consumer.endswith("tally")
    await eventually(lambda: equals(tally(sample), (5, 1)))
    # Acked after dead-lettering: the consumer holds nothing back.
    info = await js.consumer_info(
        sample.naming.stream("sample"), sample.naming.durable("sample", "tally")
    )
    await eventually(lambda: _no_pending(js, sample))
    assert info.config.max_deliver == settings.max_deliver


async def _no_pending(js, sample):
    info = await js.consumer_info(
        sample.naming.stream("sample"), sample.naming.durable("sample", "tally")
    )
    return info.num_ack_pending == 0 and info.num_pending == 0


async def test_a_handler_that_fails_twice_then_succeeds_is_applied_once(sample, nc):
    js = nc.jetstream()
    subject, payload, _ = raw_event("fail-2", 8, sample.naming)
    await js.publish(subject, payload)
    await eventually(lambda: equals(tally(sample), (8, 1)), timeout=10)
    assert _metric(sample, "messages_failed", "tally", 2)
    assert await dead_letters(nc, sample) == []


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"{not json", "not JSON"),
        (
            b'{"type": "sample.note.written", "version": 9}',
            "no contract for sample.note.written v9",
        ),
        (None, "data.amount: Input should be a valid integer"),
    ],
)
async def test_a_schema_invalid_message_is_dead_lettered_at_once_with_its_error(
    sample, nc, payload, expected
):
    js = nc.jetstream()
    subject, good, _ = raw_event("ok", 2, sample.naming)
    if payload is None:
        payload = good.replace(b'"amount":2', b'"amount":"2 hours"')
    await js.publish(subject, payload)
    await js.publish(subject, good)
    letters = await eventually(lambda: dead_letters(nc, sample))
    assert [letter.reason for letter in letters] == ["invalid_message"]
    assert expected in letters[0].error
    assert letters[0].deliveries == 1
    assert letters[0].payload == payload.decode()
    await eventually(lambda: equals(tally(sample), (2, 1)))


async def test_replicas_share_one_durable_and_apply_each_event_once(settings, nc):
    replicas = [build(settings) for _ in range(3)]
    for replica in replicas:
        await replica.start()
    try:
        client = ServiceClient(nc, replicas[0].naming, ALICE)
        for i in range(60):
            reply = await client.command("sample", "write_note", {"text": f"n{i}", "amount": i})
            assert reply.ok
        expected = (sum(range(60)), 60)
        await eventually(lambda: equals(tally(replicas[0]), expected), timeout=15)
        handled = [r.metrics.messages_handled.labels("tally")._value.get() for r in replicas]
        assert sum(handled) == 60
        js = nc.jetstream()
        info = await js.consumer_info(
            replicas[0].naming.stream("sample"), replicas[0].naming.durable("sample", "tally")
        )
        assert isinstance(info.config, ConsumerConfig)
        assert info.config.durable_name == replicas[0].naming.durable("sample", "tally")
    finally:
        for replica in replicas:
            await replica.stop()


async def test_the_stream_and_consumer_are_declared_deliberately(sample, nc, settings):
    js = nc.jetstream()
    stream = await js.stream_info(sample.naming.stream("sample"))
    assert stream.config.duplicate_window == settings.duplicate_window_s
    assert stream.config.subjects == [sample.naming.namespace + ".sample.note.*"]
    consumer = await js.consumer_info(
        sample.naming.stream("sample"), sample.naming.durable("sample", "tally")
    )
    assert str(consumer.config.ack_policy) in ("explicit", "AckPolicy.EXPLICIT")
    assert consumer.config.ack_wait == settings.ack_wait_s
    assert consumer.config.max_deliver == settings.max_deliver
    assert consumer.config.max_ack_pending == settings.max_ack_pending
    assert not consumer.config.backoff  # retries are NAK delays; see kit/nats.py


async def test_the_correlation_id_from_a_request_header_is_carried_into_the_events(sample, nc):
    correlation_id = new_id()
    body = {
        "command_id": str(new_id()),
        "actor": ALICE.model_dump(mode="json"),
        "data": {"text": "traced", "amount": 1},
    }
    msg = await nc.request(
        sample.naming.command("sample", "write_note"),
        json.dumps(body).encode(),
        headers={"Correlation-Id": str(correlation_id)},
        timeout=5,
    )
    assert json.loads(msg.data)["ok"]
    js = nc.jetstream()
    msgs = await eventually(
        lambda: stream_messages(
            js, sample.naming.stream("sample"), sample.naming.event_subject("sample.note.written")
        )
    )
    event = json.loads(msgs[0].data)
    assert event["correlation_id"] == str(correlation_id)
    assert msgs[0].headers["Correlation-Id"] == str(correlation_id)
    assert event["causation_id"] == body["command_id"]


@pytest.mark.parametrize("down_s", [0.0, 3.0], ids=["back-at-once", "down-for-3x-ack-wait"])
async def test_a_message_whose_every_taker_died_is_dead_lettered_from_the_servers_advisory(
    servers, database, namespace, nc, down_s
):
    """A replica that takes a message and dies never acks, naks or dead-letters it. After
    `max_deliver` such deliveries the server stops delivering it and says so in an advisory;
    the kit dead-letters the message from that advisory, so it is not silently stuck. With
    no replica up for several times `ack_wait_s` (here 1 s) after the last delivery, the
    advisory still reaches the replica that comes back: the server sends it when a consumer
    next asks for messages (also seen with 8 s down)."""
    from tests.conftest import make_settings

    settings = make_settings(servers, database, namespace, ack_wait_s=1.0, max_deliver=2)
    sample = build(settings)
    await sample.start()  # declares the stream and the durable
    await sample.stop()
    js = nc.jetstream()
    subject, payload, event = raw_event("taken by replicas that die", 7, sample.naming)
    await js.publish(subject, payload)
    # Each delivery goes to a "replica" that dies with it: taken, never answered.
    dying = await js.pull_subscribe_bind(
        sample.naming.durable("sample", "tally"), sample.naming.stream("sample")
    )
    for delivery in (1, 2):
        msgs = await dying.fetch(1, timeout=5)
        assert msgs[0].metadata.num_delivered == delivery
    await dying.unsubscribe()
    await asyncio.sleep(down_s)
    sample = build(settings)
    await sample.start()
    try:
        letters = await eventually(lambda: dead_letters(nc, sample), timeout=15)
        assert [letter.reason for letter in letters] == ["max_deliveries_exceeded"]
        assert letters[0].deliveries == 2
        assert json.loads(letters[0].payload)["event_id"] == str(event.event_id)
        assert await tally(sample) == (0, 0)  # never applied
    finally:
        await sample.stop()
