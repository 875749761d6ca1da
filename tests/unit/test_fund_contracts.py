"""The initiatives' and budget's contracts refuse what they should, precisely."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts import Actor, describe_validation_error, new_id
from contracts.budget import (
    ADJUST_EARMARK,
    CAST_BALLOT,
    AdjustEarmark,
    BallotRules,
    CastBallot,
    StatementFile,
)
from contracts.funding import EarmarkRules, period_of
from contracts.initiatives import (
    GET_APPLICATION,
    GRANT_DISCRETIONARY,
    SAVE_DRAFT,
    TRANSPARENCY_REGISTER,
    ApplicationForm,
    GrantDiscretionary,
    ReviewReport,
    SaveDraft,
)
from contracts.text import Link, line, text

FUND, EARMARK = new_id(), new_id()


def form(**changes) -> dict:
    body = {
        "title": "Moestuin De Brikke Oven",
        "summary": "Een moestuin voor en door de buurt.",
        "neighbourhood": "BU09350101",
        "fund_id": str(FUND),
        "earmark_id": str(EARMARK),
        "category": "groen",
        "budget_lines": [
            {"line": 1, "description": "Zaden en planten", "kind": "materials", "amount": 25_000},
            {"line": 2, "description": "Koffie en thee", "kind": "food", "amount": 5_000},
        ],
        "contact": {"name": "Anouk Janssen", "email": "anouk@example.org"},
    }
    body.update(changes)
    return body


def problem(model, body: dict) -> str:
    with pytest.raises(ValidationError) as exc:
        model.model_validate_json(json.dumps(body))
    return describe_validation_error(exc.value)


def test_a_form_adds_up_its_budget_lines_in_cents():
    parsed = ApplicationForm.model_validate_json(json.dumps(form()))
    assert parsed.requested == 30_000


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"title": "Tuin\x07"}, "title: Value error, a single line may not contain the control"),
        ({"title": "Tuin\u202eredro"}, "U+202E"),
        ({"title": "   "}, "title: String should have at least 1 character"),
        ({"title": "x" * 121}, "title: String should have at most 120 characters"),
        ({"description": "a\x00b"}, "text may not contain the control character U+0000"),
        ({"links": ["javascript:alert(1)"]}, "links.0: Value error, a link must be a web address"),
        ({"neighbourhood": "Centrum"}, "neighbourhood: String should match pattern"),
        (
            {"budget_lines": [{"line": 1, "description": "x", "kind": "food", "amount": 10.5}]},
            "budget_lines.0.amount: Input should be a valid integer",
        ),
        (
            {"budget_lines": [{"line": 1, "description": "x", "kind": "drinks", "amount": 1}]},
            "budget_lines.0.kind: Input should be 'materials'",
        ),
        (
            {"budget_lines": [{"line": 1, "description": "x", "kind": "food", "amount": 0}]},
            "budget_lines.0.amount: Input should be greater than 0",
        ),
        (
            {
                "budget_lines": [
                    {"line": 1, "description": "x", "kind": "food", "amount": 1},
                    {"line": 1, "description": "y", "kind": "rent", "amount": 1},
                ]
            },
            "budget line 1 appears twice",
        ),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
    ],
)
def test_a_bad_form_is_refused_naming_the_field(change, expected):
    assert expected in problem(ApplicationForm, form(**change))


def test_free_text_keeps_its_paragraphs_and_a_line_does_not():
    assert TypeAdapter(text(100)).validate_python("Eerste.\n\n\tTweede.") == "Eerste.\n\n\tTweede."
    with pytest.raises(ValidationError, match="U\\+000A"):
        TypeAdapter(line(100)).validate_python("twee\nregels")
    assert TypeAdapter(Link).validate_python(" https://example.org/bon.pdf ") == (
        "https://example.org/bon.pdf"
    )


def test_earmark_rules_are_consistent():
    with pytest.raises(ValidationError, match="discretionary_limit is set exactly when"):
        EarmarkRules(decided_by=["discretionary"])
    with pytest.raises(ValidationError, match="discretionary_limit is set exactly when"):
        EarmarkRules(
            decided_by=["reviewers"], discretionary_limit={"amount": 100, "period": "year"}
        )
    with pytest.raises(ValidationError, match="deadline must be after opens_at"):
        EarmarkRules(
            decided_by=["ballot"],
            opens_at=datetime(2027, 3, 1, tzinfo=UTC),
            deadline=datetime(2027, 2, 1, tzinfo=UTC),
        )
    with pytest.raises(ValidationError, match="neighbourhood BU09350101 appears twice"):
        EarmarkRules(decided_by=["ballot"], neighbourhoods=["BU09350101", "BU09350101"])


def test_a_limit_period_is_a_calendar_label():
    day = datetime(2027, 11, 30).date()
    assert (period_of(day, "month"), period_of(day, "quarter"), period_of(day, "year")) == (
        "2027-11",
        "2027-Q4",
        "2027",
    )


def test_ballots_give_choices_or_points_and_each_project_once():
    project = str(new_id())
    base = {"round_id": str(new_id()), "voter_id": "v1", "neighbourhood": "BU09350101"}
    assert "project " in problem(CastBallot, {**base, "choices": [project, project]})
    assert "give choices or points, not both" in problem(
        CastBallot,
        {**base, "choices": [project], "points": [{"application_id": project, "points": 3}]},
    )
    with pytest.raises(ValidationError, match="a cumulative ballot needs points"):
        BallotRules(kind="cumulative")
    with pytest.raises(ValidationError, match="min_choices must not exceed max_choices"):
        BallotRules(kind="approval", min_choices=5, max_choices=2)


def test_commands_that_need_a_reason_or_a_change_say_so():
    assert "change must not be zero" in problem(
        AdjustEarmark,
        {"fund_id": str(FUND), "earmark_id": str(EARMARK), "change": 0, "reason": "x"},
    )
    assert "say what more is needed" in problem(
        ReviewReport,
        {"application_id": str(new_id()), "neighbourhood": "WK093501", "accept": False},
    )
    assert "exactly one" in problem(
        StatementFile, {"file_name": "a.xml", "format": "camt053", "sha256": "0" * 64}
    )


RESIDENT = Actor(role="resident", id="anouk")
WIJKMANAGER = Actor(role="reviewer", id="wm-1", scopes=("BU09350101",))


def test_policies_let_people_act_only_for_themselves_and_in_their_scope():
    draft = SaveDraft.model_validate_json(
        json.dumps(
            {
                "applicant_id": "anouk",
                "applicant_kind": "resident",
                "applicant_name": "Anouk Janssen",
                "form": form(),
            }
        )
    )
    assert SAVE_DRAFT.policy.refusal(RESIDENT, draft) is None
    assert "applicant_id" in SAVE_DRAFT.policy.refusal(Actor(role="resident", id="else"), draft)
    assert SAVE_DRAFT.policy.refusal(WIJKMANAGER, draft) is not None
    grant = GrantDiscretionary(
        application_id=new_id(), neighbourhood="BU09350101", amount=5000, reasons="Nodig."
    )
    assert GRANT_DISCRETIONARY.policy.refusal(WIJKMANAGER, grant) is None
    elsewhere = Actor(role="reviewer", id="wm-2", scopes=("BU03630000",))
    assert "outside" in GRANT_DISCRETIONARY.policy.refusal(elsewhere, grant)
    anonymous = Actor(role="public", id="anonymous")
    assert TRANSPARENCY_REGISTER.policy.refusal(anonymous, None) is None
    assert GET_APPLICATION.policy.refusal(anonymous, None) is not None
    assert ADJUST_EARMARK.policy.refusal(WIJKMANAGER, None) is not None
    assert CAST_BALLOT.policy.roles == {"resident", "panel_member"}
