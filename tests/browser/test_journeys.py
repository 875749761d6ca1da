"""The time bank in a real browser, as people use it (Dutch, phone width), with axe-core
(WCAG 2.1 AA) on every page on the way: signing up and approval; two residents trading hours;
a coordinator recording an exchange for members who are not online; a dispute resolved; the
statement and its CSV showing all of it."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import expect

from tests.support.portal import PASSWORD


async def visit(page, axe_log, url: str):
    await page.goto(url)
    await axe_log.check(page)


async def test_a_resident_signs_up_and_a_coordinator_approves(portal, person_page, axe_log):
    page = await person_page(None)
    await visit(page, axe_log, portal.url + "/")
    await page.get_by_role("link", name="Word lid van de tijdbank").click()
    await axe_log.check(page)
    email = f"sanne-{uuid.uuid4().hex[:6]}@example.org"
    await page.get_by_label("Naam").fill("Sanne Hermans")
    await page.get_by_label("E-mailadres").fill(email)
    await page.locator("#f-password").fill("kort")
    await page.locator("#f-password_again").fill("kort")
    await page.get_by_role("button", name="Aanmelden").click()
    # The error stands beside its field, in Dutch, and the form keeps what was typed.
    await expect(page.locator("#f-password-error")).to_contain_text("minstens 10 tekens")
    await expect(page.get_by_label("Naam")).to_have_value("Sanne Hermans")
    await axe_log.check(page)
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password_again").fill(PASSWORD)
    await page.get_by_label("Buurt").select_option("BU09350102")
    await page.get_by_label("Tuin").check()
    await page.get_by_role("button", name="Aanmelden").click()
    await expect(page.get_by_role("heading", name="Bedankt voor uw aanmelding")).to_be_visible()
    await axe_log.check(page)

    desk = await person_page("coordinator")
    await expect(desk).to_have_url(re.compile("/desk$"))
    await axe_log.check(desk)
    application = desk.get_by_role("listitem").filter(has_text="Sanne Hermans")
    for _ in range(50):  # the desk's list follows the time bank's events
        if await application.count():
            break
        await desk.wait_for_timeout(200)
        await desk.reload()
    await application.get_by_role("link", name="Sanne Hermans").click()
    await axe_log.check(desk)
    await desk.get_by_role("button", name="Goedkeuren").first.click()
    await expect(desk.locator("#member-state")).to_have_text("Actief")
    await axe_log.check(desk)


async def open_exchange_from_list(page, portal, axe_log, text: str):
    await visit(page, axe_log, portal.url + "/exchanges")
    link = page.get_by_role("link", name=text)
    for _ in range(50):
        if await link.count():
            break
        await page.wait_for_timeout(200)
        await page.reload()
    await link.first.click()
    await axe_log.check(page)


async def test_two_residents_trade_hours_and_a_dispute_is_resolved(portal, person_page, axe_log):
    title = f"Fietsen repareren {uuid.uuid4().hex[:4]}"
    anouk = await person_page("resident")
    await visit(anouk, axe_log, portal.url + "/board")
    await anouk.get_by_role("link", name="Vraag of aanbod plaatsen").click()
    await axe_log.check(anouk)
    await anouk.get_by_label("Soort").select_option("offer")
    await anouk.get_by_label("Titel").fill(title)
    await anouk.get_by_label("Beschrijving").fill("Lekke band of remmen: ik kijk ernaar.")
    await anouk.get_by_label("Categorie").select_option("fietsen")
    await anouk.get_by_label("Buurt").select_option("BU09350101")
    await anouk.get_by_label("Open tot en met").fill(
        (date.today() + timedelta(days=30)).isoformat()
    )
    await anouk.get_by_role("button", name="Plaatsen").click()
    await axe_log.check(anouk)

    mohamed = await person_page("resident2")
    await visit(mohamed, axe_log, portal.url + "/board")
    await mohamed.get_by_label("Zoeken", exact=True).fill(title)
    await mohamed.get_by_role("button", name="Zoeken").click()
    card = mohamed.get_by_role("listitem").filter(has_text=title)
    await expect(card).to_have_count(1)
    await axe_log.check(mohamed)
    await card.get_by_text("Reageren").click()
    await card.get_by_label("Uren").fill("1,5")
    await card.get_by_label("Wat stelt u voor?").fill("Achterband plakken")
    await card.get_by_role("button", name="Een uitwisseling voorstellen").click()
    await expect(mohamed.locator("#state")).to_have_text("Voorgesteld")
    await axe_log.check(mohamed)

    await open_exchange_from_list(anouk, portal, axe_log, "Achterband plakken")
    await anouk.get_by_role("button", name="Deze uitwisseling accepteren").click()
    await expect(anouk.locator("#state")).to_have_text("Afgesproken, wacht op bevestiging")
    await anouk.get_by_label("Gegeven uren").fill("1:15")
    await anouk.get_by_role("button", name="Uren boeken").click()
    await axe_log.check(anouk)

    await mohamed.reload()
    # More than agreed: refused, and said beside the field.
    await mohamed.get_by_label("Ontvangen uren").fill("3")
    await mohamed.get_by_role("button", name="De uitwisseling bevestigen").click()
    await expect(mohamed.locator("#f-confirm-amount-error")).to_contain_text("afgesproken")
    await axe_log.check(mohamed)
    await mohamed.get_by_label("Ontvangen uren").fill("1")  # fewer than agreed
    await mohamed.get_by_role("button", name="De uitwisseling bevestigen").click()
    await expect(mohamed.locator("#state")).to_have_text("Bevestigd")

    # Mohamed thinks it was less; a coordinator reverses half an hour.
    await mohamed.get_by_label("Wat ging er mis?").fill("Het was maar een half uur.")
    await mohamed.get_by_role("button", name="Vraag een makelaar ernaar te kijken").click()
    await expect(mohamed.locator("#state")).to_have_text("Betwist")
    desk = await person_page("coordinator", viewport={"width": 1280, "height": 900})
    dispute = desk.get_by_role("region", name=re.compile("Open geschillen"))
    for _ in range(50):
        if await dispute.get_by_role("link", name="Achterband plakken").count():
            break
        await desk.wait_for_timeout(200)
        await desk.reload()
    await dispute.get_by_role("link", name="Achterband plakken").click()
    await axe_log.check(desk)
    await desk.get_by_label("Besluit").select_option("reverse")
    await desk.get_by_label("Uren (niet verplicht)").fill("0:30")
    await desk.get_by_label("Toelichting voor het dossier").fill("Samen gebeld: een half uur.")
    await desk.get_by_role("button", name="Oplossen").click()
    await expect(desk.locator("#state")).to_have_text("Opgelost")
    await axe_log.check(desk)

    # The statement shows it with a running balance, and so does the CSV.
    await visit(mohamed, axe_log, portal.url + "/statement")
    rows = mohamed.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("-1:00")
    await expect(rows.nth(1)).to_contain_text("Correctie")
    await expect(rows.nth(1).locator("td").nth(4)).to_have_text("-0:30")
    async with mohamed.expect_download() as download_info:
        await mohamed.get_by_role("link", name="Downloaden als CSV (spreadsheet)").click()
    download = await download_info.value
    text = Path(await download.path()).read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    assert lines[0].startswith("entry,at_utc,kind")
    assert [line.split(",")[2] for line in lines[1:]] == ["exchange", "reversal"]
    assert lines[-1].split(",")[6] == "-30"  # balance after the reversal, in minutes


async def test_a_coordinator_records_an_exchange_for_members_not_online(
    portal, person_page, axe_log
):
    desk = await person_page("coordinator", viewport={"width": 1280, "height": 900})
    await visit(desk, axe_log, portal.url + "/desk/record")
    provider = portal.people["organisation"].name
    receiver = portal.people["resident"].name
    for _ in range(50):  # the member list follows the time bank's events
        if await desk.get_by_label("Wie gaf hulp").locator("option", has_text=provider).count():
            break
        await desk.wait_for_timeout(200)
        await desk.reload()
    await desk.get_by_label("Wie gaf hulp").select_option(label=provider)
    await desk.get_by_label("Wie kreeg hulp").select_option(label=receiver)
    await desk.get_by_label("Uren").fill("2")
    await desk.get_by_label("Wat er gedaan is").fill("Taalcafé begeleiden")
    await desk.get_by_label("Het is al gebeurd: meteen bevestigen").uncheck()
    await desk.get_by_role("button", name="Vastleggen").click()
    await expect(desk.locator("#state")).to_have_text("Afgesproken, wacht op bevestiging")
    await axe_log.check(desk)
    await desk.get_by_role("button", name="De uitwisseling bevestigen").click()
    await expect(desk.locator("#state")).to_have_text("Bevestigd")
    rows = await portal.repo.pool.fetch(
        "SELECT operation, outcome FROM audit WHERE account_id = $1 ORDER BY id",
        portal.people["coordinator"].account_id,
    )
    assert [tuple(r) for r in rows][-2:] == [
        ("record_exchange", "ok"),
        ("confirm_exchange", "ok"),
    ]
    # The statistics count it as recorded by a coordinator.
    await visit(desk, axe_log, portal.url + "/desk/stats")
    await expect(desk.locator("#chart-share")).to_be_visible()
    await expect(desk.locator("#chart-months desc")).to_contain_text(":")


async def test_every_page_passes_axe_and_speaks_both_languages(portal, person_page, axe_log):
    pages = {
        None: ["/", "/login", "/signup", "/reset", "/board", "/nergens"],
        "resident": ["/board", "/listings/new", "/exchanges", "/statement"],
        "coordinator": [
            "/desk",
            "/desk/members",
            "/desk/members/new",
            f"/desk/members/{portal.people['resident'].member_id}",
            "/desk/record",
            "/desk/pot",
            "/desk/stats",
        ],
    }
    for key, paths in pages.items():
        page = await person_page(key)
        for path in paths:
            await visit(page, axe_log, portal.url + path)
            assert await page.locator("html").get_attribute("lang") == "nl"
        # In English every page says so (and its texts come from the same templates).
        await page.goto(portal.url + "/lang/en?next=/")
        for path in paths:
            await page.goto(portal.url + path)
            assert await page.locator("html").get_attribute("lang") == "en"
            assert "Naar de inhoud" not in await page.content()
        await page.goto(portal.url + "/lang/nl?next=/")


async def test_axe_reports_a_page_made_to_fail(browser, axe_log):
    # The check above can fail: an image without text and an unlabelled field are found.
    context = await browser.new_context()
    page = await context.new_page()
    await page.set_content('<html lang="nl"><body><main><img src="x.png"><input></main></body>')
    try:
        await axe_log.check(page)
    except AssertionError as exc:
        assert "image-alt" in str(exc) and "label" in str(exc)
    else:
        raise AssertionError("axe found nothing on a page with two violations")
    finally:
        await context.close()
