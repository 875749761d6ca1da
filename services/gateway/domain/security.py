"""Tokens, CSRF and sign-in throttling: the parts that need no I/O."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> tuple[str, bytes]:
    """A secret for a cookie or a link (256 bits, URL-safe) and the hash stored in its place:
    a stolen database holds no usable session or reset link."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def csrf_token(key: bytes, binding: str) -> str:
    """The token every form carries: an HMAC of the session (or, before sign-in, of the
    visitor's own random cookie). Another site can neither read nor forge it (OWASP CSRF
    cheat sheet: signed double-submit)."""
    return hmac.new(key, f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, binding: str | None, given: str | None) -> bool:
    if not binding or not given:
        return False
    return hmac.compare_digest(csrf_token(key, binding), given)


def throttled(failures_for_account: int, failures_from_address: int, limit: int) -> bool:
    """Whether another sign-in attempt is refused: `limit` failures for one e-mail address in
    the window, or four times that from one client address (one household, one office)."""
    return failures_for_account >= limit or failures_from_address >= 4 * limit
