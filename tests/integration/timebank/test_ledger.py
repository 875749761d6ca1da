"""The hour ledger: pot donations and awards, reversals, client-chosen ids, statements, exports,
statistics, and the operator's check-ledger."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys

from contracts import new_id
from tests.conftest import REPO
from tests.support.timebank import COORDINATOR, resident


async def test_donations_fill_the_pot_and_coordinators_award_from_it_with_a_reason(bank, timebank):
    giver, helper = await bank.member("Gever"), await bank.member("Helper")
    await bank.refused(
        "award",
        {
            "transfer_id": str(new_id()),
            "community": "wijk-west",
            "member_id": str(helper),
            "amount": 30,
            "reason": "Buurtfeest",
        },
        COORDINATOR,
        "over_debt_limit",
    )  # the pot is empty and may not go below 0
    await bank.ok(
        "donate",
        {
            "transfer_id": str(new_id()),
            "member_id": str(giver),
            "amount": 120,
            "note": "Voor de buurt",
        },
        resident(giver),
    )
    await bank.refused(
        "award",
        {
            "transfer_id": str(new_id()),
            "community": "wijk-west",
            "member_id": str(helper),
            "amount": 30,
            "reason": "x",
        },
        resident(giver),
        "coordinator_only",
    )
    await bank.ok(
        "award",
        {
            "transfer_id": str(new_id()),
            "community": "wijk-west",
            "member_id": str(helper),
            "amount": 30,
            "reason": "Hielp bij buurtfeest",
        },
    )
    assert (await bank.balance(giver))["balance"] == -120
    assert (await bank.balance(helper))["balance"] == 30
    pot = await bank.query("statement", {"community": "wijk-west"})
    assert [(e["kind"], e["amount"], e["balance"]) for e in pot["entries"]] == [
        ("donation", 120, 120),
        ("award", -30, 90),
    ]
    row = await timebank.pool.fetchrow(
        "SELECT note, recorded_by FROM ledger_transfers WHERE kind = 'award'"
    )
    assert (
        row["note"] == "Hielp bij buurtfeest" and row["recorded_by"] == "coordinator:makelaar-anna"
    )


async def test_a_repeated_transfer_id_has_no_second_effect_and_a_different_one_is_refused(bank):
    giver = await bank.member("Gever")
    transfer_id = str(new_id())
    first = await bank.ok(
        "donate",
        {"transfer_id": transfer_id, "member_id": str(giver), "amount": 60},
        resident(giver),
    )
    # A new command id, the same transfer: the ledger itself refuses to post it twice.
    again = await bank.ok(
        "donate",
        {"transfer_id": transfer_id, "member_id": str(giver), "amount": 60},
        resident(giver),
    )
    assert again == first
    assert (await bank.balance(giver))["balance"] == -60
    await bank.refused(
        "donate",
        {"transfer_id": transfer_id, "member_id": str(giver), "amount": 61},
        resident(giver),
        "transfer_id_conflict",
    )


async def test_a_coordinator_reverses_part_then_the_rest_and_no_more(bank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    confirmed = await bank.confirmed(provider, receiver, 90)
    posted = confirmed["transfer_id"]
    await bank.refused(
        "reverse_transfer",
        {"transfer_id": str(new_id()), "reverses_transfer_id": posted, "amount": 30, "reason": "x"},
        resident(receiver),
        "coordinator_only",
    )
    await bank.ok(
        "reverse_transfer",
        {
            "transfer_id": str(new_id()),
            "reverses_transfer_id": posted,
            "amount": 30,
            "reason": "Half uur te veel",
        },
    )
    error = await bank.refused(
        "reverse_transfer",
        {"transfer_id": str(new_id()), "reverses_transfer_id": posted, "amount": 61, "reason": "x"},
        COORDINATOR,
        "not_reversible",
    )
    assert error["details"] == {"left": 60}
    rest = await bank.ok(
        "reverse_transfer",
        {"transfer_id": str(new_id()), "reverses_transfer_id": posted, "reason": "Niet doorgegaan"},
    )
    assert rest["amount"] == 60
    await bank.refused(
        "reverse_transfer",
        {"transfer_id": str(new_id()), "reverses_transfer_id": posted, "reason": "x"},
        COORDINATOR,
        "not_reversible",
    )
    await bank.refused(
        "reverse_transfer",
        {
            "transfer_id": str(new_id()),
            "reverses_transfer_id": confirmed["pending_transfer_id"],
            "reason": "x",
        },
        COORDINATOR,
        "not_reversible",
    )
    assert (await bank.balance(provider))["balance"] == 0 and (await bank.balance(receiver))[
        "balance"
    ] == 0


async def test_transfers_are_immutable_even_to_the_database_owner(bank, timebank):
    provider, receiver = await bank.member("P"), await bank.member("R")
    await bank.confirmed(provider, receiver, 60)
    import asyncpg
    import pytest

    with pytest.raises(asyncpg.RaiseError, match="immutable"):
        await timebank.pool.execute("UPDATE ledger_transfers SET amount = 1")
    with pytest.raises(asyncpg.RaiseError, match="immutable"):
        await timebank.pool.execute("DELETE FROM ledger_transfers")


async def test_the_statement_shows_a_running_balance_page_by_page(bank):
    a, b = await bank.member("A"), await bank.member("B")
    amounts = [30, 45, 60, 15, 90]
    for i, amount in enumerate(amounts):
        if i % 2:
            await bank.confirmed(a, b, amount)  # a gave help: +
        else:
            await bank.confirmed(b, a, amount)  # a received help: -
    seen, after = [], None
    while True:
        page = await bank.query(
            "statement",
            {"member_id": str(a), "limit": 2, **({"after": after} if after else {})},
            resident(a),
        )
        seen += page["entries"]
        after = page["next_after"]
        if after is None:
            break
    assert [e["amount"] for e in seen] == [-30, 45, -60, 15, -90]
    assert [e["balance"] for e in seen] == [-30, 15, -45, -30, -120]
    assert all(e["counterparty_member_id"] == str(b) for e in seen)
    assert (await bank.balance(a))["balance"] == -120
    reply = await bank.client.query(
        "timebank", "statement", {"member_id": str(a)}, actor=resident(b)
    )
    assert reply.code == "not_your_account"


async def test_csv_exports_per_member_and_per_community(bank):
    a, b = await bank.member("A"), await bank.member("B")
    await bank.confirmed(a, b, 75)
    await bank.ok(
        "donate",
        {
            "transfer_id": str(new_id()),
            "member_id": str(a),
            "amount": 15,
            "note": '=HYPERLINK("http://x","klik")',
        },
        resident(a),
    )
    mine = await bank.query("export_csv", {"member_id": str(a)}, resident(a))
    rows = list(csv.DictReader(io.StringIO(mine["csv"])))
    assert [(r["kind"], r["amount"], r["hours"], r["balance"]) for r in rows] == [
        ("exchange", "75", "1:15", "75"),
        ("donation", "-15", "-0:15", "60"),
    ]
    assert rows[1]["note"] == '\'=HYPERLINK("http://x","klik")'  # shown, never run
    assert rows[1]["counterparty_member_id"] == "community"
    reply = await bank.client.query(
        "timebank", "export_csv", {"community": "wijk-west"}, actor=resident(a)
    )
    assert reply.code == "coordinator_only"
    everything = await bank.query("export_csv", {"community": "wijk-west"})
    rows = list(csv.DictReader(io.StringIO(everything["csv"])))
    assert [(r["kind"], r["from_member_id"], r["to_member_id"]) for r in rows] == [
        ("exchange", str(b), str(a)),
        ("donation", str(a), "community"),
    ]


async def test_community_statistics_for_funders(bank):
    a, b = await bank.member("A"), await bank.member("B", neighbourhood="BU09350102")
    c = await bank.member("C")
    await bank.confirmed(a, b, 60)
    await bank.confirmed(b, a, 30)
    await bank.ok(
        "record_exchange",
        {
            "community": "wijk-west",
            "provider_id": str(c),
            "receiver_id": str(a),
            "amount": 90,
            "description": "Klus",
            "category": "klussen",
            "confirm_now": True,
        },
    )
    await bank.member("Aanvrager", approve=False)
    stats = await bank.query("community_stats", {"community": "wijk-west"})
    assert stats["total_amount"] == 180 and stats["exchanges_confirmed"] == 3
    assert stats["active_members"] == 3
    assert stats["members_by_state"] == {"active": 3, "applied": 1}
    assert {f["key"]: f["amount"] for f in stats["by_category"]} == {"tuin": 90, "klussen": 90}
    assert {f["key"]: f["amount"] for f in stats["by_neighbourhood"]} == {
        "BU09350101": 150,
        "BU09350102": 30,
    }
    assert stats["recorded_by_coordinator_amount"] == 90
    assert stats["recorded_by_coordinator_basis_points"] == 5000
    assert len(stats["by_month"]) == 1 and stats["by_month"][0]["amount"] == 180


async def test_check_ledger_passes_on_a_live_ledger_and_names_what_is_wrong(
    bank, timebank, settings
):
    a, b = await bank.member("A"), await bank.member("B")
    await bank.confirmed(a, b, 60)
    await bank.agreed(a, b, 30)
    cmd = [
        sys.executable,
        "-m",
        "services.cli",
        "check-ledger",
        "--database-url",
        settings.database_url,
    ]
    ok = await asyncio.to_thread(subprocess.run, cmd, cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "every invariant holds" in ok.stdout
    account = await timebank.pool.fetchval(
        "SELECT id FROM ledger_accounts WHERE owner = $1 AND unit = 'hour'", a
    )
    # Tamper with a running total behind the ledger's back.
    await timebank.pool.execute(
        "UPDATE ledger_accounts SET credits_posted = credits_posted + 5 WHERE id = $1", account
    )
    bad = await asyncio.to_thread(subprocess.run, cmd, cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"account {account}" in bad.stdout and "differ from the journal" in bad.stdout
    assert "posted debits" in bad.stdout  # and the unit no longer balances
    await timebank.pool.execute(
        "UPDATE ledger_accounts SET credits_posted = credits_posted - 5 WHERE id = $1", account
    )
    assert await bank.violations() == []


async def test_check_ledger_says_clearly_when_it_cannot_reach_the_database():
    cmd = [
        sys.executable,
        "-m",
        "services.cli",
        "check-ledger",
        "--database-url",
        "postgresql://nobody@127.0.0.1:1/none",
    ]
    result = await asyncio.to_thread(subprocess.run, cmd, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2 and "cannot read the ledger" in result.stderr


async def test_member_and_exchange_ids_that_do_not_exist_are_refused_clearly(bank):
    ghost = str(new_id())
    await bank.refused("approve_member", {"member_id": ghost}, COORDINATOR, "not_a_member")
    await bank.refused("confirm_exchange", {"exchange_id": ghost}, COORDINATOR, "not_found")
    reply = await bank.client.query("timebank", "balance", {"member_id": ghost})
    assert reply.code == "not_found"
