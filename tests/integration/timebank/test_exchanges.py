"""Exchanges, two-phase: agree (reserve), confirm (post), cancel (void), dispute, auto-confirm."""

from __future__ import annotations

import asyncio
import json
from uuid import UUID

from services.timebank.service import sweep_once
from tests.integration.test_kit_events import stream_messages
from tests.support.timebank import COORDINATOR, NEIGHBOURHOOD, in_days, resident


async def test_answering_an_offer_makes_the_answerer_the_receiver(bank):
    helper, asker = await bank.member("Helper"), await bank.member("Vrager")
    listing = await bank.ok(
        "publish_listing",
        {
            "member_id": str(helper),
            "kind": "offer",
            "title": "Boodschappen doen",
            "description": "Ik doe uw boodschappen.",
            "category": "boodschappen",
            "neighbourhood": NEIGHBOURHOOD,
            "expires_at": in_days(10),
            "initiative_id": "01a20000-0000-7000-8000-000000000001",
        },
        resident(helper),
    )
    await bank.refused(
        "propose_exchange",
        {"proposer_id": str(helper), **listing, "amount": 60, "description": "x"},
        resident(helper),
        "own_listing",
    )
    proposed = await bank.ok(
        "propose_exchange",
        {"proposer_id": str(asker), **listing, "amount": 90, "description": "Dinsdag"},
        resident(asker),
    )
    assert proposed["state"] == "proposed"
    # The proposer cannot accept their own proposal.
    await bank.refused(
        "accept_exchange",
        {"exchange_id": proposed["exchange_id"]},
        resident(asker),
        "not_your_account",
    )
    agreed = await bank.ok(
        "accept_exchange", {"exchange_id": proposed["exchange_id"]}, resident(helper)
    )
    assert agreed["state"] == "agreed" and agreed["pending_transfer_id"]
    view = await bank.query("get_exchange", {"exchange_id": proposed["exchange_id"]})
    assert (view["provider_id"], view["receiver_id"]) == (str(helper), str(asker))
    assert view["initiative_id"] == "01a20000-0000-7000-8000-000000000001"
    # Reserved, not yet moved.
    assert (await bank.balance(asker))["pending_out"] == 90
    assert (await bank.balance(asker))["balance"] == 0
    assert (await bank.balance(helper))["pending_in"] == 90


async def test_the_receiver_confirms_and_the_minutes_move(bank, timebank, nc):
    provider, receiver = await bank.member("P"), await bank.member("R")
    agreed = await bank.agreed(provider, receiver, 120)
    await bank.refused(
        "confirm_exchange",
        {"exchange_id": agreed["exchange_id"]},
        resident(provider),
        "not_your_account",
    )
    confirmed = await bank.ok(
        "confirm_exchange", {"exchange_id": agreed["exchange_id"], "amount": 90}, resident(receiver)
    )
    assert confirmed["state"] == "confirmed"
    assert (await bank.balance(receiver))["balance"] == -90
    assert (await bank.balance(receiver))["pending_out"] == 0
    assert (await bank.balance(provider))["balance"] == 90
    await bank.refused(
        "confirm_exchange",
        {"exchange_id": agreed["exchange_id"]},
        resident(receiver),
        "exchange_already_confirmed",
    )
    await bank.refused(
        "cancel_exchange",
        {"exchange_id": agreed["exchange_id"]},
        resident(receiver),
        "exchange_already_confirmed",
    )

    # The events tell other services everything, without asking back.
    async def posted():
        msgs = await stream_messages(
            nc.jetstream(),
            timebank.naming.stream("timebank"),
            timebank.naming.event_subject("timebank.transfer.posted"),
        )
        return [json.loads(m.data) for m in msgs]

    from tests.conftest import eventually

    events = await eventually(posted)
    assert len(events) == 1
    data = events[0]["data"]
    assert data["amount"] == 90 and data["kind"] == "exchange"
    assert data["debit_member_id"] == str(receiver) and data["credit_member_id"] == str(provider)
    assert data["exchange_id"] == agreed["exchange_id"] and data["category"] == "tuin"
    assert data["neighbourhood"] == NEIGHBOURHOOD
    assert events[0]["actor"] == {"role": "resident", "id": str(receiver)}


async def test_hours_are_never_posted_above_what_was_agreed(bank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    agreed = await bank.agreed(provider, receiver, 60)
    error = await bank.refused(
        "confirm_exchange",
        {"exchange_id": agreed["exchange_id"], "amount": 61},
        resident(receiver),
        "more_than_agreed",
    )
    assert error["details"] == {"agreed": 60}
    await bank.refused(
        "record_hours",
        {"exchange_id": agreed["exchange_id"], "amount": 61},
        resident(provider),
        "more_than_agreed",
    )


async def test_the_provider_records_hours_and_the_receiver_confirms_them(bank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    agreed = await bank.agreed(provider, receiver, 120)
    await bank.refused(
        "record_hours",
        {"exchange_id": agreed["exchange_id"], "amount": 75},
        resident(receiver),
        "not_your_account",
    )
    await bank.ok(
        "record_hours", {"exchange_id": agreed["exchange_id"], "amount": 75}, resident(provider)
    )
    await bank.ok("confirm_exchange", {"exchange_id": agreed["exchange_id"]}, resident(receiver))
    assert (await bank.balance(provider))["balance"] == 75


async def test_a_coordinator_records_and_confirms_for_members_who_are_not_online(bank, timebank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    await bank.refused(
        "record_exchange",
        {
            "community": "wijk-west",
            "provider_id": str(provider),
            "receiver_id": str(receiver),
            "amount": 60,
            "description": "x",
        },
        resident(provider),
        "coordinator_only",
    )
    result = await bank.ok(
        "record_exchange",
        {
            "community": "wijk-west",
            "provider_id": str(provider),
            "receiver_id": str(receiver),
            "amount": 60,
            "description": "Ramen lappen",
            "category": "klussen",
            "confirm_now": True,
        },
    )
    assert result["state"] == "confirmed"
    row = await timebank.pool.fetchrow(
        "SELECT recorded_by_coordinator, confirmed_by FROM exchanges WHERE id = $1",
        UUID(result["exchange_id"]),
    )
    assert row["recorded_by_coordinator"] == COORDINATOR.id and row["confirmed_by"] == "coordinator"
    assert (await bank.balance(provider))["balance"] == 60


async def test_either_side_cancels_before_confirmation_and_the_reservation_is_voided(bank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    stranger = await bank.member("S")
    agreed = await bank.agreed(provider, receiver, 60)
    await bank.refused(
        "cancel_exchange",
        {"exchange_id": agreed["exchange_id"]},
        resident(stranger),
        "not_your_account",
    )
    cancelled = await bank.ok(
        "cancel_exchange",
        {"exchange_id": agreed["exchange_id"], "reason": "ziek"},
        resident(provider),
    )
    assert cancelled["state"] == "cancelled"
    assert (await bank.balance(receiver))["pending_out"] == 0
    assert (await bank.balance(receiver))["available"] == 600
    await bank.refused(
        "confirm_exchange",
        {"exchange_id": agreed["exchange_id"]},
        resident(receiver),
        "exchange_not_open",
    )


async def test_an_exchange_left_unconfirmed_is_confirmed_automatically_unless_disputed(
    bank, timebank
):
    provider, receiver = await bank.member("P"), await bank.member("R")
    quiet = await bank.agreed(provider, receiver, 45)
    disputed = await bank.agreed(provider, receiver, 30)
    await bank.ok(
        "dispute_exchange",
        {"exchange_id": disputed["exchange_id"], "reason": "Niet gekomen"},
        resident(receiver),
    )
    await timebank.pool.execute("UPDATE exchanges SET confirm_by = now() - interval '1 second'")
    confirmed, _ = await sweep_once(timebank)
    assert confirmed == 1
    assert (await bank.query("get_exchange", {"exchange_id": quiet["exchange_id"]}))[
        "state"
    ] == "confirmed"
    assert (await bank.query("get_exchange", {"exchange_id": disputed["exchange_id"]}))[
        "state"
    ] == "disputed"
    assert (await bank.balance(provider))["balance"] == 45
    assert (
        await timebank.pool.fetchval(
            "SELECT confirmed_by FROM exchanges WHERE id = $1", UUID(quiet["exchange_id"])
        )
        == "auto"
    )


async def test_a_coordinator_resolves_disputes_by_confirming_voiding_or_dismissing(bank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    one = await bank.agreed(provider, receiver, 60)
    two = await bank.agreed(provider, receiver, 60)
    three = await bank.agreed(provider, receiver, 60)
    for ex in (one, two, three):
        await bank.ok(
            "dispute_exchange",
            {"exchange_id": ex["exchange_id"], "reason": "Onenigheid"},
            resident(provider),
        )
    await bank.refused(
        "resolve_dispute",
        {"exchange_id": one["exchange_id"], "outcome": "confirm", "note": "x"},
        resident(provider),
        "coordinator_only",
    )
    await bank.refused(
        "resolve_dispute",
        {"exchange_id": one["exchange_id"], "outcome": "reverse", "note": "x"},
        COORDINATOR,
        "not_reversible",
    )
    await bank.ok(
        "resolve_dispute",
        {
            "exchange_id": one["exchange_id"],
            "outcome": "confirm",
            "amount": 40,
            "note": "Gesproken met beiden",
        },
    )
    await bank.ok(
        "resolve_dispute",
        {"exchange_id": two["exchange_id"], "outcome": "void", "note": "Niet doorgegaan"},
    )
    back = await bank.ok(
        "resolve_dispute",
        {"exchange_id": three["exchange_id"], "outcome": "dismiss", "note": "Gaat door"},
    )
    assert back["state"] == "agreed"
    await bank.refused(
        "resolve_dispute",
        {"exchange_id": one["exchange_id"], "outcome": "void", "note": "x"},
        COORDINATOR,
        "not_disputed",
    )
    assert (await bank.balance(provider))["balance"] == 40
    assert (await bank.balance(receiver))["pending_out"] == 60  # only the dismissed one is held


async def test_a_dispute_after_posting_is_corrected_by_a_reversing_transfer(bank, timebank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    confirmed = await bank.confirmed(provider, receiver, 60)
    await bank.ok(
        "dispute_exchange",
        {"exchange_id": confirmed["exchange_id"], "reason": "Te veel"},
        resident(receiver),
    )
    await bank.refused(
        "resolve_dispute",
        {"exchange_id": confirmed["exchange_id"], "outcome": "confirm", "note": "x"},
        COORDINATOR,
        "not_reversible",
    )
    await bank.ok(
        "resolve_dispute",
        {
            "exchange_id": confirmed["exchange_id"],
            "outcome": "reverse",
            "amount": 20,
            "note": "Twintig minuten te veel",
        },
    )
    assert (await bank.balance(provider))["balance"] == 40
    assert (await bank.balance(receiver))["balance"] == -40
    # The original transfer is untouched: the correction is a transfer of its own.
    kinds = await timebank.pool.fetch(
        "SELECT kind, amount FROM ledger_transfers WHERE phase = 'posted' ORDER BY seq"
    )
    assert [(k["kind"], k["amount"]) for k in kinds] == [("exchange", 60), ("reversal", 20)]


async def test_over_the_debt_limit_or_above_the_maximum_balance_is_refused(bank):
    rich, poor = await bank.member("Rijk"), await bank.member("Arm")
    await bank.ok("set_member_limits", {"member_id": str(rich), "max_balance": 100})
    first = await bank.agreed(rich, poor, 100)
    await bank.ok("confirm_exchange", {"exchange_id": first["exchange_id"]}, resident(poor))
    proposed = await bank.ok(
        "propose_exchange",
        {
            "proposer_id": str(poor),
            "other_member_id": str(rich),
            "proposer_role": "receiver",
            "amount": 1,
            "description": "nog een",
        },
        resident(poor),
    )
    await bank.refused(
        "accept_exchange",
        {"exchange_id": proposed["exchange_id"]},
        resident(rich),
        "above_max_balance",
    )
    other = await bank.member("Ander")
    # Default debt limit 600 minutes (10 hours); 100 already spent.
    proposed = await bank.ok(
        "propose_exchange",
        {
            "proposer_id": str(poor),
            "other_member_id": str(other),
            "proposer_role": "receiver",
            "amount": 501,
            "description": "te veel",
        },
        resident(poor),
    )
    error = await bank.refused(
        "accept_exchange",
        {"exchange_id": proposed["exchange_id"]},
        resident(other),
        "over_debt_limit",
    )
    assert error["details"]["available"] == 500
    assert "500" in error["message"]["en"]
    # A limit cannot be set below what is already in use.
    await bank.refused(
        "set_member_limits",
        {"member_id": str(poor), "debt_limit": 50},
        COORDINATOR,
        "over_debt_limit",
    )


async def test_two_coordinators_confirming_the_same_exchange_post_it_once(bank, timebank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    for _ in range(5):
        agreed = await bank.agreed(provider, receiver, 10)
        replies = await asyncio.gather(
            *(
                bank.cmd(
                    "confirm_exchange",
                    {"exchange_id": agreed["exchange_id"]},
                    COORDINATOR.model_copy(update={"id": f"makelaar-{i}"}),
                )
                for i in range(2)
            )
        )
        assert sorted(r.ok for r in replies) == [False, True]
        assert [r.code for r in replies if not r.ok] == ["exchange_already_confirmed"]
    assert (await bank.balance(provider))["balance"] == 50
    assert (
        await timebank.pool.fetchval("SELECT count(*) FROM ledger_transfers WHERE phase = 'posted'")
        == 5
    )


async def test_exchanges_in_a_local_token_follow_that_units_limits(bank, timebank):
    await bank.community("steerkes", tokens=True)
    shop = await bank.member("Bakker", community="steerkes", kind="organisation")
    buyer = await bank.member("Klant", community="steerkes")
    # Token accounts cannot go below zero (debt limit 0): a first purchase is refused.
    proposed = await bank.ok(
        "propose_exchange",
        {
            "proposer_id": str(buyer),
            "other_member_id": str(shop),
            "proposer_role": "receiver",
            "unit": "steerk",
            "amount": 3,
            "description": "Brood",
        },
        resident(buyer),
    )
    await bank.refused(
        "accept_exchange",
        {"exchange_id": proposed["exchange_id"]},
        resident(shop),
        "over_debt_limit",
    )
    await bank.refused(
        "propose_exchange",
        {
            "proposer_id": str(buyer),
            "other_member_id": str(shop),
            "proposer_role": "receiver",
            "unit": "euro",
            "amount": 3,
            "description": "x",
        },
        resident(buyer),
        "unknown_unit",
    )
    assert (await bank.balance(buyer, "steerk"))["debt_limit"] == 0
