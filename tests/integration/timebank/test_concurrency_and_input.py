"""Limits under concurrency, and malformed input."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support.timebank import COORDINATOR, new_id, resident


async def test_hundreds_of_concurrent_exchanges_on_one_account_never_pass_its_debt_limit(
    bank, timebank
):
    spender = await bank.member("Veel vragen")
    helpers = [await bank.member(f"Helper {i}") for i in range(8)]
    proposals = []
    for i in range(300):
        proposed = await bank.ok(
            "propose_exchange",
            {
                "proposer_id": str(spender),
                "other_member_id": str(helpers[i % 8]),
                "proposer_role": "receiver",
                "amount": 7,
                "description": f"klus {i}",
            },
            resident(spender),
        )
        proposals.append((proposed["exchange_id"], helpers[i % 8]))
    replies = await asyncio.gather(
        *(
            bank.cmd("accept_exchange", {"exchange_id": exchange_id}, resident(helper))
            for exchange_id, helper in proposals
        )
    )
    accepted = [r for r in replies if r.ok]
    refused = [r for r in replies if not r.ok]
    assert {r.code for r in refused} == {"over_debt_limit"}
    # 600 minutes of debt allowed, 7 per exchange: exactly 85 fit.
    assert len(accepted) == 600 // 7
    balance = await bank.balance(spender)
    assert balance["pending_out"] == 7 * len(accepted) and balance["available"] == 600 % 7
    # And confirming them all concurrently keeps the account within its limit too.
    confirms = await asyncio.gather(
        *(
            bank.cmd(
                "confirm_exchange", {"exchange_id": r.result["exchange_id"]}, resident(spender)
            )
            for r in accepted
        )
    )
    assert all(r.ok for r in confirms)
    assert (await bank.balance(spender))["balance"] == -7 * len(accepted)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"community": "wijk-west", "name": "X", "neighbourhood": "Centrum"}, "data.neighbourhood"),
        (
            {
                "community": "wijk-west",
                "name": "X",
                "neighbourhood": "BU09350101",
                "email": "geen-adres",
            },
            "data.email",
        ),
        ({"community": "wijk-west", "name": "", "neighbourhood": "BU09350101"}, "data.name"),
        ({"community": "Wijk West!", "name": "X", "neighbourhood": "BU09350101"}, "data.community"),
        (
            {
                "community": "wijk-west",
                "name": "X",
                "neighbourhood": "BU09350101",
                "languages": ["de"],
            },
            "data.languages.0",
        ),
    ],
)
async def test_a_malformed_registration_gets_an_error_naming_the_field(bank, data, field):
    reply = await bank.cmd("register_member", data)
    assert reply.code == "invalid_message"
    assert field in [e["field"] for e in reply.error["details"]["errors"]]


@pytest.mark.parametrize("amount", [0, -60, 1.5, "60", None, 2**63])
async def test_amounts_must_be_positive_whole_minutes(bank, amount):
    a, b = await bank.member("A"), await bank.member("B")
    reply = await bank.cmd(
        "propose_exchange",
        {
            "proposer_id": str(a),
            "other_member_id": str(b),
            "proposer_role": "receiver",
            "amount": amount,
            "description": "x",
        },
        resident(a),
    )
    assert reply.code == "invalid_message"
    assert "data.amount" in reply.error["message"]["en"]


async def test_garbage_on_every_command_subject_gets_an_error_reply_and_the_service_goes_on(
    bank, timebank, nc
):
    from contracts.timebank import TIMEBANK

    for kind, name in TIMEBANK.operations:
        subject = (
            timebank.naming.command("timebank", name)
            if kind == "command"
            else timebank.naming.query("timebank", name)
        )
        for payload in (b"", b"\xff\xfe", b"{}", b'{"data": []}', json.dumps({"x": 1}).encode()):
            msg = await nc.request(subject, payload, timeout=5)
            reply = json.loads(msg.data)
            assert reply["ok"] is False and reply["error"]["code"] == "invalid_message", (
                name,
                payload,
            )
    # Still serving.
    assert (
        await bank.ok(
            "register_member",
            {"community": "wijk-west", "name": "Na de storm", "neighbourhood": "BU09350101"},
        )
    )["member_id"]


async def test_a_command_without_a_reply_subject_does_no_harm(bank, timebank, nc):
    await nc.publish(timebank.naming.command("timebank", "register_member"), b"{}")
    await nc.flush()
    await asyncio.sleep(0.1)
    assert (await bank.query("ping", {}, COORDINATOR)) == {}


async def test_no_limit_or_amount_a_command_accepts_can_break_a_later_query(bank):
    """Issue 10's faults, as a class: every limit a command accepts fits the ledger, every
    credit past the ledger's largest total is refused with a stable code, and every balance
    stays answerable."""
    a, b = await bank.member("A"), await bank.member("B")
    for too_big in (2**63, 2**63 - 1, 2**61 + 1):
        reply = await bank.cmd("set_member_limits", {"member_id": str(a), "debt_limit": too_big})
        assert reply.code == "invalid_message", reply.error
        assert "data.debt_limit" in reply.error["message"]["en"]
    await bank.ok(
        "set_member_limits", {"member_id": str(a), "debt_limit": 2**61, "max_balance": 2**61}
    )
    assert (await bank.balance(a))["available"] == 2**61
    await bank.community(pot_debt_limit=2**61)
    award = {"community": "wijk-west", "member_id": str(b), "reason": "x"}
    await bank.ok("award", {**award, "transfer_id": str(new_id()), "amount": 2**61})
    for amount in (1, 2**62):
        reply = await bank.cmd("award", {**award, "transfer_id": str(new_id()), "amount": amount})
        assert reply.code == "total_too_large", reply.error
    reply = await bank.cmd(
        "record_exchange",
        {
            "community": "wijk-west",
            "provider_id": str(a),
            "receiver_id": str(b),
            "amount": 2**62,
            "description": "x",
        },
    )
    assert reply.code == "total_too_large", reply.error
    assert (await bank.balance(b))["balance"] == 2**61
    assert (await bank.balance(a))["available"] == 2**61
