"""Other services' events may arrive twice or out of order: they are kept and applied when
they can be, never dropped, never applied twice (docs/initiative-fund.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import aiohttp

from contracts import new_id
from contracts.budget import FundUpdated
from contracts.timebank import TransferPosted, TransferReversed
from tests.conftest import eventually
from tests.support.initiatives import (
    TIMEBANK_SYSTEM,
    committed,
    envelope,
    form,
    paid,
)


async def test_early_events_are_parked_and_applied_once_in_order(desk, fund, streams, initiatives):
    app = await desk.submitted(form(fund, fund.ballot))
    allocation = committed(app, fund, 30_000)
    # The budget service's facts arrive before the admission was recorded here (say, after a
    # restore): paid before committed, both before the decision.
    await streams.publish(paid(allocation))
    await streams.publish(allocation)
    parked = "SELECT count(*) FROM parked_events WHERE application_id = $1"
    await eventually(lambda: _equal(initiatives.pool.fetchval(parked, app), 2))
    assert await desk.state(app) == "screened"

    async def gauge():
        return "voorelkaar_parked_events 2.0" in await _metrics(initiatives)

    await eventually(gauge)

    # The decision: the parked events apply in the same transaction, committed first.
    await desk.reviewed(app, criteria=[])
    await desk.decided(app, await desk.meeting(), "admit")
    assert await desk.state(app) == "paid"
    assert await initiatives.pool.fetchval(parked, app) == 0
    history = [h["action"] for h in (await desk.application(app))["history"]]
    assert history[-3:] == ["admitted", "granted", "paid"]

    # The same event again, past JetStream's duplicate window (another Nats-Msg-Id): the
    # inbox skips it. Another event saying the same thing: the state makes it a no-op.
    again = envelope(allocation)
    await streams.publish(allocation, msg_id="redelivered-1", event_id=again.event_id)
    await streams.publish(allocation, msg_id="redelivered-2", event_id=again.event_id)
    await streams.publish(paid(allocation))
    marker = await streams.publish(fund.created(revision=9, name="Fonds Samen West"))
    await eventually(
        lambda: initiatives.pool.fetchval(
            "SELECT name = 'Fonds Samen West' FROM funds WHERE fund_id = $1", fund.fund_id
        )
    )
    assert marker
    granted = await eventually(lambda: streams.published("initiatives", "application.granted"))
    await eventually(lambda: initiatives.pool.fetchval("SELECT count(*) = 0 FROM outbox"))
    assert len(await streams.published("initiatives", "application.granted")) == len(granted) == 1
    assert len(await streams.published("initiatives", "application.paid")) == 1
    assert [h["action"] for h in (await desk.application(app))["history"]] == history


async def test_fund_rules_keep_the_highest_revision(fund, streams, initiatives):
    newer = FundUpdated(**{**fund.created(revision=3, name="Revisie 3").model_dump()})
    older = FundUpdated(**{**fund.created(revision=2, name="Revisie 2").model_dump()})
    await streams.publish(newer)
    await streams.publish(older)
    await streams.publish(fund.created(revision=1, name="Revisie 1"))
    done = await streams.publish(fund.created(revision=4, name="Revisie 4"))
    await eventually(
        lambda: initiatives.pool.fetchval(
            "SELECT revision = 4 FROM funds WHERE fund_id = $1", fund.fund_id
        )
    )
    assert done
    # 2 and 1 arrived after 3 and changed nothing: the inbox has all four.
    assert (
        await initiatives.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE consumer LIKE '%from-budget'"
        )
        >= 5
    )


async def test_volunteer_minutes_count_each_transfer_once_and_reversals_take_them_off(
    desk, fund, streams, initiatives
):
    volunteer = new_id()
    early = new_id()

    def posted(initiative, minutes, transfer_id=None):
        return TransferPosted(
            transfer_id=transfer_id or new_id(),
            community="wijk-west",
            unit="hour",
            amount=minutes,
            debit_member_id=new_id(),
            credit_member_id=volunteer,
            kind="exchange",
            initiative_id=initiative,
            posted_at=datetime.now(UTC),
        )

    # Hours for an initiative this service does not know (yet): kept.
    await streams.publish(posted(early, 45), actor=TIMEBANK_SYSTEM)
    app = await desk.submitted(form(fund))
    first = posted(app, 120)
    await streams.publish(first, actor=TIMEBANK_SYSTEM)
    await streams.publish(first, actor=TIMEBANK_SYSTEM, msg_id="again")  # a new event id
    await streams.publish(posted(app, 30), actor=TIMEBANK_SYSTEM)
    await streams.publish(
        TransferReversed(
            transfer_id=new_id(),
            community="wijk-west",
            unit="hour",
            amount=30,
            debit_member_id=volunteer,
            credit_member_id=new_id(),
            kind="reversal",
            initiative_id=app,
            reverses_transfer_id=first.transfer_id,
            reason="Dubbel ingevoerd.",
        ),
        actor=TIMEBANK_SYSTEM,
    )
    # Minutes in another unit, or without an initiative, are not volunteer hours for it.
    await streams.publish(
        posted(app, 5).model_copy(update={"unit": "steerk"}), actor=TIMEBANK_SYSTEM
    )

    async def hours():
        return (await desk.application(app))["hours"]

    await eventually(lambda: _equal(hours(), {"minutes": 120, "volunteers": 1}))
    assert (
        await initiatives.pool.fetchval(
            "SELECT sum(minutes) FROM volunteer_minutes WHERE initiative_id = $1", early
        )
        == 45
    )


async def test_a_malformed_event_is_dead_lettered_and_the_next_one_is_handled(
    desk, fund, streams, initiatives, nc
):
    app = await desk.submitted(form(fund, fund.ballot))
    bad = json.loads(envelope(committed(app, fund, 30_000)).model_dump_json())
    bad["data"]["amount"] = -5
    js = nc.jetstream()
    await js.publish(
        initiatives.naming.event_subject("budget.allocation.committed"),
        json.dumps(bad).encode(),
        stream=initiatives.naming.stream("budget"),
    )
    await streams.publish(fund.created(revision=5, name="Daarna"))
    await eventually(
        lambda: initiatives.pool.fetchval(
            "SELECT name = 'Daarna' FROM funds WHERE fund_id = $1", fund.fund_id
        )
    )
    letter = await js.get_last_msg(
        initiatives.naming.dlq_stream(), initiatives.naming.dlq_subject("initiatives")
    )
    dead = json.loads(letter.data)
    assert dead["reason"] == "invalid_message"
    assert "data.amount" in dead["error"]
    assert await desk.state(app) == "screened"


async def _equal(awaitable, expected) -> bool:
    return (await awaitable) == expected


async def _metrics(service) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{service.http_port}/metrics") as r:
            return await r.text()
