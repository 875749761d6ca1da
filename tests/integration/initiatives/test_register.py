"""The public transparency register shows exactly what was granted, and nothing private."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from uuid import UUID

from contracts import Actor, new_id
from contracts.budget import AllocationNotGranted, AllocationRefused, AllocationReleased
from tests.conftest import eventually
from tests.support.initiatives import (
    ANOUK,
    BUURTHUIS,
    WIJK,
    WIJKMANAGER,
    committed,
    form,
)

PUBLIC = Actor(role="public", id="anonymous")


async def test_the_register_shows_exactly_the_grants_and_nothing_private(
    desk, fund, streams, initiatives
):
    meeting = await desk.meeting()

    async def admitted(title, applicant=ANOUK, name="Anouk Janssen"):
        app = await desk.submitted(form(fund, fund.ballot, title=title), applicant, name=name)
        await desk.reviewed(app, criteria=[])
        await desk.decided(app, meeting, "admit")
        return app

    won = await admitted('=HYPERLINK("http://x","klik")')
    lost = await admitted("Bankjes")
    cancelled = await admitted("Buurtfeest", BUURTHUIS, "Buurthuis De Brikke Oven")
    direct = await desk.submitted(
        form(fund, title="Taalcafé"), BUURTHUIS, name="Buurthuis De Brikke Oven"
    )
    await desk.reviewed(direct)
    decision = await desk.decided(direct, meeting, "grant", amount=20_000)
    unpaid = await desk.submitted(form(fund, title="Repaircafé"), BUURTHUIS, name="Buurthuis")
    await desk.reviewed(unpaid)
    refused = await desk.decided(unpaid, meeting, "grant", amount=15_000)
    rejected = await desk.submitted(form(fund, title="Graffiti"))
    await desk.reviewed(rejected, advice="reject")
    await desk.decided(rejected, meeting, "reject")
    withdrawn = await desk.submitted(form(fund, title="Kerstmarkt"))
    await desk.ok(
        "withdraw_application", {"application_id": str(withdrawn), "applicant_id": ANOUK.id}
    )

    cancelled_allocation = committed(cancelled, fund, 30_000)
    for event in (
        committed(won, fund, 30_000, votes=21),
        AllocationNotGranted(
            application_id=lost,
            round_id=new_id(),
            fund_id=fund.fund_id,
            earmark_id=fund.ballot,
            neighbourhood=WIJK,
            cost=30_000,
            votes=4,
            reason="not_selected",
        ),
        cancelled_allocation,
        AllocationReleased(
            allocation_id=cancelled_allocation.allocation_id,
            application_id=cancelled,
            fund_id=fund.fund_id,
            earmark_id=fund.ballot,
            neighbourhood=WIJK,
            amount=30_000,
            reason="cancelled",
        ),
        committed(
            direct,
            fund,
            20_000,
            "reviewers",
            fund.reviewers,
            decision_id=UUID(decision["decision_id"]),
        ),
        AllocationRefused(
            application_id=unpaid,
            decision_id=UUID(refused["decision_id"]),
            fund_id=fund.fund_id,
            earmark_id=fund.reviewers,
            requested=15_000,
            available=0,
            reason="insufficient_funds",
        ),
    ):
        await streams.publish(event)

    async def settled():
        states = [await desk.state(a) for a in (won, lost, cancelled, direct, unpaid)]
        return states == ["granted", "not_granted", "closed", "granted", "in_review"]

    await eventually(settled)

    register = await desk.query("transparency_register", {}, PUBLIC)
    rows = {row["title"]: row for row in register["rows"]}
    assert register["total"] == 2 and set(rows) == {won_title(), "Taalcafé"}
    assert rows[won_title()]["recipient"] == "A.J."
    assert (rows[won_title()]["decided_by"], rows[won_title()]["votes"]) == ("ballot", 21)
    assert rows["Taalcafé"]["recipient"] == "Buurthuis De Brikke Oven"
    assert (rows["Taalcafé"]["decided_by"], rows["Taalcafé"]["amount"]) == ("reviewers", 20_000)
    assert rows["Taalcafé"]["reasons"] == "Past goed bij de wijk."
    assert rows["Taalcafé"]["fund_name"] == "Fonds Samen West 2027"

    text = json.dumps(register)
    for private in (
        "Anouk",
        "Janssen",
        "anouk@example.org",
        "06 1234 5678",
        ANOUK.id,
        BUURTHUIS.id,
        "Graffiti",
        "Kerstmarkt",
        "Bankjes",
        "Buurtfeest",
    ):
        assert private not in text, private

    export = await desk.query("export_register", {"neighbourhood": WIJK}, PUBLIC)
    assert export["rows"] == 2
    assert export["file_name"] == "transparantieregister-BU09350101.csv"
    table = list(csv.DictReader(io.StringIO(export["csv"])))
    titles = {row["titel"] for row in table}
    assert titles == {"'" + won_title(), "Taalcafé"}  # a formula is shown, never run
    for private in ("Anouk", "anouk@example.org", ANOUK.id):
        assert private not in export["csv"]

    assert (await desk.query("transparency_register", {"year": 2026}, PUBLIC))["total"] == 0
    assert (await desk.query("transparency_register", {"neighbourhood": "BU09350102"}, PUBLIC))[
        "total"
    ] == 0
    by_fund = await desk.query("transparency_register", {"fund_id": str(fund.fund_id)}, PUBLIC)
    assert by_fund["total"] == 2
    figures = await desk.query("monitoring", {"year": 2027}, PUBLIC)
    totals = figures["totals"]
    assert (totals["applications"], totals["granted"], totals["not_granted"]) == (7, 2, 1)
    assert (totals["rejected"], totals["withdrawn"], totals["granted_amount"]) == (1, 1, 50_000)
    # Reviewers see the applications of their neighbourhood; nobody else's.
    assert (await desk.application(direct, WIJKMANAGER))["state"] == "granted"
    stranger = await desk.client.query(
        "initiatives", "get_application", {"application_id": str(direct)}, actor=ANOUK
    )
    assert stranger.code == "not_found"
    public = await desk.client.query(
        "initiatives", "get_application", {"application_id": str(direct)}, actor=PUBLIC
    )
    assert public.code == "forbidden"
    assert datetime.now(UTC)


def won_title() -> str:
    return '=HYPERLINK("http://x","klik")'
