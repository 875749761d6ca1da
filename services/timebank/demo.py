"""Demo data for `make run`: a neighbourhood time bank with members, vraag en aanbod, and a few
exchanges in every state. Every command has a fixed id, so loading twice changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import nats

from contracts import Actor, Naming
from kit.client import ServiceClient
from kit.settings import ServiceSettings

NAMESPACE = uuid.UUID("6f9c3c52-5a36-4c8e-9d2e-2f0c1d9a7e11")
COORDINATOR = Actor(role="coordinator", id="makelaar-demo")
COMMUNITY = "maastricht-west"

MEMBERS = [
    ("Anouk Janssen", "BU09350101", ["tuin", "koken"]),
    ("Mohamed El Amrani", "BU09350101", ["klussen", "fietsen"]),
    ("Ria Vliegen", "BU09350102", ["gezelschap", "boodschappen"]),
    ("Jeroen Smeets", "BU09350102", ["computer"]),
    ("Buurthuis De Brikke Oven", "BU09350103", ["activiteiten"]),
    ("Sanne Hermans", "BU09350103", ["oppas", "taal"]),
]


def command_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


async def load(client: ServiceClient) -> str:
    async def ok(verb: str, data: dict, *key: object, actor: Actor = COORDINATOR) -> dict:
        reply = await client.command(
            "timebank", verb, data, command_id=command_id(verb, *key), actor=actor
        )
        if not reply.ok:
            raise RuntimeError(f"{verb} refused: {reply.error['code']}")
        return reply.result

    await ok(
        "configure_community",
        {
            "community": COMMUNITY,
            "name": "Tijdbank Maastricht-West",
            "auto_confirm_days": 14,
            "units": [
                {"unit": "hour", "debt_limit": 600, "community_debt_limit": 0},
                {
                    "unit": "steerk",
                    "debt_limit": 0,
                    "max_balance": 500,
                    "community_debt_limit": 1000,
                },
            ],
        },
        COMMUNITY,
    )
    ids = []
    for name, neighbourhood, skills in MEMBERS:
        kind = "organisation" if name.startswith("Buurthuis") else "resident"
        member = await ok(
            "register_member",
            {
                "community": COMMUNITY,
                "name": name,
                "neighbourhood": neighbourhood,
                "kind": kind,
                "skills": skills,
                "languages": ["nl"],
            },
            name,
        )
        await ok("approve_member", {"member_id": member["member_id"]}, name)
        ids.append(member["member_id"])

    def person(i: int) -> Actor:
        return Actor(role="resident", id=ids[i])

    soon = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    offer = await ok(
        "publish_listing",
        {
            "member_id": ids[1],
            "kind": "offer",
            "title": "Fietsen repareren",
            "description": "Lekke band, remmen of verlichting: ik kijk er graag naar.",
            "category": "fietsen",
            "neighbourhood": "BU09350101",
            "expires_at": soon,
        },
        "offer-1",
        actor=person(1),
    )
    await ok(
        "publish_listing",
        {
            "member_id": ids[2],
            "kind": "request",
            "title": "Wie gaat mee naar de markt?",
            "description": "Elke vrijdagochtend, even samen boodschappen doen.",
            "category": "boodschappen",
            "neighbourhood": "BU09350102",
            "expires_at": soon,
        },
        "req-1",
        actor=person(2),
    )
    answered = await ok(
        "propose_exchange",
        {
            "proposer_id": ids[0],
            "listing_id": offer["listing_id"],
            "amount": 60,
            "description": "Achterband plakken",
        },
        "ex-1",
        actor=person(0),
    )
    await ok("accept_exchange", {"exchange_id": answered["exchange_id"]}, "ex-1", actor=person(1))
    await ok("confirm_exchange", {"exchange_id": answered["exchange_id"]}, "ex-1", actor=person(0))
    pending = await ok(
        "record_exchange",
        {
            "community": COMMUNITY,
            "provider_id": ids[3],
            "receiver_id": ids[2],
            "amount": 90,
            "description": "Hulp met de tablet",
            "category": "computer",
        },
        "ex-2",
    )
    await ok(
        "record_exchange",
        {
            "community": COMMUNITY,
            "provider_id": ids[5],
            "receiver_id": ids[4],
            "amount": 120,
            "description": "Taalcafé begeleiden",
            "category": "taal",
            "confirm_now": True,
        },
        "ex-3",
    )
    await ok(
        "donate",
        {
            "transfer_id": str(command_id("donation")),
            "member_id": ids[4],
            "amount": 60,
            "note": "Voor het buurtfeest",
        },
        "donation",
    )
    await ok(
        "award",
        {
            "transfer_id": str(command_id("award")),
            "community": COMMUNITY,
            "member_id": ids[0],
            "amount": 30,
            "reason": "Hielp bij het buurtfeest",
        },
        "award",
    )
    return (
        f"community {COMMUNITY}: {len(ids)} members, 2 listings, 3 exchanges "
        f"(one waiting for confirmation: {pending['exchange_id']})"
    )


async def main() -> None:
    settings = ServiceSettings()
    nc = await nats.connect(settings.nats_url)
    try:
        print(await load(ServiceClient(nc, Naming(settings.namespace), COORDINATOR)))
    finally:
        await nc.close()


if __name__ == "__main__":
    asyncio.run(main())
