"""Volunteer hours from the real time bank: exchanges on a listing for an initiative become
the initiative's minutes and volunteers, whether members agree them or a coordinator records
them."""

from __future__ import annotations

import asyncpg
import pytest

from services.timebank.service import TimebankSettings
from services.timebank.service import build as build_timebank
from tests.conftest import eventually
from tests.support.initiatives import BUURTHUIS, form
from tests.support.timebank import Bank, in_days, resident


@pytest.fixture
async def bank(servers, settings, namespace, nc, initiatives):
    """The time bank with a database of its own, on the same NATS namespace."""
    own = f"{namespace}_timebank"
    admin = await asyncpg.connect(servers.admin_db_url)
    await admin.execute(f'CREATE DATABASE "{own}"')
    service = build_timebank(
        TimebankSettings(
            **{**settings.model_dump(), "database_url": servers.db_url(own)},
            sweep_interval_s=3600,
        )
    )
    await service.start()
    bank = Bank(service, nc)
    await bank.community()
    yield bank
    await service.stop()
    await admin.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
    await admin.close()


async def test_hours_on_an_initiatives_listing_count_for_the_initiative(desk, fund, bank):
    app = await desk.submitted(form(fund), BUURTHUIS, name="Buurthuis De Brikke Oven")
    buurthuis = await bank.member("Buurthuis De Brikke Oven", kind="organisation")
    anouk, mohamed = await bank.member("Anouk"), await bank.member("Mohamed")
    listing = await bank.ok(
        "publish_listing",
        {
            "member_id": str(buurthuis),
            "kind": "request",
            "title": "Wie helpt de moestuin aanleggen?",
            "description": "Zaterdag spitten en planten.",
            "category": "tuin",
            "neighbourhood": "BU09350101",
            "initiative_id": str(app),
            "expires_at": in_days(30),
        },
        resident(buurthuis),
    )
    # Anouk answers the listing; the buurthuis accepts and confirms her 2 hours.
    proposed = await bank.ok(
        "propose_exchange",
        {
            "proposer_id": str(anouk),
            "listing_id": listing["listing_id"],
            "amount": 120,
            "description": "Spitten",
        },
        resident(anouk),
    )
    exchange = {"exchange_id": proposed["exchange_id"]}
    await bank.ok("accept_exchange", exchange, resident(buurthuis))
    await bank.ok("confirm_exchange", exchange, resident(buurthuis))
    # Mohamed is not online: the coordinator records his 90 minutes on the same listing.
    await bank.ok(
        "record_exchange",
        {
            "community": "wijk-west",
            "provider_id": str(mohamed),
            "receiver_id": str(buurthuis),
            "amount": 90,
            "description": "Planten",
            "listing_id": listing["listing_id"],
            "confirm_now": True,
        },
    )

    async def hours():
        view = await desk.application(app, BUURTHUIS)
        return view["hours"] == {"minutes": 210, "volunteers": 2}

    await eventually(hours)
