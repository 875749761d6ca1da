"""One real browser for the whole session: Debian's chromium driven by Playwright (never
`playwright install`; the Makefile installs chromium when it is missing), and axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright

CHROMIUM = os.environ.get("VOORELKAAR_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--headless",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
async def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        await browser.close()


class Checked:
    """Runs axe-core (WCAG 2.1 AA) on every page a test opens; collects what it finds."""

    def __init__(self):
        self.axe = Axe()
        self.pages: dict[str, int] = {}
        self.problems: list[str] = []

    async def check(self, page) -> None:
        key = page.url.split("?")[0]
        results = await self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        self.pages[key] = results.violations_count
        assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


@pytest.fixture(scope="session")
def axe_log():
    return Checked()


@pytest.fixture
async def person_page(browser, portal, axe_log):
    """`await person_page(key)`: a fresh browser context signed in as `portal.people[key]`,
    at phone width; every page it loads is checked by axe."""
    contexts = []

    async def open_as(key: str | None, viewport=PHONE):
        context = await browser.new_context(viewport=viewport, locale="nl-NL")
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15_000)

        if key is not None:
            from tests.support.portal import PASSWORD

            await page.goto(portal.url + "/login")
            await page.get_by_label("E-mailadres").fill(portal.people[key].email)
            await page.locator("#f-password").fill(PASSWORD)
            await page.get_by_role("button", name="Inloggen").click()
            await page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        await context.close()
