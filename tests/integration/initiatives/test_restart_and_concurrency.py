"""A restart in the middle of a flow loses nothing; concurrent discretionary grants never pass
a wijkmanager's limit together, also across replicas."""

from __future__ import annotations

import asyncio
from uuid import UUID

from contracts import Actor
from contracts.budget import AllocationRefused
from services.initiatives.service import build
from tests.conftest import eventually
from tests.support.initiatives import WIJK, WIJKMANAGER, committed, form


async def test_a_restart_mid_flow_loses_nothing(desk, fund, streams, initiatives, nc):
    app = await desk.submitted(form(fund, fund.ballot))
    await desk.reviewed(app, criteria=[])
    meeting = await desk.meeting()
    decision = {
        "application_id": str(app),
        "neighbourhood": WIJK,
        "meeting_id": meeting,
        "outcome": "admit",
        "reasons": "Op de stemlijst.",
    }
    first = await desk.cmd("decide", decision, WIJKMANAGER, command_id=_ID)
    await initiatives.stop()
    # While it is down: the tally commits the money, and the portal sends the decision again.
    await streams.publish(committed(app, fund, 30_000))
    again = build(initiatives.settings)
    await again.start()
    try:
        repeat = await desk.cmd("decide", decision, WIJKMANAGER, command_id=_ID)
        assert repeat.raw == first.raw  # the stored reply: decided once

        async def granted():
            return await desk.state(app) == "granted"

        await eventually(granted)
        admitted = await streams.published("initiatives", "application.admitted")
        assert len(admitted) == 1
        await eventually(lambda: streams.published("initiatives", "application.granted"))
    finally:
        await again.stop()
        await initiatives.start()  # the fixture stops it again


_ID = "0190f7c4-0000-7000-8000-00000000d001"


async def test_concurrent_discretionary_grants_never_pass_the_limit(
    desk, fund, streams, initiatives, initiatives_settings
):
    # The aanvullend budget: 500 euro per wijkmanager per quarter; 12 requests of 100 euro.
    apps = [
        await desk.submitted(
            form(fund, fund.discretionary, title=f"Verf {i}", lines=[("Verf", "materials", 10_000)])
        )
        for i in range(12)
    ]
    # Two more replicas, each applying four commands at once, one per transaction: the grants
    # really run concurrently (the kit would otherwise apply commands arriving together in
    # one transaction, one after the other).
    concurrent = initiatives_settings.model_copy(update={"command_workers": 4, "command_batch": 1})
    replicas = [build(concurrent), build(concurrent)]
    for replica in replicas:
        await replica.start()
    try:

        def grant(app, manager=WIJKMANAGER):
            return desk.cmd(
                "grant_discretionary",
                {
                    "application_id": str(app),
                    "neighbourhood": WIJK,
                    "amount": 10_000,
                    "reasons": "Nodig voor de opening.",
                },
                manager,
            )

        replies = await asyncio.gather(*(grant(app) for app in apps))
        granted = [app for app, r in zip(apps, replies, strict=True) if r.ok]
        codes = sorted({r.code for r in replies if not r.ok})
        assert len(granted) == 5 and codes == ["over_discretionary_limit"]
        refusal = next(r for r in replies if not r.ok)
        assert refusal.error["details"]["remaining"] == 0
        used = await initiatives.pool.fetchval("SELECT used FROM discretionary_use")
        assert (
            used
            == 50_000
            == await initiatives.pool.fetchval("SELECT sum(amount) FROM discretionary_grants")
        )
        # Another wijkmanager has a room of their own.
        colleague = Actor(role="reviewer", id="wm-joost", scopes=(WIJK,))
        rest = [app for app in apps if app not in granted]
        assert (await grant(rest[0], colleague)).ok
        # The earmark lacks the money for one grant: the room is given back, and used again.
        events = await eventually(
            lambda: _n(streams.published("initiatives", "application.granted_directly"), 6)
        )
        refused = next(e for e in events if e["data"]["granted_by"] == WIJKMANAGER.id)
        await streams.publish(
            AllocationRefused(
                application_id=UUID(refused["data"]["application_id"]),
                decision_id=UUID(refused["data"]["decision_id"]),
                fund_id=fund.fund_id,
                earmark_id=fund.discretionary,
                requested=10_000,
                available=4_000,
                reason="insufficient_funds",
            )
        )

        async def room_back():
            room = await desk.query(
                "discretionary_room",
                {"earmark_id": str(fund.discretionary), "neighbourhood": WIJK},
                WIJKMANAGER,
            )
            return room["remaining"] == 10_000

        await eventually(room_back)
        assert await desk.state(refused["data"]["application_id"]) == "in_review"
        assert (await grant(rest[1])).ok
        assert not (await grant(rest[2])).ok
        # The others get their money committed as usual.
        ok_app = granted[0] if str(granted[0]) != refused["data"]["application_id"] else granted[1]
        await streams.publish(committed(ok_app, fund, 10_000, "discretionary", fund.discretionary))

        async def committed_state():
            return await desk.state(ok_app) == "granted"

        await eventually(committed_state)
    finally:
        for replica in replicas:
            await replica.stop()


async def _n(awaitable, n):
    found = await awaitable
    return found if len(found) >= n else None
