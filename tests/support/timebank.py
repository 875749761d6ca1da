"""Helpers to drive the time bank through its real commands in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts import Actor, new_id
from ledger.checker import check
from services.timebank.service import LEDGER_CHECKS
from tests.support.calls import Calls

COORDINATOR = Actor(role="coordinator", id="makelaar-anna")
COMMUNITY = "wijk-west"
NEIGHBOURHOOD = "BU09350101"


def resident(member_id: UUID) -> Actor:
    return Actor(role="resident", id=str(member_id))


class Bank(Calls):
    """The time bank's commands and queries, as a coordinator unless a call names another."""

    to, actor = "timebank", COORDINATOR

    def __init__(self, service, nc):
        super().__init__(nc, service.naming)
        self.service = service

    async def community(
        self,
        code: str = COMMUNITY,
        debt_limit: int = 600,
        max_balance: int | None = None,
        tokens: bool = False,
        pot_debt_limit: int = 0,
    ) -> str:
        units = [
            {
                "unit": "hour",
                "debt_limit": debt_limit,
                "max_balance": max_balance,
                "community_debt_limit": pot_debt_limit,
            }
        ]
        if tokens:
            units.append(
                {"unit": "steerk", "debt_limit": 0, "max_balance": 500, "community_debt_limit": 0}
            )
        await self.ok(
            "configure_community",
            {"community": code, "name": "Wijk West", "units": units, "auto_confirm_days": 14},
        )
        return code

    async def member(
        self,
        name: str = "Bewoner",
        approve: bool = True,
        community: str = COMMUNITY,
        neighbourhood: str = NEIGHBOURHOOD,
        kind: str = "resident",
    ) -> UUID:
        result = await self.ok(
            "register_member",
            {
                "community": community,
                "name": name,
                "neighbourhood": neighbourhood,
                "kind": kind,
                "languages": ["nl"],
                "skills": ["klussen"],
                "email": "iemand@example.org",
            },
        )
        member_id = UUID(result["member_id"])
        if approve:
            await self.ok("approve_member", {"member_id": str(member_id)})
        return member_id

    async def agreed(
        self, provider: UUID, receiver: UUID, amount: int = 60, unit: str = "hour", **extra
    ) -> dict:
        """An exchange the receiver proposed and the provider accepted: minutes reserved."""
        proposed = await self.ok(
            "propose_exchange",
            {
                "proposer_id": str(receiver),
                "other_member_id": str(provider),
                "proposer_role": "receiver",
                "unit": unit,
                "amount": amount,
                "description": "Hulp in de tuin",
                "category": "tuin",
                **extra,
            },
            resident(receiver),
        )
        return await self.ok(
            "accept_exchange", {"exchange_id": proposed["exchange_id"]}, resident(provider)
        )

    async def confirmed(self, provider: UUID, receiver: UUID, amount: int = 60) -> dict:
        agreed = await self.agreed(provider, receiver, amount)
        return await self.ok(
            "confirm_exchange", {"exchange_id": agreed["exchange_id"]}, resident(receiver)
        )

    async def balance(self, member: UUID, unit: str = "hour") -> dict:
        result = await self.query("balance", {"member_id": str(member)})
        return next(b for b in result["balances"] if b["unit"] == unit)

    async def violations(self) -> list[str]:
        async with self.service.pool.acquire() as conn:
            return await check(conn, LEDGER_CHECKS)


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


__all__ = ["COMMUNITY", "COORDINATOR", "NEIGHBOURHOOD", "Bank", "in_days", "new_id", "resident"]
