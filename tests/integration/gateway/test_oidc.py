"""Signing in through a municipality's OpenID Connect provider (a tiny one run by the test
on localhost: discovery, JWKS, code flow with PKCE, RS256 ID tokens)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.oidc_provider import running_provider
from tests.support.portal import portal_stack


@pytest.fixture(scope="module")
async def oidc_portal(servers, tmp_path_factory):
    async with running_provider() as provider:
        async with portal_stack(
            servers,
            tmp_path_factory.mktemp("oidc"),
            oidc_issuer=provider.issuer,
            oidc_client_id="voorelkaar",
            oidc_client_secret="geheim",
            oidc_label="Gemeente Test",
        ) as stack:
            yield stack, provider


async def test_oidc_sign_in_creates_links_and_reuses_an_account(oidc_portal):
    portal, provider = oidc_portal
    client = httpx.AsyncClient(base_url=portal.url, timeout=30, follow_redirects=True)
    login = await client.get("/login")
    assert "Inloggen via Gemeente Test" in login.text
    first = await client.get("/oidc/login?next=/board")
    # A new person: an account without a password, asked to apply to the time bank.
    assert first.status_code == 200 and str(first.url).endswith("/join")
    account = await portal.repo.account_by_email("burger@example.org")
    assert account is not None and account.password_hash is None and account.role == "resident"
    await client.aclose()

    # The same identity again: the same account, straight to where they were going.
    again = httpx.AsyncClient(base_url=portal.url, timeout=30, follow_redirects=True)
    await portal.repo.link_member(account.id, await portal.member("Bea Burger"), "wijk-west")
    second = await again.get("/oidc/login?next=/statement")
    assert str(second.url).endswith("/statement") and second.status_code == 200
    await again.aclose()

    # An existing account with the provider's verified e-mail address is linked, not doubled.
    provider.user = {
        "sub": "burger-2",
        "email": portal.people["coordinator"].email,
        "email_verified": True,
        "name": "Carla",
    }
    third = httpx.AsyncClient(base_url=portal.url, timeout=30, follow_redirects=True)
    landed = await third.get("/oidc/login?next=/desk")
    assert str(landed.url).endswith("/desk")
    assert await portal.repo.account_by_identity(provider.issuer, "burger-2") is not None
    await third.aclose()


async def test_a_callback_with_a_forged_state_signs_nobody_in(oidc_portal):
    portal, _provider = oidc_portal
    client = httpx.AsyncClient(base_url=portal.url, timeout=30)
    forged = await client.get("/oidc/callback?code=abc&state=forged")
    assert forged.status_code == 400
    assert "vk_session" not in client.cookies
    await client.aclose()
