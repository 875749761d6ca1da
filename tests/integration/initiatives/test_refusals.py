"""Every refusal with its precise code, and nothing half-saved: after a refused command the
applications, their history, reviews, decisions, meetings and discretionary use are as before,
and no event was published."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import Actor, new_id
from contracts.budget import RoundClosed
from tests.conftest import eventually
from tests.support.initiatives import (
    ANOUK,
    BUURTHUIS,
    COLLEAGUE,
    OTHER_WIJK,
    WIJK,
    WIJKMANAGER,
    committed,
    form,
    on_ballot,
)

STATE = """
SELECT (SELECT count(*) FROM history) AS history, (SELECT count(*) FROM reviews) AS reviews,
       (SELECT count(*) FROM decisions) AS decisions, (SELECT count(*) FROM meetings) AS meetings,
       (SELECT coalesce(sum(used), 0) FROM discretionary_use) AS used,
       (SELECT count(*) FROM discretionary_grants) AS grants,
       (SELECT string_agg(application_id::text || state || md5(form::text), ','
                          ORDER BY application_id) FROM applications) AS applications,
       (SELECT count(*) FROM outbox) AS outbox
"""


@pytest.fixture
def unchanged(initiatives, streams):
    """`async with unchanged():` asserts that nothing was saved or published inside."""

    class Check:
        async def __aenter__(self):
            await eventually(lambda: initiatives.pool.fetchval("SELECT count(*) = 0 FROM outbox"))
            self.before = dict(await initiatives.pool.fetchrow(STATE))
            self.events = len(await streams.published("initiatives"))

        async def __aexit__(self, *exc):
            if exc[0] is None:
                assert dict(await initiatives.pool.fetchrow(STATE)) == self.before
                assert len(await streams.published("initiatives")) == self.events

    return Check


async def test_applicants_are_refused_precisely_and_nothing_is_saved(desk, fund, unchanged):
    draft = await desk.draft(form(fund))
    ref = {"application_id": str(draft), "applicant_id": ANOUK.id}
    stranger = Actor(role="resident", id="someone-else")
    bad = form(
        fund,
        lines=[("Zaal", "rent", 450_000), ("Optreden", "fees", 100_000)],
        starts_on=None,
        criteria=[{"criterion": "doel_centraal", "explanation": "Zo."}],
    )
    async with unchanged():
        # the kit's policy: one acts only as oneself
        await desk.refused(
            "submit_application", {**ref, "applicant_id": stranger.id}, ANOUK, "forbidden"
        )
        await desk.refused("submit_application", ref, stranger, "forbidden")
        await desk.refused(
            "save_draft",
            {
                "application_id": str(draft),
                "applicant_id": stranger.id,
                "applicant_kind": "resident",
                "applicant_name": "X",
                "form": form(fund),
            },
            stranger,
            "not_your_application",
        )
        await desk.refused(
            "save_draft",
            {
                "application_id": str(new_id()),
                "applicant_id": ANOUK.id,
                "applicant_kind": "resident",
                "applicant_name": "A",
                "form": form(fund),
            },
            ANOUK,
            "not_found",
        )
        error = await desk.refused(
            "save_draft",
            {
                "applicant_id": ANOUK.id,
                "applicant_kind": "resident",
                "applicant_name": "A",
                "form": {**form(fund), "title": "Tuin\x1b[31m"},
            },
            ANOUK,
            "invalid_message",
        )
        assert error["details"]["errors"][0]["field"] == "data.form.title"
        await desk.refused(
            "submit_report",
            {
                **ref,
                "lines": [{"line": 1, "spent": 1}],
                "participants": 1,
                "volunteers": 1,
                "story": "x",
            },
            ANOUK,
            "invalid_state",
        )
    # screening names every rule, with what to change, and submits nothing
    await desk.ok(
        "save_draft",
        {**ref, "applicant_kind": "resident", "applicant_name": "Anouk Janssen", "form": bad},
    )
    async with unchanged():
        error = await desk.refused("submit_application", ref, ANOUK, "screening_failed")
    findings = {(f["rule"], f["field"]) for f in error["details"]["findings"]}
    assert findings == {
        ("budget_line_kind_not_allowed", "budget_lines[1].kind"),
        ("over_max_per_application", "budget_lines"),
        ("dates_missing", "starts_on"),
        ("criterion_unexplained", "criteria[door_en_voor_bewoners]"),
    }
    over = next(f for f in error["details"]["findings"] if f["rule"] == "over_max_per_application")
    assert "Vraag € 500,00 minder" in over["message"]["nl"]
    assert "Ask for € 500,00 less" in over["message"]["en"]
    assert (await desk.application(draft))["state"] == "draft"
    screening = await desk.query("screen_application", {"form": bad})
    assert {(f["rule"], f["field"]) for f in screening["findings"]} == findings

    unknown = await desk.draft(form(fund, earmark=new_id()), BUURTHUIS, "Buurthuis")
    async with unchanged():
        await desk.refused(
            "submit_application",
            {"application_id": str(unknown), "applicant_id": BUURTHUIS.id},
            BUURTHUIS,
            "unknown_fund",
        )


async def test_reviewers_are_refused_precisely_and_nothing_is_saved(desk, fund, unchanged):
    reviewed = await desk.submitted(form(fund))
    other = await desk.submitted(form(fund, title="Speeltuin"))
    meeting = await desk.meeting()
    ballot = await desk.submitted(form(fund, fund.ballot))
    small = await desk.submitted(
        form(fund, fund.discretionary, lines=[("Verf", "materials", 20_000)])
    )
    outsider = Actor(role="reviewer", id="wm-elders", scopes=(OTHER_WIJK,))

    def decide(app, **changes):
        return {
            "application_id": str(app),
            "neighbourhood": WIJK,
            "meeting_id": meeting,
            "outcome": "grant",
            "amount": 10_000,
            "reasons": "Goed plan.",
            **changes,
        }

    review = {
        "application_id": str(reviewed),
        "neighbourhood": WIJK,
        "assessments": [{"criterion": "doel_centraal", "judgement": "meets"}],
        "advice": "grant",
    }
    async with unchanged():
        await desk.refused("record_review", review, outsider, "forbidden")
        await desk.refused(
            "record_review",
            {**review, "neighbourhood": OTHER_WIJK},
            Actor(role="reviewer", id="wm-x", scopes=("*",)),
            "neighbourhood_mismatch",
        )
        await desk.refused("record_review", review, WIJKMANAGER, "criteria_incomplete")
        await desk.refused(
            "record_review",
            {**review, "assessments": [{"criterion": "duurzaam", "judgement": "meets"}]},
            WIJKMANAGER,
            "unknown_criterion",
        )
        await desk.refused(
            "record_review", {**review, "meeting_id": str(new_id())}, WIJKMANAGER, "unknown_meeting"
        )
        await desk.refused(
            "record_meeting",
            {
                "neighbourhood": WIJK,
                "name": "Overleg",
                "held_on": "2027-04-01",
                "participants": [COLLEAGUE.id],
            },
            WIJKMANAGER,
            "not_a_participant",
        )
        await desk.refused("decide", decide(reviewed), WIJKMANAGER, "not_reviewed")
    await desk.reviewed(reviewed)
    await desk.reviewed(ballot, criteria=[])
    async with unchanged():
        outside_meeting = Actor(role="reviewer", id="wm-piet", scopes=(WIJK,))
        await desk.refused("decide", decide(reviewed), outside_meeting, "not_a_participant")
        await desk.refused(
            "decide", decide(reviewed, meeting_id=str(new_id())), WIJKMANAGER, "unknown_meeting"
        )
        await desk.refused(
            "decide", decide(reviewed, outcome="admit"), WIJKMANAGER, "path_not_allowed"
        )
        await desk.refused("decide", decide(ballot), WIJKMANAGER, "path_not_allowed")
        await desk.refused(
            "decide", {**decide(reviewed), "amount": None}, WIJKMANAGER, "amount_required"
        )
        await desk.refused(
            "decide", decide(reviewed, amount=30_001), WIJKMANAGER, "amount_above_request"
        )
        await desk.refused("decide", decide(other), WIJKMANAGER, "not_reviewed")
        grant = {
            "application_id": str(reviewed),
            "neighbourhood": WIJK,
            "amount": 5_000,
            "reasons": "Snel nodig.",
        }
        await desk.refused("grant_discretionary", grant, WIJKMANAGER, "path_not_allowed")
        await desk.refused(
            "grant_discretionary",
            {**grant, "application_id": str(small), "amount": 20_001},
            WIJKMANAGER,
            "amount_above_request",
        )
        await desk.refused(
            "review_report",
            {"application_id": str(reviewed), "neighbourhood": WIJK, "accept": True},
            WIJKMANAGER,
            "invalid_state",
        )
        await desk.refused(
            "withdraw_application",
            {"application_id": str(reviewed), "applicant_id": ANOUK.id},
            BUURTHUIS,
            "forbidden",
        )
    room = await desk.client.query(
        "initiatives",
        "discretionary_room",
        {"earmark_id": str(fund.reviewers), "neighbourhood": WIJK},
        actor=WIJKMANAGER,
    )
    assert room.code == "path_not_allowed"


async def test_rules_changed_later_and_refusals_after_the_grant(
    desk, fund, streams, initiatives, unchanged
):
    big = await desk.submitted(form(fund, lines=[("Zaal", "rent", 400_000)]))
    await desk.reviewed(big)
    meeting = await desk.meeting()
    # Finance lowers the maximum after the application was screened (fund revision 2).
    fund.max_per_application = 100_000
    await streams.publish(fund.created(revision=2).model_copy(update={}), msg_id=None)
    await eventually(
        lambda: initiatives.pool.fetchval(
            "SELECT revision = 2 FROM earmarks WHERE earmark_id = $1", fund.reviewers
        )
    )
    grant = {
        "application_id": str(big),
        "neighbourhood": WIJK,
        "meeting_id": meeting,
        "outcome": "grant",
        "amount": 200_000,
        "reasons": "Mooi.",
    }
    async with unchanged():
        error = await desk.refused("decide", grant, WIJKMANAGER, "over_max_per_application")
    assert "€ 1.000,00" in error["message"]["nl"]

    # A ballot application may be withdrawn until its round has closed.
    on_ballot_app = await desk.submitted(form(fund, fund.ballot))
    await desk.reviewed(on_ballot_app, criteria=[])
    await desk.decided(on_ballot_app, meeting, "admit")
    round_id = new_id()
    await streams.publish(on_ballot(on_ballot_app, round_id))
    await streams.publish(
        RoundClosed(
            round_id=round_id,
            fund_id=fund.fund_id,
            earmark_id=fund.ballot,
            neighbourhood=WIJK,
            closed_at=datetime.now(UTC),
            ballots=3,
        )
    )
    await eventually(
        lambda: initiatives.pool.fetchval("SELECT closed FROM rounds WHERE round_id = $1", round_id)
    )
    withdraw = {"application_id": str(on_ballot_app), "applicant_id": ANOUK.id}
    async with unchanged():
        await desk.refused("withdraw_application", withdraw, ANOUK, "round_closed")
    await streams.publish(committed(on_ballot_app, fund, 30_000))

    async def granted():
        return await desk.state(on_ballot_app) == "granted"

    await eventually(granted)
    report = {"participants": 1, "volunteers": 1, "story": "Het was fijn."}
    async with unchanged():
        await desk.refused("withdraw_application", withdraw, ANOUK, "invalid_state")
        await desk.refused(
            "submit_report",
            {**withdraw, **report, "lines": [{"line": 1, "spent": 1}, {"line": 3, "spent": 1}]},
            ANOUK,
            "unknown_budget_line",
        )
        error = await desk.refused(
            "submit_report",
            {**withdraw, **report, "lines": [{"line": 2, "spent": 1}]},
            ANOUK,
            "report_lines_missing",
        )
    assert error["details"] == {"missing": [1]}
