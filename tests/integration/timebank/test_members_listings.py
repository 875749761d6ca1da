"""Members and vraag & aanbod, through the real service."""

from __future__ import annotations

from tests.support.timebank import COORDINATOR, NEIGHBOURHOOD, in_days, new_id, resident


async def test_a_resident_applies_and_a_coordinator_approves_suspends_and_reinstates(bank):
    applied = await bank.ok(
        "register_member",
        {"community": "wijk-west", "name": "Fatima", "neighbourhood": NEIGHBOURHOOD},
        actor=resident(new_id()),
    )
    member = applied["member_id"]
    view = await bank.query("get_member", {"member_id": member})
    assert view["state"] == "applied" and view["languages"] == ["nl"]
    await bank.refused(
        "approve_member", {"member_id": member}, resident(member), "coordinator_only"
    )
    await bank.ok("approve_member", {"member_id": member})
    await bank.refused("approve_member", {"member_id": member}, COORDINATOR, "invalid_member_state")
    await bank.ok("suspend_member", {"member_id": member, "reason": "op verzoek"})
    assert (await bank.query("get_member", {"member_id": member}))["state"] == "suspended"
    await bank.ok("approve_member", {"member_id": member})
    assert (await bank.query("get_member", {"member_id": member}))["state"] == "active"


async def test_a_suspended_member_cannot_trade(bank):
    a, b = await bank.member("A"), await bank.member("B")
    await bank.ok("suspend_member", {"member_id": str(a), "reason": "klacht"})
    error = await bank.refused(
        "propose_exchange",
        {
            "proposer_id": str(b),
            "other_member_id": str(a),
            "proposer_role": "receiver",
            "amount": 60,
            "description": "x",
        },
        resident(b),
        "member_not_active",
    )
    assert error["details"]["state"] == "suspended"


async def test_a_vog_is_recorded_with_its_date_by_a_coordinator(bank):
    member = await bank.member("Vrijwilliger")
    await bank.refused(
        "record_vog",
        {"member_id": str(member), "seen_on": "2026-10-01"},
        resident(member),
        "coordinator_only",
    )
    await bank.ok("record_vog", {"member_id": str(member), "seen_on": "2026-10-01"})
    assert (await bank.query("get_member", {"member_id": str(member)}))[
        "vog_seen_on"
    ] == "2026-10-01"


async def test_leaving_needs_no_open_exchanges(bank):
    a, b = await bank.member("A"), await bank.member("B")
    agreed = await bank.agreed(a, b, 30)
    await bank.refused("leave", {"member_id": str(a)}, resident(a), "pending_transfers")
    await bank.refused("leave", {"member_id": str(a)}, resident(b), "not_your_account")
    await bank.ok("cancel_exchange", {"exchange_id": agreed["exchange_id"]}, resident(a))
    await bank.ok("leave", {"member_id": str(a)}, resident(a))
    await bank.refused("leave", {"member_id": str(a)}, resident(a), "invalid_member_state")


async def test_registering_in_an_unknown_community_is_refused(bank):
    await bank.refused(
        "register_member",
        {"community": "nergens", "name": "X", "neighbourhood": NEIGHBOURHOOD},
        COORDINATOR,
        "unknown_community",
    )


async def test_listings_are_published_searched_closed_and_expire(bank, timebank):
    a = await bank.member("A")
    listing = await bank.ok(
        "publish_listing",
        {
            "member_id": str(a),
            "kind": "offer",
            "title": "Fietsen repareren",
            "description": "Ik repareer uw fiets: banden, remmen en verlichting.",
            "category": "fietsen",
            "neighbourhood": NEIGHBOURHOOD,
            "expires_at": in_days(30),
        },
        resident(a),
    )
    await bank.ok(
        "publish_listing",
        {
            "member_id": str(a),
            "kind": "request",
            "title": "Hulp bij de computer",
            "description": "Wie helpt mij met e-mail?",
            "category": "computer",
            "neighbourhood": "BU09350102",
            "expires_at": in_days(30),
        },
        resident(a),
    )
    found = await bank.query("search_listings", {"community": "wijk-west", "text": "fiets"})
    assert [x["listing_id"] for x in found["listings"]] == [listing["listing_id"]]
    assert (
        await bank.query("search_listings", {"community": "wijk-west", "category": "computer"})
    )["total"] == 1
    assert (
        await bank.query(
            "search_listings", {"community": "wijk-west", "neighbourhood": "BU09350102"}
        )
    )["total"] == 1
    assert (await bank.query("search_listings", {"community": "wijk-west", "kind": "offer"}))[
        "total"
    ] == 1

    other = await bank.member("B")
    await bank.refused("close_listing", listing, resident(other), "not_your_account")
    await bank.ok("close_listing", listing, resident(a))
    await bank.refused("close_listing", listing, resident(a), "listing_closed")
    assert (await bank.query("search_listings", {"community": "wijk-west", "text": "fiets"}))[
        "total"
    ] == 0

    # An expired listing is closed by the sweep and can no longer be answered.
    short = await bank.ok(
        "publish_listing",
        {
            "member_id": str(a),
            "kind": "offer",
            "title": "Koken",
            "description": "Soep",
            "category": "koken",
            "neighbourhood": NEIGHBOURHOOD,
            "expires_at": in_days(1),
        },
        resident(a),
    )
    await timebank.pool.execute(
        "UPDATE listings SET expires_at = now() - interval '1 minute' WHERE id = $1",
        __import__("uuid").UUID(short["listing_id"]),
    )
    await bank.refused(
        "propose_exchange",
        {
            "proposer_id": str(other),
            "listing_id": short["listing_id"],
            "amount": 60,
            "description": "graag",
        },
        resident(other),
        "listing_closed",
    )
    from services.timebank.service import sweep_once

    assert (await sweep_once(timebank))[1] == 1
    state = await timebank.pool.fetchval(
        "SELECT state FROM listings WHERE id = $1", __import__("uuid").UUID(short["listing_id"])
    )
    assert state == "expired"


async def test_a_listing_needs_an_expiry_in_the_future_and_an_active_member(bank):
    a = await bank.member("A")
    base = {
        "member_id": str(a),
        "kind": "offer",
        "title": "t",
        "description": "d",
        "category": "koken",
        "neighbourhood": NEIGHBOURHOOD,
    }
    await bank.refused(
        "publish_listing", {**base, "expires_at": in_days(-1)}, resident(a), "invalid_expiry"
    )
    await bank.refused(
        "publish_listing", {**base, "expires_at": in_days(400)}, resident(a), "invalid_expiry"
    )
    pending = await bank.member("Nieuw", approve=False)
    await bank.refused(
        "publish_listing",
        {**base, "member_id": str(pending), "expires_at": in_days(5)},
        resident(pending),
        "member_not_active",
    )
    await bank.refused(
        "publish_listing", {**base, "expires_at": in_days(5)}, resident(pending), "not_your_account"
    )
