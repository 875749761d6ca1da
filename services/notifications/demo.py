"""Demo data for `make run`: the demo coordinator's address and language, so the local mail
server shows what a coordinator is sent. Fixed command ids: loading twice changes nothing."""

from __future__ import annotations

import asyncio
import uuid

import nats

from contracts import Actor, Naming
from kit.client import ServiceClient
from kit.settings import ServiceSettings

NAMESPACE = uuid.UUID("3f1d7a0c-2b9e-4c55-8e61-7d0a9c4b2e18")
COORDINATOR = Actor(role="coordinator", id="makelaar-demo", scopes=("maastricht-west",))


async def load(client: ServiceClient) -> str:
    reply = await client.command(
        "notifications",
        "set_contact",
        {
            "person_id": COORDINATOR.id,
            "name": "Makelaar Maastricht-West",
            "email": "makelaar@maastricht-west.voorelkaar.localhost",
            "language": "nl",
        },
        command_id=uuid.uuid5(NAMESPACE, "set_contact/makelaar-demo"),
        actor=COORDINATOR,
    )
    if not reply.ok:
        raise RuntimeError(f"set_contact refused: {reply.error['code']}")
    return f"contact of {COORDINATOR.id} (coordinator of maastricht-west)"


async def main() -> None:
    settings = ServiceSettings()
    nc = await nats.connect(settings.nats_url)
    try:
        print(await load(ServiceClient(nc, Naming(settings.namespace), COORDINATOR)))
    finally:
        await nc.close()


if __name__ == "__main__":
    asyncio.run(main())
