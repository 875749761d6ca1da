"""Driving the portal's pages over HTTP in tests: sign in, read a form's CSRF token, post."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match[1]


async def post_form(client: httpx.AsyncClient, page: str, action: str, data: dict):
    """Open `page`, take its CSRF token, post `data` to `action` (not following redirects)."""
    opened = await client.get(page)
    return await client.post(action, data={"csrf": csrf_of(opened.text), **data})


async def signed_in(base_url: str, email: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    reply = await post_form(client, "/login", "/login", {"email": email, "password": password})
    assert reply.status_code == 303, reply.text[:500]
    return client
