"""The notification rules, pure: who is told, on which channel, in which language; scopes;
the digest day across daylight saving time; retries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts import new_id
from contracts.timebank import ExchangeDisputed, ExchangeProposed, Party, TransferPosted
from services.notifications.domain import (
    Contact,
    Notice,
    Person,
    Preferences,
    RetryPolicy,
    Staff,
    covers,
    deliveries,
    digest_day,
)
from services.notifications.domain import timebank as tb

EVENT = new_id()


def party(member_id):
    return Party(member_id=member_id, kind="resident", neighbourhood="BU09350101")


def test_a_proposal_asks_only_the_side_that_did_not_propose():
    a, b = new_id(), new_id()
    e = ExchangeProposed(
        exchange_id=new_id(),
        community="west",
        unit="hour",
        provider=party(a),
        receiver=party(b),
        amount=60,
        proposed_by=b,
    )
    [notice] = tb.exchange_proposed(e)
    assert notice.audience == Person(str(a)) and notice.params["side"] == "provider"
    assert notice.mentions == {"other_name": str(b)}


def test_a_dispute_tells_both_sides_and_the_community_coordinators():
    a, b = new_id(), new_id()
    e = ExchangeDisputed(
        exchange_id=new_id(),
        community="west",
        unit="hour",
        provider=party(a),
        receiver=party(b),
        disputed_by=a,
        reason="x",
    )
    audiences = [n.audience for n in tb.exchange_disputed(e)]
    assert audiences == [Person(str(a)), Person(str(b)), Staff("coordinator", "west")]


def test_only_awards_from_the_pot_are_told_on_transfer_posted():
    m = new_id()
    base = dict(
        transfer_id=new_id(),
        community="west",
        unit="hour",
        amount=30,
        debit_member_id=None,
        credit_member_id=m,
        posted_at=datetime.now(UTC),
    )
    assert [n.kind for n in tb.transfer_posted(TransferPosted(kind="award", **base))] == [
        "hours_awarded"
    ]
    assert tb.transfer_posted(TransferPosted(kind="exchange", **base)) == []


def test_channels_follow_address_preferences_and_digest():
    notices = [Notice(Person(p), "exchange_agreed", {}, {}) for p in ("a", "b", "c", "d")]
    contacts = {
        "a": Contact("a", email="a@x.nl"),
        "b": Contact("b", email=None, language="en"),  # portal only
        "c": Contact("c", email="c@x.nl"),
        # d: not known yet (its member event may come later): e-mail, address looked up later
    }
    prefs = {"c": Preferences(off=frozenset({("exchange_agreed", "inbox")}), digest=True)}
    got = {(d.recipient, d.channel): d for d in deliveries(EVENT, notices, contacts, {}, prefs)}
    assert sorted(got) == [
        ("a", "email"),
        ("a", "inbox"),
        ("b", "inbox"),
        ("c", "email"),
        ("d", "email"),
        ("d", "inbox"),
    ]
    assert got[("b", "inbox")].language == "en"
    assert got[("c", "email")].held and not got[("a", "email")].held


def test_a_member_not_online_is_told_through_their_stand_in_one_message_each():
    notices = [
        Notice(Person("m1"), "exchange_confirmed", {"side": "provider"}, {"other_name": "m2"}),
        Notice(Person("m2"), "exchange_confirmed", {"side": "receiver"}, {"other_name": "m1"}),
    ]
    contacts = {
        "m1": Contact("m1", name="Opa Jan", online=False, stand_in="k"),
        "m2": Contact("m2", name="Oma Lies", online=False, stand_in="k"),
        "k": Contact("k", name="Kim", email="kim@x.nl", language="en", role="coordinator"),
    }
    got = deliveries(EVENT, notices, contacts, {}, {})
    assert {(d.recipient, d.deliver_to, d.channel) for d in got} == {
        ("m1", "k", "email"),
        ("m1", "k", "inbox"),
        ("m2", "k", "email"),
        ("m2", "k", "inbox"),
    }
    assert {d.params["for_name"] for d in got} == {"Opa Jan", "Oma Lies"}
    assert {d.language for d in got} == {"en"}  # the reader's language


def test_staff_audiences_reach_each_staff_member_once():
    kim = Contact("k", email="k@x.nl", role="coordinator", scopes=("west",))
    notices = [Notice(Staff("coordinator", "west"), "member_applied", {}, {})]
    got = deliveries(EVENT, notices + notices, {}, {Staff("coordinator", "west"): [kim]}, {})
    assert len(got) == 2 and {d.key for d in got} == {(EVENT, "k", "email"), (EVENT, "k", "inbox")}


@pytest.mark.parametrize(
    ("scope", "where", "expected"),
    [
        ("*", "BU09350101", True),
        ("west", "west", True),
        ("GM0935", "BU09350101", True),
        ("WK093501", "BU09350101", True),
        ("WK093502", "BU09350101", False),
        ("BU09350101", "WK093501", False),
        ("GM0479", "WK093501", False),
        ("west", "oost", False),
    ],
)
def test_scopes_cover_their_own_area_and_the_areas_inside_it(scope, where, expected):
    assert covers(scope, where) is expected


def test_the_digest_is_due_once_a_day_at_the_local_hour_across_daylight_saving():
    tz = "Europe/Amsterdam"
    # 30 March 2025: clocks go from 02:00 to 03:00 (UTC+1 to UTC+2).
    assert digest_day(datetime(2025, 3, 30, 5, 59, tzinfo=UTC), tz, 8, None) is None
    assert digest_day(datetime(2025, 3, 30, 6, 0, tzinfo=UTC), tz, 8, None) == date(2025, 3, 30)
    # The day before, 08:00 local was 07:00 UTC.
    assert digest_day(datetime(2025, 3, 29, 6, 30, tzinfo=UTC), tz, 8, None) is None
    assert digest_day(datetime(2025, 3, 29, 7, 0, tzinfo=UTC), tz, 8, None) == date(2025, 3, 29)
    # Once per day; 02:00 does not exist that day, so it is due from 03:00.
    sent = date(2025, 3, 30)
    assert digest_day(datetime(2025, 3, 30, 20, 0, tzinfo=UTC), tz, 8, sent) is None
    assert digest_day(datetime(2025, 3, 30, 0, 59, tzinfo=UTC), tz, 2, None) is None
    assert digest_day(datetime(2025, 3, 30, 1, 0, tzinfo=UTC), tz, 2, None) == sent
    with pytest.raises(ValueError, match="Mars/Olympus"):
        digest_day(datetime.now(UTC), "Mars/Olympus", 8, None)


def test_retries_back_off_exponentially_to_a_cap_and_give_up():
    policy = RetryPolicy(base_s=5, cap_s=60, max_attempts=4)
    assert [policy.delay_after(n) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]
    assert not policy.gives_up(3, permanent=False) and policy.gives_up(4, permanent=False)
    assert policy.gives_up(1, permanent=True)


def test_the_reminder_comes_the_lead_time_before_auto_confirmation():
    at = datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert tb.reminder_due(at, timedelta(hours=48)) == datetime(2025, 5, 30, 12, tzinfo=UTC)
    x = new_id()
    assert tb.reminder_event_id(x) == tb.reminder_event_id(x) != tb.reminder_event_id(new_id())
