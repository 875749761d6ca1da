"""Commands and queries through a real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest

from contracts import Actor, new_id
from tests.conftest import eventually


async def notes_in_db(service) -> int:
    return await service.pool.fetchval("SELECT count(*) FROM notes")


async def test_a_repeated_command_returns_the_same_reply_and_has_one_effect(sample, client):
    command_id = new_id()
    first = await client.command(
        "sample", "write_note", {"text": "hi", "amount": 5}, command_id=command_id
    )
    again = await client.command(
        "sample", "write_note", {"text": "hi", "amount": 5}, command_id=command_id
    )
    assert first.ok and first.result["note_id"]
    assert again.raw == first.raw
    assert await notes_in_db(sample) == 1


async def test_concurrent_copies_of_one_command_have_one_effect(sample, client):
    command_id = new_id()
    replies = await asyncio.gather(
        *(
            client.command(
                "sample", "write_note", {"text": "x", "amount": 1}, command_id=command_id
            )
            for _ in range(20)
        )
    )
    assert len({r.raw for r in replies}) == 1
    assert replies[0].ok
    assert await notes_in_db(sample) == 1


async def test_a_reused_command_id_with_other_content_is_refused(sample, client):
    command_id = new_id()
    await client.command("sample", "write_note", {"text": "a", "amount": 1}, command_id=command_id)
    other = await client.command(
        "sample", "write_note", {"text": "b", "amount": 2}, command_id=command_id
    )
    assert not other.ok and other.code == "command_id_reused"
    assert await notes_in_db(sample) == 1


async def test_a_refusal_has_a_stable_code_and_both_languages_and_is_repeatable(sample, client):
    command_id = new_id()
    reply = await client.command(
        "sample", "write_note", {"text": "big", "amount": 99_999}, command_id=command_id
    )
    assert not reply.ok
    assert reply.code == "note_too_big"
    assert reply.error["message"] == {"nl": "Te groot: 99999", "en": "Too big: 99999"}
    assert reply.error["details"] == {"amount": 99_999}
    again = await client.command(
        "sample", "write_note", {"text": "big", "amount": 99_999}, command_id=command_id
    )
    assert again.raw == reply.raw
    assert await notes_in_db(sample) == 0


@pytest.mark.parametrize(
    "payload, problem",
    [
        (b"not json", "(message)"),
        (b"[]", "(message)"),
        (
            json.dumps(
                {
                    "command_id": "nope",
                    "actor": {"role": "resident", "id": "a"},
                    "data": {"text": "x", "amount": 1},
                }
            ).encode(),
            "command_id",
        ),
        (
            json.dumps(
                {
                    "command_id": str(new_id()),
                    "actor": {"role": "resident", "id": "a"},
                    "data": {"text": "x", "amount": 1.5},
                }
            ).encode(),
            "data.amount",
        ),
        (
            json.dumps(
                {
                    "command_id": str(new_id()),
                    "actor": {"role": "resident", "id": "a"},
                    "data": {"text": "x", "amount": 1, "extra": 1},
                }
            ).encode(),
            "data.extra",
        ),
        (
            json.dumps(
                {
                    "command_id": str(new_id()),
                    "actor": {"role": "king", "id": "a"},
                    "data": {"text": "x", "amount": 1},
                }
            ).encode(),
            "actor.role",
        ),
        (
            json.dumps({"command_id": str(new_id()), "data": {"text": "", "amount": 1}}).encode(),
            "actor",
        ),
    ],
)
async def test_a_malformed_command_gets_an_error_reply_naming_the_field(
    sample, nc, payload, problem
):
    msg = await nc.request(sample.naming.command("sample", "write_note"), payload, timeout=5)
    reply = json.loads(msg.data)
    assert reply["ok"] is False
    assert reply["error"]["code"] == "invalid_message"
    assert problem in reply["error"]["message"]["en"]
    assert reply["error"]["message"]["nl"].startswith("Het bericht is ongeldig")
    assert await notes_in_db(sample) == 0


async def test_an_unknown_command_is_answered_not_ignored(sample, client):
    reply = await client.command("sample", "launch_rocket", {})
    assert reply.code == "unknown_operation"


async def test_a_query_reads_state(sample, client):
    await client.command("sample", "write_note", {"text": "a", "amount": 7})
    reply = await eventually(lambda: _tally_when(client, lambda t: t["total"] == 7))
    assert reply["notes"] == 1 and reply["seen"] == 1


async def _tally_when(client, predicate):
    reply = await client.query("sample", "tally")
    assert reply.ok, reply.error
    return reply.result if predicate(reply.result) else None


async def test_health_readiness_and_metrics_over_http(sample, client):
    import aiohttp

    await client.command("sample", "write_note", {"text": "a", "amount": 1})
    base = f"http://127.0.0.1:{sample.http_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as r:
            assert r.status == 200
        async with http.get(f"{base}/readyz") as r:
            body = await r.json()
            assert r.status == 200, body
            assert all(body["checks"].values())
        async with http.get(f"{base}/metrics") as r:
            text = await r.text()
    assert 'voorelkaar_commands_total{operation="write_note",outcome="ok"} 1.0' in text
    assert "voorelkaar_outbox_backlog" in text
    assert "voorelkaar_handler_latency_seconds_bucket" in text


async def test_the_operations_policy_is_checked_before_its_handler_runs(sample, client):
    anonymous = Actor(role="public", id="anonymous")
    reply = await client.command(
        "sample", "write_note", {"text": "x", "amount": 1}, actor=anonymous
    )
    assert not reply.ok and reply.code == "forbidden"
    assert reply.error["message"] == {
        "nl": "U mag dit niet doen.",
        "en": "You are not allowed to do this.",
    }
    assert "role public" in reply.error["details"]["reason"]
    assert await notes_in_db(sample) == 0
    assert await sample.pool.fetchval("SELECT count(*) FROM processed_commands") == 0
    # The tally is open to anyone, the public included.
    assert (await client.query("sample", "tally", actor=anonymous)).ok
