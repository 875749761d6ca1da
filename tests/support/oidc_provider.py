"""A tiny OpenID Connect provider for tests, on localhost: discovery, JWKS, an authorization
endpoint that signs the user in at once (as the person the test chose), and a token endpoint
that checks the code, the client's secret and the PKCE verifier and returns an RS256-signed ID
token. Enough to prove the portal's OIDC login without the internet."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import secrets
import time
from urllib.parse import urlencode

import uvicorn
from authlib.jose import JsonWebKey, jwt
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

from kit.embedded import free_port


class Provider:
    def __init__(self, client_id: str, client_secret: str):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id, self.client_secret = client_id, client_secret
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        self.kid = "test-key"
        self.codes: dict[str, dict] = {}
        self.user = {
            "sub": "burger-1",
            "email": "burger@example.org",
            "email_verified": True,
            "name": "Bea Burger",
        }
        self.app = self._app()

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery():
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }

        @app.get("/jwks")
        async def jwks():
            public = self.key.as_dict(is_private=False)
            return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        async def authorize(request: Request):
            q = request.query_params
            assert q["client_id"] == self.client_id and q["response_type"] == "code"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "nonce": q.get("nonce"),
                "challenge": q.get("code_challenge"),
                "redirect_uri": q["redirect_uri"],
                "user": dict(self.user),
            }
            target = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
            return RedirectResponse(target, status_code=302)

        @app.post("/token")
        async def token(
            request: Request,
            code: str = Form(),
            code_verifier: str = Form(""),
            redirect_uri: str = Form(""),
        ):
            auth = request.headers.get("authorization", "")
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode())
            if auth != f"Basic {expected.decode()}":
                return JSONResponse({"error": "invalid_client"}, 401)
            grant = self.codes.pop(code, None)
            if grant is None or redirect_uri != grant["redirect_uri"]:
                return JSONResponse({"error": "invalid_grant"}, 400)
            digest = hashlib.sha256(code_verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return JSONResponse({"error": "invalid_grant", "why": "pkce"}, 400)
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": self.client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                **grant["user"],
            }
            id_token = jwt.encode({"alg": "RS256", "kid": self.kid}, claims, self.key).decode()
            return {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }

        return app


@contextlib.asynccontextmanager
async def running_provider(client_id: str = "voorelkaar", client_secret: str = "geheim"):
    provider = Provider(client_id, client_secret)
    server = uvicorn.Server(
        uvicorn.Config(provider.app, host="127.0.0.1", port=provider.port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        await task
