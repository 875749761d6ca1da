"""The portal's own rules, without I/O: hours as people type them, dates in the community's
time zone, field errors in words, CSRF tokens, throttling, who the actor is, charts, and that
every text on the pages has its Dutch."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from uuid import uuid4

import pytest
from babel.messages.extract import extract_from_dir
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import timebank as tb
from services.gateway import i18n
from services.gateway.bank import operation
from services.gateway.domain import (
    Account,
    Bar,
    FieldError,
    SignedIn,
    actor_for,
    bar_chart,
    csrf_ok,
    csrf_token,
    end_of_day_utc,
    field_errors,
    format_minutes,
    parse_minutes,
    refusal,
    throttled,
)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("1", 60),
        ("1,5", 90),
        ("1.5", 90),
        ("1:30", 90),
        ("0:05", 5),
        ("90 min", 90),
        ("2 uur", 120),
        (" 0,25 ", 15),
        ("100", 6000),
    ],
)
def test_hours_as_people_type_them(typed, minutes):
    assert parse_minutes(typed) == minutes


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Fill in the number of hours."),
        ("anderhalf", "Type hours as 1,5 or 1:30."),
        ("0", "The amount must be more than zero."),
        ("1,33", "Use whole minutes (for example 1:20)."),
        ("1:75", "Type hours as 1,5 or 1:30."),
        ("-1", "Type hours as 1,5 or 1:30."),
        ("9999", "That is more than a form accepts."),
    ],
)
def test_hours_that_cannot_be_used_say_why(typed, message):
    with pytest.raises(FieldError) as caught:
        parse_minutes(typed, "amount")
    assert caught.value.field == "amount" and caught.value.message == message


@given(st.integers(min_value=1, max_value=100 * 60 * 24))
def test_minutes_shown_as_hours_read_back_the_same(minutes):
    assert parse_minutes(format_minutes(minutes)) == minutes


def test_a_listing_open_until_a_day_is_open_all_that_day_in_amsterdam():
    winter = end_of_day_utc(date(2026, 1, 15))
    summer = end_of_day_utc(date(2026, 7, 15))
    assert winter.tzinfo == UTC or winter.utcoffset().total_seconds() == 0
    assert (winter.hour, winter.minute) == (22, 59)  # CET = UTC+1
    assert (summer.hour, summer.minute) == (21, 59)  # CEST = UTC+2


def test_pydantic_errors_become_one_message_per_field():
    with pytest.raises(ValidationError) as caught:
        tb.PublishListing.model_validate({"kind": "gift", "title": ""})
    errors = field_errors(caught.value, {"kind", "title", "description"})
    assert errors["kind"].message == "Choose one of the options."
    assert errors["title"].message == "Fill in this field."
    assert errors["description"].message == "Fill in this field."
    assert "_form" in errors  # fields the form does not show are not hidden


def test_csrf_tokens_belong_to_one_session_and_one_key():
    key = b"k" * 32
    token = csrf_token(key, "session-a")
    assert csrf_ok(key, "session-a", token)
    assert not csrf_ok(key, "session-b", token)
    assert not csrf_ok(b"x" * 32, "session-a", token)
    assert not csrf_ok(key, "session-a", None)
    assert not csrf_ok(key, None, token)


def test_sign_in_is_throttled_per_account_and_more_loosely_per_address():
    assert not throttled(4, 0, 5)
    assert throttled(5, 0, 5)
    assert not throttled(0, 19, 5)
    assert throttled(0, 20, 5)


def test_the_actor_is_the_member_for_members_and_the_account_with_scopes_for_staff():
    member = uuid4()
    resident = Account(uuid4(), "a@example.org", "A", "resident", member_id=member)
    assert actor_for(resident).id == str(member)
    # A member cannot carry on_behalf_of: only desk roles act for someone.
    assert actor_for(resident, uuid4()).on_behalf_of is None
    coordinator = Account(uuid4(), "c@example.org", "C", "coordinator", scopes=("wijk-west",))
    acting = SignedIn(coordinator, member)
    assert acting.actor.on_behalf_of == str(member)
    assert acting.actor.scopes == ("wijk-west",)
    assert acting.member_id == member


def test_the_policy_of_the_contract_decides():
    spec = operation("balance")
    resident = Account(uuid4(), "a@example.org", "A", "resident", member_id=uuid4())
    from services.gateway.domain import PUBLIC

    expected_public = "public" in spec.policy.roles
    assert (refusal(PUBLIC, spec) is None) == expected_public
    assert (refusal(actor_for(resident), spec) is None) == ("resident" in spec.policy.roles)


def test_a_chart_names_every_value_for_screen_readers_and_escapes_text():
    svg = bar_chart(
        "c", "Uren <per> maand", [Bar("2026-01", 90, "1:30"), Bar("<b>", 0, "0:00")], ""
    )
    assert 'role="img"' in svg and '<title id="c-t">Uren &lt;per&gt; maand</title>' in svg
    assert "2026-01: 1:30" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    assert bar_chart("c", "x", [], "Nog niets") == '<p class="empty">Nog niets</p>'


def test_every_text_of_the_portal_has_its_dutch():
    root = Path(i18n.__file__).parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "FieldError": (2,)}
    missing, seen = [], 0
    i18n.current.set("nl")
    for _file, _line, message, _comments, _context in extract_from_dir(
        root, method_map, options, keywords=keywords
    ):
        singular = message[0] if isinstance(message, tuple) else message
        seen += 1
        if i18n.gettext(singular) == singular and singular not in {"VOG", "Steerkes"}:
            missing.append(singular)
    assert seen > 200  # the templates and the code were read
    assert missing == []


def test_the_language_is_the_accounts_then_the_visitors_then_the_browsers():
    assert i18n.choose(None, None, None) == "nl"
    assert i18n.choose(None, None, "en-GB,en;q=0.9") == "en"
    assert i18n.choose("nl", None, "en-GB") == "nl"
    assert i18n.choose("nl", "en", "nl") == "en"
    assert i18n.choose(None, None, "de-DE,fr") == "nl"
