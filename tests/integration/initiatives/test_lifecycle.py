"""An application's whole life through NATS, from draft to closing report, with the budget
service's events published as the budget service would, and the time bank's hours."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from contracts import new_id
from contracts.budget import AllocationSettled
from contracts.timebank import TransferPosted
from tests.conftest import eventually
from tests.support.initiatives import (
    ANOUK,
    TIMEBANK_SYSTEM,
    WIJK,
    WIJKMANAGER,
    committed,
    form,
    on_ballot,
    paid,
)


async def test_from_draft_to_closed_report_through_nats(desk, streams, fund, initiatives):
    body = form(fund, fund.ballot, lines=[("Zaden", "materials", 25_000), ("Thee", "food", 5_000)])
    application_id = await desk.draft(body)
    await desk.ok(
        "submit_application", {"application_id": str(application_id), "applicant_id": ANOUK.id}
    )
    assert await desk.state(application_id) == "screened"
    await desk.reviewed(application_id, advice="admit", criteria=[])
    meeting = await desk.meeting()
    await desk.decided(application_id, meeting, "admit")

    admitted = await eventually(lambda: streams.published("initiatives", "application.admitted"))
    assert admitted[0]["data"]["cost"] == 30_000
    assert admitted[0]["data"]["applicant"]["public_name"] == "A.J."

    # The budget service puts it on the ballot, the panel votes, the tally commits the money.
    await streams.publish(on_ballot(application_id, new_id()))
    allocation = committed(application_id, fund, 30_000, votes=17)
    await streams.publish(allocation)

    async def state_is(expected):
        return await desk.state(application_id) == expected

    await eventually(lambda: state_is("granted"))
    await streams.publish(paid(allocation))
    await eventually(lambda: state_is("paid"))

    # Volunteers' hours from the time bank, on listings for this initiative.
    volunteers = [new_id(), new_id()]
    for member, minutes in ((volunteers[0], 120), (volunteers[1], 90), (volunteers[0], 60)):
        await streams.publish(
            TransferPosted(
                transfer_id=new_id(),
                community="wijk-west",
                unit="hour",
                amount=minutes,
                debit_member_id=new_id(),
                credit_member_id=member,
                kind="exchange",
                exchange_id=new_id(),
                initiative_id=application_id,
                posted_at=datetime.now(UTC),
            ),
            actor=TIMEBANK_SYSTEM,
        )

    async def hours():
        return (await desk.application(application_id))["hours"] == {
            "minutes": 270,
            "volunteers": 2,
        }

    await eventually(hours)

    report = await desk.ok(
        "submit_report",
        {
            "application_id": str(application_id),
            "applicant_id": ANOUK.id,
            "lines": [{"line": 1, "spent": 22_000}, {"line": 2, "spent": 5_000}],
            "participants": 55,
            "volunteers": 7,
            "story": "De tuin bloeit; elke zaterdag komen er buren helpen.",
            "receipts": ["https://example.org/bonnen/zaden.pdf"],
        },
    )
    assert report["state"] == "reported"
    queue = await desk.query("review_queue", {"neighbourhood": WIJK}, WIJKMANAGER)
    assert [i["waiting_for"] for i in queue["items"]] == ["report"]
    await desk.ok(
        "review_report",
        {"application_id": str(application_id), "neighbourhood": WIJK, "accept": True},
        WIJKMANAGER,
    )
    assert await desk.state(application_id) == "closed"

    reported = await eventually(lambda: streams.published("initiatives", "application.reported"))
    data = reported[0]["data"]
    assert data["allocation_id"] == str(allocation.allocation_id)
    assert data["report"]["spent"] == 27_000
    assert [(ln["line"], ln["planned"], ln["spent"]) for ln in data["report"]["lines"]] == [
        (1, 25_000, 22_000),
        (2, 5_000, 5_000),
    ]
    assert (data["report"]["timebank_minutes"], data["report"]["timebank_volunteers"]) == (270, 2)
    closed = await eventually(lambda: streams.published("initiatives", "application.closed"))
    assert closed[0]["data"]["outcome"] == "report_accepted"

    # Budget settles: the unspent 30 euro go back to the earmark.
    await streams.publish(
        AllocationSettled(
            allocation_id=allocation.allocation_id,
            application_id=application_id,
            fund_id=fund.fund_id,
            earmark_id=fund.ballot,
            neighbourhood=WIJK,
            committed=30_000,
            paid=30_000,
            spent=27_000,
            released=0,
            returned=3_000,
            to_be_repaid=0,
            basis="report",
            settled_at=datetime.now(UTC),
        )
    )

    async def settled():
        history = (await desk.application(application_id))["history"]
        return any(h["action"] == "allocation_settled" for h in history)

    await eventually(settled)
    view = await desk.application(application_id, WIJKMANAGER)
    actions = [(h["action"], h["state"]) for h in view["history"]]
    assert actions == [
        ("drafted", "draft"),
        ("submitted", "submitted"),
        ("screened", "screened"),
        ("reviewed", "in_review"),
        ("admitted", "admitted"),
        ("on_ballot", "admitted"),
        ("granted", "granted"),
        ("paid", "paid"),
        ("report_submitted", "reported"),
        ("report_accepted", "closed"),
        ("allocation_settled", "closed"),
    ]
    who = {(h["action"], h["actor_role"], h["actor_id"]) for h in view["history"]}
    assert ("admitted", "reviewer", WIJKMANAGER.id) in who
    assert ("granted", "system", "budget") in who
    assert len(view["reviews"]) == 1 and len(view["decisions"]) == 1
    # The applicant sees the decision and its reasons, not the reviewers' internal advice.
    mine = await desk.application(application_id, ANOUK)
    assert mine["decisions"][0]["reasons"] == "Past goed bij de wijk."
    assert mine["reviews"] == []

    register = await desk.query("transparency_register", {"neighbourhood": WIJK})
    assert register["total"] == 1
    row = register["rows"][0]
    assert (row["recipient"], row["amount"], row["decided_by"], row["votes"]) == (
        "A.J.",
        30_000,
        "ballot",
        17,
    )
    assert row["report"]["spent"] == 27_000 and row["report"]["volunteer_minutes"] == 270

    figures = await desk.query("monitoring", {"fund_id": str(fund.fund_id)})
    assert figures["totals"]["granted_amount"] == 30_000
    assert figures["totals"]["volunteer_minutes"] == 270
    assert figures["totals"]["volunteers"] == 2
    assert figures["totals"]["participants"] == 55
    assert [r["neighbourhood"] for r in figures["rows"]] == [WIJK]
    assert UUID(data["application_id"]) == application_id
