"""A second user of the ledger component, in euro cents (`tests/support/fund.py`, built as the
budget service will be): its commands through NATS against a real PostgreSQL, its limits under
concurrency, and the same invariants and checker as the time bank's."""

from __future__ import annotations

import asyncio

import pytest

from contracts import Actor, new_id
from kit.client import ServiceClient
from ledger.checker import check
from tests.support.fund import build

FINANCE = Actor(role="finance", id="financien")


@pytest.fixture
async def fund(settings):
    service = build(settings)
    await service.start()
    yield service
    async with service.pool.acquire() as conn:
        assert await check(conn) == []
    await service.stop()


@pytest.fixture
def client(nc, fund):
    return ServiceClient(nc, fund.naming, FINANCE)


async def test_grants_are_committed_within_the_budget_and_paid_for_what_was_spent(fund, client):
    assert (await client.command("fund", "open_fund", {"fund": "wijkbudget", "budget": 100_000})).ok
    first = await client.command(
        "fund",
        "commit_grant",
        {"fund": "wijkbudget", "initiative_id": str(new_id()), "amount": 60_000},
    )
    assert first.ok, first.error
    too_much = await client.command(
        "fund",
        "commit_grant",
        {"fund": "wijkbudget", "initiative_id": str(new_id()), "amount": 40_001},
    )
    assert too_much.code == "over_debt_limit" and too_much.error["details"]["available"] == 40_000
    paid = await client.command(
        "fund", "pay_grant", {"grant_id": first.result["grant_id"], "amount": 55_000}
    )
    assert paid.ok, paid.error
    more = await client.command(
        "fund", "pay_grant", {"grant_id": first.result["grant_id"], "amount": 1}
    )
    assert more.code == "not_reversible"
    balance = (await client.query("fund", "fund_balance", {"fund": "wijkbudget"})).result
    # 5,000 cents of the first grant were not spent and went back to the fund.
    assert balance == {"fund": "wijkbudget", "committed": 0, "paid": 55_000, "available": 45_000}
    row = await fund.pool.fetchrow("SELECT state, amount FROM grants")
    assert (row["state"], row["amount"]) == ("paid", 60_000)


async def test_concurrent_commitments_never_pass_the_budget(fund, client):
    await client.command("fund", "open_fund", {"fund": "buurtfonds", "budget": 10_000})
    replies = await asyncio.gather(
        *(
            client.command(
                "fund",
                "commit_grant",
                {"fund": "buurtfonds", "initiative_id": str(new_id()), "amount": 700},
            )
            for _ in range(40)
        )
    )
    assert sum(r.ok for r in replies) == 10_000 // 700
    assert {r.code for r in replies if not r.ok} == {"over_debt_limit"}
    balance = (await client.query("fund", "fund_balance", {"fund": "buurtfonds"})).result
    assert balance["available"] == 10_000 % 700


async def test_only_finance_may_commit_and_a_cent_past_the_largest_total_is_refused(fund, client):
    resident = Actor(role="resident", id="iemand")
    reply = await client.command(
        "fund", "open_fund", {"fund": "x-fonds", "budget": 1}, actor=resident
    )
    assert reply.code == "forbidden"
    assert (await client.command("fund", "open_fund", {"fund": "groot", "budget": 2**61})).ok
    big = await client.command(
        "fund", "commit_grant", {"fund": "groot", "initiative_id": str(new_id()), "amount": 2**62}
    )
    assert big.code == "total_too_large"
    over = await client.command("fund", "open_fund", {"fund": "te-groot", "budget": 2**61 + 1})
    assert over.code == "invalid_message" and "data.budget" in over.error["message"]["en"]
