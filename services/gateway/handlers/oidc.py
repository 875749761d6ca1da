"""Signing in with the municipality's identity provider (OpenID Connect, authlib).

Configured by `oidc_issuer`, `oidc_client_id` and `oidc_client_secret`: the provider's
metadata is read from its discovery document; the flow is the authorization code flow with
PKCE (S256), a state and a nonce, and the ID token's signature, issuer, audience, expiry and
nonce are checked by authlib (OpenID Connect Core 1.0, 3.1.3.7). The state travels in a short
signed cookie of ours, not in a server-side session.

Who it signs in: the account already linked to this identity (issuer + subject); else the
account with the same e-mail address, if the provider says it is verified (then linked);
else a new resident account without a password, who then applies to join (`/join`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.exceptions import HTTPException

from ..web import redirect, render, set_cookie
from .auth import safe_next, start_session

router = APIRouter(include_in_schema=False)
STATE_COOKIE = "vk_oidc"


def oauth_for(settings) -> OAuth | None:
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return None
    oauth = OAuth()
    oauth.register(
        "municipality",
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    return oauth


def _sign(key: bytes, data: bytes) -> str:
    return hmac.new(key, b"oidc:" + data, hashlib.sha256).hexdigest()


def _load_state(request: Request) -> dict:
    raw = request.cookies.get(STATE_COOKIE, "")
    body, _, mac = raw.rpartition(".")
    try:
        data = base64.urlsafe_b64decode(body.encode())
    except ValueError:
        return {}
    if not body or not hmac.compare_digest(_sign(request.app.state.csrf_key, data), mac):
        return {}
    return json.loads(data)


def _store_state(request: Request, response, state: dict) -> None:
    data = json.dumps(state).encode()
    value = base64.urlsafe_b64encode(data).decode() + "." + _sign(request.app.state.csrf_key, data)
    set_cookie(response, request.app.state.settings, STATE_COOKIE, value, max_age=600)


def _client(request: Request):
    oauth = request.app.state.oauth
    if oauth is None:
        raise HTTPException(404)
    return oauth.municipality


@router.get("/oidc/login")
async def oidc_login(request: Request, next: str = "/"):
    client = _client(request)
    request.scope["session"] = {}
    callback = request.app.state.settings.base_url() + "/oidc/callback"
    response = await client.authorize_redirect(request, callback)
    request.scope["session"]["next"] = safe_next(next)
    _store_state(request, response, request.scope["session"])
    return response


@router.get("/oidc/callback")
async def oidc_callback(request: Request):
    client = _client(request)
    request.scope["session"] = _load_state(request)
    target = request.scope["session"].get("next", "/")
    try:
        token = await client.authorize_access_token(request)
    except OAuthError:
        return render(request, "error.html", {"kind": "oidc"}, status_code=400)
    claims = token.get("userinfo") or {}
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not issuer or not subject:
        return render(request, "error.html", {"kind": "oidc"}, status_code=400)
    repo = request.app.state.repo
    account = await repo.account_by_identity(issuer, subject)
    if account is None:
        email = (claims.get("email") or "").strip().lower()
        if email and claims.get("email_verified") is True:
            account = await repo.account_by_email(email)
        if account is None:
            if not email:
                email = f"{subject}@{issuer.split('//')[-1].split('/')[0]}".lower()
            account = await repo.create_account(
                email, claims.get("name") or email, "resident", None
            )
        await repo.link_identity(issuer, subject, account.id)
    response = redirect(target if account.member_id or account.role != "resident" else "/join")
    response.delete_cookie(STATE_COOKIE, path="/")
    await start_session(request, response, account.id)
    return response
