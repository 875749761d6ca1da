"""schemathesis over the portal's OpenAPI document: whatever a client sends to any operation,
signed in as a resident or as a coordinator, the answer is never a 5xx.

Short in `make test` (a few examples per operation); `make test-api-long` runs many more
(VOORELKAAR_SCHEMATHESIS_EXAMPLES)."""

from __future__ import annotations

import asyncio
import os

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = int(os.environ.get("VOORELKAAR_SCHEMATHESIS_EXAMPLES", "6"))


def fuzz(url: str, tokens: list[str], examples: int) -> list[str]:
    """Every operation of the document with `examples` generated cases per token; returns
    every request that got a 5xx (in the schemathesis thread: the scratch_portal keeps serving)."""
    schema = schemathesis.openapi.from_url(url + "/api/openapi.json")
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/session":
            # Sign-in has its own tests; fuzzing it would only fill the throttle of the
            # session's one client address (and lock the other tests out).
            continue
        for token in tokens:
            check = _checker(operation, url, token, examples, failures)
            check()
            checked += 1
    assert checked > 0
    return failures


def _checker(operation, url, token, examples, failures):
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        response = case.call(base_url=url, headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.path} {case.body!r} -> {response.status_code} "
                f"{response.text[:300]}"
            )

    return check


async def test_no_request_gets_a_5xx(scratch_portal):
    tokens = []
    for key in ("resident", "coordinator"):
        client = await scratch_portal.api(key)
        tokens.append(client.headers["Authorization"].split()[1])
        await client.aclose()
    failures = await asyncio.to_thread(fuzz, scratch_portal.url, [*tokens, ""], EXAMPLES)
    assert failures == []
