"""The portal's API and pages on the real stack: what a client sends wrong, who may act as
whom, what is recorded when a coordinator acts for a member, and what happens when the time
bank does not answer."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import date, timedelta

import httpx
import pytest

from contracts import new_id
from tests.support.portal import COMMUNITY, PASSWORD
from tests.support.web import post_form, signed_in


async def test_bad_input_gets_422_naming_each_field(portal):
    client = await portal.api("resident")
    me = str(portal.people["resident"].member_id)
    reply = await client.post(
        "/api/timebank/publish_listing",
        json={"member_id": me, "kind": "gift", "title": "", "expires_at": "morgen"},
    )
    assert reply.status_code == 422
    fields = {f["field"] for f in reply.json()["error"]["fields"]}
    assert {"kind", "title", "expires_at", "description", "category"} <= fields
    assert reply.json()["error"]["message"]["nl"].startswith("Ongeldige invoer")
    not_json = await client.post(
        "/api/timebank/balance", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    await client.aclose()


async def test_a_residents_session_cannot_act_as_a_coordinator(portal):
    applicant = (
        await portal.bank.command(
            "timebank",
            "register_member",
            {"community": COMMUNITY, "name": "Nieuw Lid", "neighbourhood": "BU09350101"},
        )
    ).result["member_id"]
    client = await portal.api("resident")
    # The actor comes from the session: a body cannot name one.
    forged = await client.post(
        "/api/timebank/approve_member",
        json={"member_id": applicant, "actor": {"role": "coordinator", "id": "x"}},
    )
    assert forged.status_code == 422
    assert "actor" in {f["field"] for f in forged.json()["error"]["fields"]}
    refused = await client.post("/api/timebank/approve_member", json={"member_id": applicant})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] in ("forbidden", "coordinator_only")
    coordinator = await portal.api("coordinator")
    view = await coordinator.post("/api/timebank/get_member", json={"member_id": applicant})
    assert view.json()["state"] == "applied"  # nothing changed
    await client.aclose()
    await coordinator.aclose()


async def test_a_command_sent_twice_with_one_idempotency_key_has_one_effect(portal):
    coordinator = await portal.api("coordinator")
    member = str(portal.people["resident"].member_id)
    key = str(new_id())
    body = {
        "transfer_id": str(new_id()),
        "community": COMMUNITY,
        "member_id": member,
        "amount": 15,
        "reason": "Hielp bij het buurtfeest",
    }
    before = await coordinator.post("/api/timebank/balance", json={"member_id": member})
    first = await coordinator.post(
        "/api/timebank/award", json=body, headers={"Idempotency-Key": key}
    )
    again = await coordinator.post(
        "/api/timebank/award", json=body, headers={"Idempotency-Key": key}
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    after = await coordinator.post("/api/timebank/balance", json={"member_id": member})
    hours = next(b for b in after.json()["balances"] if b["unit"] == "hour")["balance"]
    was = next(b for b in before.json()["balances"] if b["unit"] == "hour")["balance"]
    assert hours == was + 15
    bad_key = await coordinator.post(
        "/api/timebank/award", json=body, headers={"Idempotency-Key": "nope"}
    )
    assert bad_key.status_code == 422
    await coordinator.aclose()


async def test_a_cookie_session_must_send_json(portal):
    client = await signed_in(portal.url, portal.people["resident"].email, PASSWORD)
    me = str(portal.people["resident"].member_id)
    # What another site's <form> could send along with the cookie:
    forged = await client.post(
        "/api/timebank/balance",
        content=json.dumps({"member_id": me}),
        headers={"content-type": "text/plain"},
    )
    assert forged.status_code == 415
    ok = await client.post("/api/timebank/balance", json={"member_id": me})
    assert ok.status_code == 200
    await client.aclose()


async def test_a_form_without_its_csrf_token_is_refused(portal):
    client = await signed_in(portal.url, portal.people["resident"].email, PASSWORD)
    reply = await client.post("/listings/new", data={"title": "Zonder token"})
    assert reply.status_code == 403
    assert "opnieuw" in reply.text.lower()
    other = await client.post("/listings/new", data={"csrf": "0" * 64, "title": "Vals"})
    assert other.status_code == 403
    await client.aclose()


async def test_a_coordinator_acting_for_a_member_is_recorded_as_such(portal):
    coordinator = portal.people["coordinator"]
    member = portal.people["resident2"].member_id
    client = await signed_in(portal.url, coordinator.email, PASSWORD)
    acting = await post_form(client, f"/desk/members/{member}", f"/desk/act-for/{member}", {})
    assert acting.status_code == 303
    page = await client.get("/board")
    assert "namens een lid" in page.text  # the banner says whom the pages are for
    listing = {
        "kind": "offer",
        "title": "Boodschappen doen",
        "description": "Op dinsdag naar de markt.",
        "category": "boodschappen",
        "neighbourhood": "BU09350101",
    }
    posted = await post_form(
        client, "/listings/new", "/listings/new", {**listing, "expires_on": "2099-01-01"}
    )
    # Too far ahead: the time bank says so, beside the field, in Dutch.
    assert posted.status_code == 409
    assert "vervaldatum" in posted.text.lower()
    soon = (date.today() + timedelta(days=30)).isoformat()
    posted = await post_form(
        client, "/listings/new", "/listings/new", {**listing, "expires_on": soon}
    )
    assert posted.status_code == 303, posted.text[:1000]
    rows = await portal.repo.pool.fetch(
        "SELECT role, on_behalf_of, operation, outcome FROM audit WHERE account_id = $1 "
        "ORDER BY id",
        coordinator.account_id,
    )
    assert [tuple(r) for r in rows][-1] == (
        "coordinator",
        str(member),
        "publish_listing",
        "ok",
    )
    # ... and in the event the time bank published: the envelope's actor says so too.
    js = portal.nc.jetstream()
    subject = f"{portal.settings.namespace}.timebank.listing.published"
    with contextlib.suppress(Exception):
        await js.delete_consumer(f"{portal.settings.namespace.upper()}_TIMEBANK", "probe")
    sub = await js.pull_subscribe(subject, durable=None)
    found = []
    for msg in await sub.fetch(50, timeout=5):
        found.append(json.loads(msg.data))
    actor = [e for e in found if e["data"]["title"] == "Boodschappen doen"][-1]["actor"]
    assert actor["role"] == "coordinator" and actor["on_behalf_of"] == str(member)
    await post_form(client, "/board", "/desk/act-for", {})
    await client.aclose()


async def test_sign_in_is_rate_limited_per_address(portal):
    person = await portal.person("limited", "resident", "Vaak Fout", member=False)
    client = httpx.AsyncClient(base_url=portal.url, timeout=30)
    for _ in range(portal.settings.login_max_failures):
        wrong = await client.post(
            "/api/session", json={"email": person.email, "password": "niet goed genoeg"}
        )
        assert wrong.status_code == 401
    blocked = await client.post("/api/session", json={"email": person.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    page = await post_form(
        client, "/login", "/login", {"email": person.email, "password": PASSWORD}
    )
    assert page.status_code == 429 and "kwartier" in page.text
    await client.aclose()
    # Every test here signs in from 127.0.0.1: leave the address's count as it was.
    await portal.repo.pool.execute("DELETE FROM login_failures")


async def test_password_reset_by_mail_sets_a_new_password_once(portal):
    person = await portal.person("forgetful", "resident", "Vergeet Veel", member=False)
    client = httpx.AsyncClient(base_url=portal.url, timeout=30)
    sent = await post_form(client, "/reset", "/reset", {"email": person.email})
    assert sent.status_code == 200
    unknown = await post_form(client, "/reset", "/reset", {"email": "niemand@example.org"})
    assert unknown.text.count("link") == sent.text.count("link")  # no telling who has one
    from services.gateway.mail import LocalMailbox

    mails = [m for m in LocalMailbox(portal.mailbox).messages() if m["To"] == person.email]
    assert len(mails) == 1
    body = mails[0].get_content()
    link = next(w for w in body.split() if "/reset/" in w)
    path = link[len(portal.url) :]
    form = await client.get(path)
    assert form.status_code == 200
    new = "een heel nieuw wachtwoord"
    done = await post_form(client, path, path, {"password": new, "password_again": new})
    assert done.status_code == 303
    again = await post_form(client, "/reset", path, {"password": new, "password_again": new})
    assert again.status_code == 410  # a link works once
    old = await client.post("/api/session", json={"email": person.email, "password": PASSWORD})
    assert old.status_code == 401
    fresh = await client.post("/api/session", json={"email": person.email, "password": new})
    assert fresh.status_code == 200
    await client.aclose()


async def test_sign_up_then_a_coordinator_approves(portal):
    client = httpx.AsyncClient(base_url=portal.url, timeout=30)
    email = f"nieuw-{uuid.uuid4().hex[:6]}@example.org"
    short = await post_form(
        client,
        "/signup",
        "/signup",
        {"name": "Nina", "email": email, "password": "kort", "neighbourhood": "BU09350101"},
    )
    assert short.status_code == 422 and "minstens 10 tekens" in short.text.lower()
    joined = await post_form(
        client,
        "/signup",
        "/signup",
        {
            "name": "Nina de Vries",
            "email": email,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "neighbourhood": "BU09350101",
            "skills[]": ["tuin"],
        },
    )
    assert joined.status_code == 303
    account = await portal.repo.account_by_email(email)
    assert account.member_id is not None and account.role == "resident"
    coordinator = await portal.api("coordinator")
    approved = await coordinator.post(
        "/api/timebank/approve_member", json={"member_id": str(account.member_id)}
    )
    assert approved.status_code == 200
    await client.aclose()
    await coordinator.aclose()


@pytest.fixture
async def silent_portal(servers, tmp_path):
    """A portal whose time bank never answers (none runs in its namespace)."""
    from tests.support.portal import portal_stack

    # The stack's own set-up talks to the time bank: build one, then point a second
    # gateway at an empty namespace with the same accounts database.
    async with portal_stack(servers, tmp_path, request_timeout_s=0.5) as stack:
        await stack.timebank.stop()
        yield stack


async def test_a_time_bank_that_does_not_answer_gives_503_and_a_page_never_500(silent_portal):
    person = silent_portal.people["resident"]
    client = httpx.AsyncClient(base_url=silent_portal.url, timeout=30)
    token = (
        await client.post("/api/session", json={"email": person.email, "password": PASSWORD})
    ).json()["token"]
    api = await client.post(
        "/api/timebank/balance",
        json={"member_id": str(person.member_id)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 503
    assert int(api.headers["Retry-After"]) > 0
    assert api.json()["error"]["code"] == "unavailable"
    page_client = await signed_in(silent_portal.url, person.email, PASSWORD)
    for path in ("/board", "/statement"):
        page = await page_client.get(path)
        assert page.status_code == 503, path
        assert "antwoordt op dit moment niet" in page.text
    await client.aclose()
    await page_client.aclose()


async def test_the_asyncapi_page_stands_beside_openapi_and_publishes_nothing(portal):
    client = httpx.AsyncClient(base_url=portal.url, timeout=30)
    page = await client.get("/asyncapi")
    assert page.status_code == 200 and "asyncapi" in page.text.lower()
    document = (await client.get("/asyncapi.json")).json()
    channels = " ".join(document["channels"])
    assert "timebank" in channels and "confirm_exchange" in channels
    openapi = (await client.get("/api/openapi.json")).json()
    assert "/api/timebank/confirm_exchange" in openapi["paths"]
    # FastStream's own AsyncAPI page adds a "try it out" POST that publishes whatever it is
    # given to the broker: not mounted here (anyone could send a command as anyone).
    tried = await client.post("/asyncapi/try", json={"channel": "x", "message": {}})
    assert tried.status_code in (404, 405)
    await client.aclose()
