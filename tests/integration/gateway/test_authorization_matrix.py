"""Every role against every operation the portal's API offers, generated from the contracts:
a new operation, role or policy is in the matrix without touching this file.

For each (role, operation) a valid request is generated from the operation's own JSON schema,
with the policy's `own` field set to the actor's own member id and its `scope` field to the
actor's scope; the API must refuse it with 403 and the policy's code exactly when the contract's
`Policy` refuses that actor, and never answer 401 or 5xx to a signed-in role. Then the same
with someone else's id in the `own` field (members may only act as themselves) and a scope
the staff member does not hold."""

from __future__ import annotations

import itertools
import json
import uuid
import warnings
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning
from pydantic import ValidationError

from contracts import ROLES, OperationSpec, new_id
from services.gateway.bank import SERVICES
from services.gateway.domain import actor_for
from services.gateway.handlers.api import api_path

OPERATIONS: list[OperationSpec] = [
    spec for contracts in SERVICES for spec in sorted(contracts.operations.values(), key=str)
]
ROLE_KEYS = {
    "resident": "resident",
    "organisation": "organisation",
    "coordinator": "coordinator",
    "reviewer": "reviewer",
    "panel_member": "panel_member",
    "finance": "finance",
    "operator": "operator",
}
KNOWN = {
    "unit": "hour",
    "community": "wijk-west",
    "neighbourhood": "BU09350101",
    "category": "klussen",
}
"""Values for fields whose contract also checks them against each other (e.g. `hour` is
always a configured unit)."""
PEOPLE_ROLES = [r for r in ROLES if r not in ("system", "public")]


def test_every_role_but_system_has_an_account_kind_in_the_portal():
    # If a role is added to the contracts, the portal must decide how people get it.
    assert set(PEOPLE_ROLES) == set(ROLE_KEYS)


def sample(prop: dict, defs: dict, name: str):
    """One value the JSON schema `prop` accepts (deterministic; regexes via hypothesis)."""
    if "$ref" in prop:
        return sample(defs[prop["$ref"].split("/")[-1]], defs, name)
    for key in ("anyOf", "oneOf"):
        if key in prop:
            options = [o for o in prop[key] if o.get("type") != "null"]
            return sample(options[0], defs, name)
    if "const" in prop:
        return prop["const"]
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "object":
        required = prop.get("required", [])
        return {
            k: sample(v, defs, k) for k, v in prop.get("properties", {}).items() if k in required
        }
    if kind == "array":
        return [sample(prop["items"], defs, name)] if prop.get("minItems") else []
    if kind == "boolean":
        return False
    if kind == "integer":
        return max(60, prop.get("minimum", 0), prop.get("exclusiveMinimum", 0) + 1)
    if kind == "string":
        fmt = prop.get("format")
        if fmt == "uuid":
            return str(new_id())
        if fmt == "date-time":
            return (datetime.now(UTC) + timedelta(days=30)).isoformat()
        if fmt == "date":
            return date.today().isoformat()
        if fmt == "email":
            return "iemand@example.org"
        if name in KNOWN:
            return KNOWN[name]
        if "pattern" in prop:
            return st.from_regex(prop["pattern"], fullmatch=True).example()
        return "tekst"
    raise AssertionError(f"no sample for {name}: {prop}")


def valid_request(spec: OperationSpec, fixed: dict) -> dict:
    """A request the contract accepts, built from its JSON schema: the required fields, then
    (for contracts whose validators want more) one or two optional fields more."""
    schema = spec.request.model_json_schema()
    defs = schema.get("$defs", {})
    props = schema.get("properties", {})
    base = {**sample(schema, defs, spec.name), **fixed}
    optional = [k for k in props if k not in base]
    tries = [()] + [(a,) for a in optional] + list(itertools.combinations(optional, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        for extra in tries:
            candidate = {**base, **{k: sample(props[k], defs, k) for k in extra}}
            try:
                spec.request.model_validate_json(json.dumps(candidate))
            except ValidationError:
                continue
            return candidate
    raise AssertionError(f"no valid {spec.request.__name__} could be built")


def expected_refusal(spec: OperationSpec, person, account, request: dict) -> str | None:
    actor = actor_for(account)
    return spec.policy.refusal(actor, spec.request.model_validate_json(json.dumps(request)))


async def check(scratch_portal, clients, spec, key, request) -> tuple[bool, int, dict]:
    response = await clients[key].post(api_path(spec), json=request)
    body = response.json() if response.content else {}
    assert response.status_code < 500, (spec.name, key, response.status_code, body)
    assert response.status_code != 401, (spec.name, key, body)
    error = body.get("error", {})
    # Refused by the policy: 403, the policy's own code, and the policy named in the details
    # (the service may still refuse an allowed request for a reason of state, e.g. not_found).
    refused = (
        response.status_code == 403
        and error.get("code") == spec.policy.code
        and "policy" in error.get("details", {})
    )
    return refused, response.status_code, body


@pytest.fixture(scope="module")
async def clients(scratch_portal):
    signed_in = {key: await scratch_portal.api(key) for key in ROLE_KEYS.values()}
    signed_in["public"] = httpx.AsyncClient(base_url=scratch_portal.url, timeout=30)
    yield signed_in
    for client in signed_in.values():
        await client.aclose()


@pytest.mark.parametrize("spec", OPERATIONS, ids=lambda s: f"{s.service}.{s.name}")
async def test_each_role_is_allowed_or_refused_as_its_policy_says(scratch_portal, clients, spec):
    public = clients["public"]
    for role, key in ROLE_KEYS.items():
        person = scratch_portal.people[key]
        account = await scratch_portal.repo.account(person.account_id)
        actor = actor_for(account)
        fixed = {}
        if spec.policy.own:
            fixed[spec.policy.own] = str(person.member_id or actor.id)
        if spec.policy.scope:
            scope = next((s for s in person.scopes if s != "*"), "wijk-west")
            fixed[spec.policy.scope] = scope
        request = valid_request(spec, fixed)
        expected = expected_refusal(spec, person, account, request)
        refused, status, body = await check(scratch_portal, clients, spec, key, request)
        assert refused == (expected is not None), (role, spec.name, expected, status, body)

        # Someone else's id where the policy wants one's own.
        if spec.policy.own and role in ("resident", "organisation"):
            other = {**request, spec.policy.own: str(uuid.uuid4())}
            if expected is None:
                refused, status, body = await check(scratch_portal, clients, spec, key, other)
                assert refused, (role, spec.name, "acted for someone else", status, body)
        # A scope the staff member does not hold.
        if spec.policy.scope and person.scopes and "*" not in person.scopes:
            elsewhere = {**request, spec.policy.scope: "ergens-anders"}
            try:
                spec.request.model_validate_json(json.dumps(elsewhere))
            except ValidationError:
                continue
            if role in spec.policy.roles:
                refused, status, body = await check(scratch_portal, clients, spec, key, elsewhere)
                assert refused, (role, spec.name, "outside scope", status, body)

    # Not signed in: the public role.
    request = valid_request(spec, {})
    response = await public.post(api_path(spec), json=request)
    assert response.status_code < 500
    public_refused = response.status_code == 403 and "policy" in response.json()["error"].get(
        "details", {}
    )
    assert public_refused == (not spec.policy.is_public), (spec.name, response.text)
