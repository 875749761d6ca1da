"""The initiatives service's pure rules: the state machine, screening, decisions and the
discretionary room, what budget's events do, reports, hours and what the public sees."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import Refusal, new_id
from contracts.budget import AllocationPaid, AllocationRefused
from contracts.funding import EarmarkRules
from contracts.initiatives import APPLICATION_STATES, ApplicationForm, Assessment, SpentLine
from contracts.timebank import TransferPosted, TransferReversed
from services.initiatives.domain import (
    TRANSITIONS,
    Application,
    Earmark,
    NotYet,
    Outcome,
    Room,
    allocations,
    check_amount,
    check_assessments,
    check_decidable,
    covers,
    euros,
    from_posted,
    from_reversed,
    initials,
    public_name,
    report_lines,
    screen,
)
from tests.support.initiatives import FundSetup, committed, form

NOW = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
FUND = FundSetup()


def earmark(which=None, **rules) -> Earmark:
    rules.setdefault("deadline", None)  # the support fund's deadline is relative to today
    facts = {e.earmark_id: e for e in FUND.earmarks()}[which or FUND.reviewers]
    merged = EarmarkRules.model_validate_json(
        json.dumps({**json.loads(facts.rules.model_dump_json()), **rules})
    )
    return Earmark(
        FUND.fund_id,
        "Fonds",
        2027,
        "Europe/Amsterdam",
        facts.earmark_id,
        facts.name,
        facts.neighbourhood,
        merged,
        revision=1,
    )


def application(state="draft", which=None, **changes) -> Application:
    body = ApplicationForm.model_validate_json(json.dumps(form(FUND, which, **changes)))
    return Application(new_id(), "anouk", "resident", "Anouk Janssen", state, body)


def refused(code: str, call, *args):
    with pytest.raises(Refusal) as exc:
        call(*args)
    assert exc.value.code == code, exc.value.code
    return exc.value


# -- the state machine -------------------------------------------------------------------------


@given(st.lists(st.sampled_from(sorted(TRANSITIONS)), max_size=30))
def test_any_sequence_of_actions_moves_only_along_the_machine(actions):
    app = application()
    for action in actions:
        before = app.state
        allowed, target = TRANSITIONS[action]
        if before in allowed:
            app.transition(action, to="granted")
            assert app.state == (target or "granted")
        else:
            error = refused("invalid_state", app.transition, action)
            assert error.details["state"] == before
            assert app.state == before
        assert app.state in APPLICATION_STATES
    assert len(app.changes) <= len(actions)


def test_withdrawal_is_possible_until_a_grant_decision():
    for state in ("draft", "submitted", "screened", "in_review", "admitted"):
        application(state).transition("withdrawn")
    for state in ("granted_directly", "granted", "paid", "reported", "closed", "rejected"):
        refused("invalid_state", application(state).transition, "withdrawn")


# -- screening ---------------------------------------------------------------------------------


def rules_of(findings):
    return sorted((f.rule, f.field) for f in findings)


def test_a_complete_form_passes_screening():
    assert screen(application().form, earmark(), NOW) == []


def test_screening_names_each_rule_with_what_to_change():
    app = application(
        lines=[("Zaal", "rent", 400_000), ("Band", "fees", 200_000)],
        ends_on="2027-01-01",
        description="",
        neighbourhood="BU03630000",
        criteria=[{"criterion": "groen", "explanation": "Groen."}],
    )
    rules = earmark(
        neighbourhoods=["WK093501"],
        deadline=(NOW - timedelta(days=1)).isoformat(),
    )
    assert rules_of(screen(app.form, rules, NOW)) == [
        ("budget_line_kind_not_allowed", "budget_lines[1].kind"),
        ("criterion_unexplained", "criteria[doel_centraal]"),
        ("criterion_unexplained", "criteria[door_en_voor_bewoners]"),
        ("criterion_unknown", "criteria[0].criterion"),
        ("dates_order", "ends_on"),
        ("deadline_passed", "earmark_id"),
        ("description_missing", "description"),
        ("neighbourhood_not_eligible", "neighbourhood"),
        ("over_max_per_application", "budget_lines"),
    ]
    assert rules_of(screen(application(budget_lines=[]).form, earmark(), NOW)) == [
        ("no_budget_lines", "budget_lines")
    ]
    opens = earmark(opens_at=(NOW + timedelta(days=2)).isoformat())
    [finding] = screen(application().form, opens, NOW)
    assert finding.rule == "not_open_yet" and "17-03-2027 13:00" in finding.message.nl
    assert rules_of(screen(application().form, None, NOW)) == [("fund_unknown", "earmark_id")]


def test_a_wijk_covers_its_buurten_and_a_municipality_its_wijken():
    assert covers("WK093501", "BU09350101") and covers("GM0935", "WK093501")
    assert covers("BU09350101", "BU09350101")
    assert not covers("WK093502", "BU09350101") and not covers("BU09350101", "WK093501")
    assert screen(application().form, earmark(neighbourhoods=["GM0935"]), NOW) == []


# -- decisions and the discretionary room ------------------------------------------------------


def test_a_granted_amount_stays_within_the_request_and_the_earmark_maximum():
    app = application("in_review", lines=[("Zaal", "rent", 400_000)])
    assert check_amount(app, earmark(), 400_000) == 400_000
    refused("amount_required", check_amount, app, earmark(), None)
    error = refused("amount_above_request", check_amount, app, earmark(), 400_001)
    assert error.fmt == {"requested": "€ 4.000,00"}
    refused("over_max_per_application", check_amount, app, earmark(max_per_application=1000), 2000)


def test_a_meeting_decides_only_on_a_reviewed_application():
    refused("not_reviewed", check_decidable, application("screened"), 0)
    refused("not_reviewed", check_decidable, application("in_review"), 0)
    refused("invalid_state", check_decidable, application("admitted"), 1)
    check_decidable(application("in_review"), 2)


def test_every_criterion_is_assessed_once():
    codes = ["doel_centraal", "door_en_voor_bewoners"]
    check_assessments(earmark(), [Assessment(criterion=c, judgement="meets") for c in codes])
    error = refused(
        "criteria_incomplete",
        check_assessments,
        earmark(),
        [Assessment(criterion="doel_centraal", judgement="partly")],
    )
    assert error.details == {"missing": ["door_en_voor_bewoners"]}
    refused(
        "unknown_criterion",
        check_assessments,
        earmark(),
        [Assessment(criterion="groen", judgement="meets")],
    )


@given(st.lists(st.integers(min_value=1, max_value=30_000), max_size=40))
def test_the_discretionary_room_is_never_passed(amounts):
    room = Room("2027-Q1", 50_000, 0)
    for amount in amounts:
        try:
            room = room.take(amount)
        except Refusal as refusal:
            assert refusal.code == "over_discretionary_limit"
            assert amount > room.remaining == refusal.details["remaining"]
        assert 0 <= room.used <= room.limit


def test_a_limit_period_is_the_fund_time_zones_calendar_period():
    rules = earmark(FUND.discretionary)
    new_year_utc = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Amsterdam
    assert rules.period(new_year_utc, "quarter") == "2027-Q1"
    assert rules.period(new_year_utc, "month") == "2027-01"
    refused("path_not_allowed", earmark().decides_by, "discretionary")


# -- what the budget service's events do -------------------------------------------------------


def paid(allocation) -> AllocationPaid:
    return AllocationPaid(
        allocation_id=allocation.allocation_id,
        application_id=allocation.application_id,
        fund_id=FUND.fund_id,
        earmark_id=FUND.ballot,
        neighbourhood="BU09350101",
        committed=allocation.amount,
        paid=allocation.amount,
        paid_at=NOW,
    )


def test_allocation_events_wait_for_what_they_follow_and_apply_once():
    app = application("in_review", FUND.ballot)
    allocation = committed(app.id, FUND, 30_000)
    with pytest.raises(NotYet):
        allocations.committed(app, allocation)
    with pytest.raises(NotYet):
        allocations.paid(app, paid(allocation))
    app.transition("admitted")
    assert allocations.committed(app, allocation) is Outcome.APPLIED
    assert (app.state, app.granted, app.votes) == ("granted", 30_000, 12)
    assert allocations.committed(app, allocation) is Outcome.IGNORED
    second = committed(app.id, FUND, 30_000)
    assert allocations.committed(app, second) is Outcome.NOTED  # never parked for ever
    assert app.allocation_id == allocation.allocation_id
    assert allocations.paid(app, paid(allocation)) is Outcome.APPLIED
    assert allocations.paid(app, paid(allocation)) is Outcome.IGNORED
    assert app.state == "paid"


def test_a_withdrawn_application_stays_withdrawn_whatever_budget_says():
    app = application("admitted", FUND.ballot)
    app.transition("withdrawn")
    allocation = committed(app.id, FUND, 30_000)
    assert allocations.committed(app, allocation) is Outcome.NOTED
    assert allocations.paid(app, paid(allocation)) is Outcome.NOTED
    assert app.state == "withdrawn"


def test_a_refused_direct_grant_goes_back_to_review_only_for_its_own_decision():
    app = application("granted_directly")
    app.decision_id = new_id()

    def refusal(decision_id):
        return AllocationRefused(
            application_id=app.id,
            decision_id=decision_id,
            fund_id=FUND.fund_id,
            earmark_id=FUND.reviewers,
            requested=30_000,
            available=100,
            reason="insufficient_funds",
        )

    assert allocations.refused(app, refusal(new_id())) is Outcome.NOTED
    assert app.state == "granted_directly"
    assert allocations.refused(app, refusal(app.decision_id)) is Outcome.APPLIED
    assert app.state == "in_review"
    assert "€ 1,00 beschikbaar" in app.changes[-1].note


# -- reports and hours -------------------------------------------------------------------------


def test_a_report_covers_every_budget_line_once():
    budget = application().form.budget_lines
    lines = report_lines(budget, [SpentLine(line=2, spent=0), SpentLine(line=1, spent=26_000)])
    assert [(ln.line, ln.planned, ln.spent) for ln in lines] == [(1, 25_000, 26_000), (2, 5_000, 0)]
    error = refused("report_lines_missing", report_lines, budget, [SpentLine(line=1, spent=1)])
    assert error.details == {"missing": [2]}
    refused("unknown_budget_line", report_lines, budget, [SpentLine(line=9, spent=1)])


def test_hours_go_to_whoever_gave_them_and_a_reversal_takes_them_back():
    initiative, volunteer, receiver = new_id(), new_id(), new_id()
    common = {
        "community": "wijk-west",
        "unit": "hour",
        "amount": 90,
        "initiative_id": initiative,
    }
    posted = TransferPosted(
        transfer_id=new_id(),
        debit_member_id=receiver,
        credit_member_id=volunteer,
        kind="exchange",
        posted_at=NOW,
        **common,
    )
    assert from_posted(posted).member_id == volunteer and from_posted(posted).minutes == 90
    back = TransferReversed(
        transfer_id=new_id(),
        debit_member_id=volunteer,
        credit_member_id=receiver,
        kind="reversal",
        reverses_transfer_id=posted.transfer_id,
        reason="Fout.",
        **common,
    )
    assert (from_reversed(back).member_id, from_reversed(back).minutes) == (volunteer, -90)
    assert from_posted(posted.model_copy(update={"initiative_id": None})) is None
    assert from_posted(posted.model_copy(update={"unit": "steerk"})) is None


# -- what the public sees ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Anouk Janssen", "A.J."),
        ("Jan van der Berg", "J.v.d.B."),
        ("Mohamed El Amrani", "M.E.A."),
        ("Ria Smit-Jansen", "R.S.J."),
        ("  élodie  ", "É."),
        ("1234", "?"),
    ],
)
def test_a_resident_is_shown_by_initials_only(name, expected):
    assert initials(name) == expected
    assert public_name("resident", name) == expected
    assert public_name("organisation", "Buurthuis De Brikke Oven") == "Buurthuis De Brikke Oven"


def test_amounts_read_as_dutch_euros():
    assert (euros(0), euros(5), euros(123_456_78), euros(-250)) == (
        "€ 0,00",
        "€ 0,05",
        "€ 123.456,78",
        "-€ 2,50",
    )
    assert date(2027, 1, 1)
