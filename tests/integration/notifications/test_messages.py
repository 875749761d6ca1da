"""Each kind of message reaches the right people, in their language, by e-mail (a real SMTP
server) and in their inbox; preferences and the daily digest; stand-ins for members who are
not online."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts import Actor, new_id
from contracts.timebank import (
    ExchangeAgreed,
    ExchangeDisputed,
    MemberApproved,
    MemberRegistered,
)
from services.notifications import jobs
from tests.conftest import eventually
from tests.integration.notifications.conftest import seed_member
from tests.support.notifications import (
    COMMUNITY,
    COORDINATOR,
    HOOD,
    confirm_by,
    confirmed,
    exchange,
)


def resident(person_id) -> Actor:
    return Actor(role="resident", id=str(person_id))


async def test_an_exchange_tells_both_sides_in_their_own_language(
    notifications, publisher, mailbox, client, database
):
    anouk, ben = new_id(), new_id()
    await seed_member(database, str(anouk), name="Anouk", email="anouk@example.org")
    await seed_member(database, str(ben), name="Ben", email="ben@example.org", language="en")
    await publisher.publish(
        exchange(
            ExchangeAgreed,
            anouk,
            ben,
            amount=90,
            pending_transfer_id=new_id(),
            confirm_by=confirm_by(),
        )
    )
    await eventually(lambda: len(mailbox.mails) == 2)
    [to_anouk] = mailbox.to("anouk@example.org")
    [to_ben] = mailbox.to("ben@example.org")
    assert to_anouk.subject == "Afspraak gemaakt met Ben"
    assert "1 uur en 30 minuten" in to_anouk.text and "Beste Anouk" in to_anouk.text
    assert to_ben.subject == "Exchange agreed with Anouk"
    assert "1 hour and 30 minutes" in to_ben.text and "please confirm" in to_ben.text
    assert to_ben.html and "<p>Dear Ben,</p>" in to_ben.html
    inbox = await client.query(
        "notifications", "list_inbox", {"person_id": str(ben)}, actor=resident(ben)
    )
    assert inbox.ok, inbox.error
    assert [i["subject"] for i in inbox.result["items"]] == ["Exchange agreed with Anouk"]
    assert inbox.result["unread"] == 1


async def test_a_dispute_reaches_both_sides_and_the_coordinators_of_that_community_only(
    notifications, publisher, mailbox, client, database
):
    a, b = new_id(), new_id()
    await seed_member(database, str(a), name="Ria", email="ria@example.org")
    await seed_member(database, str(b), name="Jeroen", email="jeroen@example.org")
    here = await client.command(
        "notifications",
        "set_contact",
        {"person_id": COORDINATOR.id, "name": "Kim", "email": "kim@example.org", "language": "en"},
    )
    assert here.ok, here.error
    elsewhere = Actor(role="coordinator", id="makelaar-z", scopes=("zaanstad-oost",))
    await client.command(
        "notifications",
        "set_contact",
        {"person_id": elsewhere.id, "email": "zara@example.org"},
        actor=elsewhere,
    )
    await publisher.publish(
        exchange(ExchangeDisputed, a, b, disputed_by=b, reason="Er is niets gebeurd")
    )
    await eventually(lambda: len(mailbox.mails) == 3)
    assert mailbox.to("zara@example.org") == []
    [kim] = mailbox.to("kim@example.org")
    assert kim.subject == "Problem reported: your decision is needed"
    assert "Jeroen reports a problem" in kim.text and "between Ria (gave help)" in kim.text
    assert mailbox.to("ria@example.org")[0].subject == "Er is een probleem gemeld"


async def test_a_member_who_is_not_online_is_told_through_their_coordinator(
    notifications, publisher, mailbox, client, database
):
    online, offline = new_id(), new_id()
    await seed_member(database, str(online), name="Sanne", email="sanne@example.org")
    await seed_member(database, str(offline), name="Opa Jan", online=False, stand_in=COORDINATOR.id)
    await client.command(
        "notifications",
        "set_contact",
        {"person_id": COORDINATOR.id, "name": "Kim", "email": "kim@example.org"},
    )
    await publisher.publish(confirmed(online, offline, by="coordinator"))
    await eventually(lambda: len(mailbox.mails) == 2)
    [kim] = mailbox.to("kim@example.org")
    assert "Dit bericht is voor Opa Jan. Wilt u het doorgeven?" in kim.text
    assert "Er gaat 1 uur van uw saldo af" in kim.text
    inbox = await client.query("notifications", "list_inbox", {"person_id": COORDINATOR.id})
    assert [i["for_name"] for i in inbox.result["items"]] == ["Opa Jan"]


async def test_a_person_sees_only_their_own_inbox(notifications, client, database):
    me, other = new_id(), new_id()
    for actor, person in (
        (resident(me), other),
        (COORDINATOR, str(other)),
        (Actor(role="operator", id="op"), str(me)),
    ):
        reply = await client.query(
            "notifications", "list_inbox", {"person_id": str(person)}, actor=actor
        )
        assert reply.code in ("not_your_inbox", "forbidden"), reply
    reply = await client.command(
        "notifications", "mark_read", {"person_id": str(other), "all": True}, actor=resident(me)
    )
    assert reply.code in ("not_your_inbox", "forbidden")


async def test_switched_off_kinds_are_not_sent_and_a_digest_gathers_the_rest(
    notifications, publisher, mailbox, client, database
):
    a, b = new_id(), new_id()
    await seed_member(database, str(a), name="Anouk", email="anouk@example.org")
    await seed_member(database, str(b), name="Ben", email="ben@example.org")
    prefs = await client.command(
        "notifications",
        "set_preferences",
        {
            "person_id": str(a),
            "off": [{"kind": "exchange_agreed", "channel": "email"}],
            "digest": True,
            "time_zone": "America/Curacao",
            "digest_hour": 7,
        },
        actor=resident(a),
    )
    assert prefs.ok, prefs.error
    refused = await client.command(
        "notifications",
        "set_preferences",
        {"person_id": str(a), "time_zone": "Mars/Olympus"},
        actor=resident(a),
    )
    assert refused.code == "unknown_time_zone"
    agreed = exchange(
        ExchangeAgreed, a, b, amount=30, pending_transfer_id=new_id(), confirm_by=confirm_by()
    )
    for data in (agreed, confirmed(a, b, 45), confirmed(a, b, 60)):
        await publisher.publish(data)
    # Ben (no preferences) gets all three at once; Anouk none yet.
    await eventually(lambda: len(mailbox.to("ben@example.org")) == 3)
    inbox = await client.query(
        "notifications", "list_inbox", {"person_id": str(a)}, actor=resident(a)
    )
    assert len(inbox.result["items"]) == 3  # the inbox channel is still on
    assert mailbox.to("anouk@example.org") == []
    # 06:59 in Curaçao (UTC-4): not yet; 07:00: the digest, once.
    day = datetime.now(UTC).date() + timedelta(days=1)
    early = datetime(day.year, day.month, day.day, 10, 59, tzinfo=UTC)
    assert await jobs.digests_once(notifications.pool, early) == 0
    assert await jobs.digests_once(notifications.pool, early + timedelta(minutes=1)) == 2
    assert await jobs.digests_once(notifications.pool, early + timedelta(hours=5)) == 0
    await eventually(lambda: len(mailbox.to("anouk@example.org")) == 1)
    [digest] = mailbox.to("anouk@example.org")
    assert digest.subject == "2 berichten van vandaag"
    assert digest.text.count("== Uren bevestigd ==") == 2
    assert "45 minuten" in digest.text and "1 uur op uw saldo" in digest.text


async def test_coordinators_hear_of_applications_and_the_applicant_of_approval(
    notifications, publisher, mailbox, client, database
):
    await client.command(
        "notifications",
        "set_contact",
        {"person_id": COORDINATOR.id, "name": "Kim", "email": "kim@example.org"},
    )
    member = new_id()
    await publisher.publish(
        MemberRegistered(
            member_id=member,
            community=COMMUNITY,
            kind="resident",
            neighbourhood=HOOD,
            languages=["en"],
            skills=[],
            registered_by="self",
            needs_vog=True,
        )
    )
    await eventually(lambda: len(mailbox.to("kim@example.org")) == 1)
    assert "een VOG nodig" in mailbox.to("kim@example.org")[0].text
    await publisher.publish(
        MemberApproved(member_id=member, community=COMMUNITY, coordinator_id=COORDINATOR.id)
    )

    async def welcomed():
        reply = await client.query(
            "notifications", "list_inbox", {"person_id": str(member)}, actor=resident(member)
        )
        return reply.result["items"]

    [welcome] = await eventually(welcomed)
    # A v1 member event carries no address: the inbox only, in the language they speak.
    assert welcome["subject"] == "Welcome to the time bank"
