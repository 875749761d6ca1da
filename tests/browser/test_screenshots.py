"""Screenshots of the portal's main pages at phone and desktop width, for reviewers:
`make screenshots` writes them to docs/screenshots/ (VOORELKAAR_SCREENSHOTS names the folder);
without it this test only checks that every page renders at both widths without a
horizontal scrollbar (nothing cut off on a phone, WCAG 1.4.10 reflow)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.browser.conftest import DESKTOP, PHONE

PAGES = [
    (None, "home", "/"),
    (None, "sign-in", "/login"),
    (None, "join", "/signup"),
    ("resident", "board", "/board"),
    ("resident", "new-listing", "/listings/new"),
    ("resident", "my-exchanges", "/exchanges"),
    ("resident", "statement", "/statement"),
    ("coordinator", "desk", "/desk"),
    ("coordinator", "desk-record", "/desk/record"),
    ("coordinator", "desk-pot", "/desk/pot"),
    ("coordinator", "desk-stats", "/desk/stats"),
]


async def some_activity(portal) -> None:
    """Listings and exchanges, so the pictures show a community at work."""
    people = portal.people
    listings = [
        ("resident", "offer", "Fietsen repareren", "fietsen"),
        ("resident2", "request", "Wie gaat mee naar de markt?", "boodschappen"),
        ("organisation", "offer", "Taalcafé op woensdag", "taal"),
    ]
    for key, kind, title, category in listings:
        reply = await portal.bank.command(
            "timebank",
            "publish_listing",
            {
                "member_id": str(people[key].member_id),
                "kind": kind,
                "title": title,
                "description": "Graag, neem contact op via de tijdbank.",
                "category": category,
                "neighbourhood": "BU09350101",
                "expires_at": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
            },
        )
        assert reply.ok, reply.error
    for provider, receiver, minutes, category in (
        ("resident", "resident2", 90, "fietsen"),
        ("organisation", "resident", 120, "taal"),
        ("resident2", "organisation", 45, "klussen"),
    ):
        reply = await portal.bank.command(
            "timebank",
            "record_exchange",
            {
                "community": "wijk-west",
                "provider_id": str(people[provider].member_id),
                "receiver_id": str(people[receiver].member_id),
                "amount": minutes,
                "description": "Geholpen",
                "category": category,
                "confirm_now": True,
            },
        )
        assert reply.ok, reply.error


async def test_main_pages_at_phone_and_desktop_width(portal, person_page):
    folder = os.environ.get("VOORELKAAR_SCREENSHOTS")
    out = Path(folder) if folder else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
        await some_activity(portal)
    for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        pages = {}
        for key, name, path in PAGES:
            if key not in pages:
                pages[key] = await person_page(key, viewport=viewport)
            page = pages[key]
            await page.goto(portal.url + path)
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width_name} width"
            if out:
                await page.screenshot(path=str(out / f"{name}-{width_name}.png"), full_page=True)
