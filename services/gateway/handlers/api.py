"""`/api`: every operation the portal offers, as JSON, generated from the contracts.

`POST /api/<service>/<operation>` takes the operation's request model and answers its result
model, under the same policy as the pages (the actor is the signed-in account: a session
cookie, or `Authorization: Bearer <token>` from `POST /api/session`). A command may carry an
`Idempotency-Key` header (a UUID): sent again, it has the effect of once. Bad input gets 422
naming every field; a refusal its stable code and message in Dutch and English; a service that
does not answer in time 503 with Retry-After. A new operation in the contracts appears here,
in the OpenAPI document and in the authorization matrix test without any change."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from contracts import OperationSpec

from ..bank import SERVICES
from ..web import SESSION_COOKIE, api_error, require_signed, set_cookie
from .auth import attempt_login, start_session

router = APIRouter(prefix="/api", tags=["api"])


class Credentials(BaseModel):
    email: str
    password: str


class SessionToken(BaseModel):
    token: str
    role: str
    member_id: UUID | None = None


def _field(loc) -> str:
    return ".".join(str(p) for p in loc) or "(body)"


def invalid_body(exc: ValidationError) -> JSONResponse:
    fields = [
        {"field": _field(e["loc"]), "problem": e["msg"]} for e in exc.errors(include_url=False)
    ]
    names = ", ".join(f["field"] for f in fields[:10])
    return api_error(
        422,
        "invalid_message",
        {"nl": f"Ongeldige invoer: {names}", "en": f"Invalid input: {names}"},
        fields=fields[:50],
    )


@router.post("/session", response_model=SessionToken, summary="Sign in")
async def sign_in(request: Request, credentials: Credentials):
    """Sign in with e-mail and password: a session cookie, and the same token for
    `Authorization: Bearer`. Rate limited like the sign-in page (429 with Retry-After)."""
    result = await attempt_login(request, credentials.email, credentials.password)
    if result.account is None:
        response = api_error(
            result.status,
            "too_many_attempts" if result.status == 429 else "not_signed_in",
            {
                "nl": "Te veel pogingen; wacht een kwartier."
                if result.status == 429
                else "E-mailadres of wachtwoord klopt niet.",
                "en": "Too many attempts; wait a quarter of an hour."
                if result.status == 429
                else "E-mail address or password is not right.",
            },
        )
        if result.status == 429:
            response.headers["Retry-After"] = str(int(request.app.state.settings.login_window_s))
        return response
    response = JSONResponse({})
    token = await start_session(request, response, result.account.id)
    response.body = response.render(
        SessionToken(
            token=token, role=result.account.role, member_id=result.account.member_id
        ).model_dump(mode="json")
    )
    response.headers["content-length"] = str(len(response.body))
    return response


@router.delete("/session", status_code=204, summary="Sign out")
async def sign_out(request: Request):
    require_signed(request)
    await request.app.state.repo.end_session(request.state.session_token)
    response = JSONResponse(None, status_code=204)
    set_cookie(response, request.app.state.settings, SESSION_COOKIE, "", max_age=0)
    return response


def _endpoint(spec: OperationSpec):
    async def endpoint(request: Request):
        signed = request.state.signed
        if not request.state.bearer and signed is not None:
            # A cookie alone could be sent by another site's form: JSON only (a cross-site
            # JSON request needs CORS, which this API never grants).
            if request.headers.get("content-type", "").split(";")[0].strip() != (
                "application/json"
            ):
                return api_error(
                    415,
                    "unsupported_media_type",
                    {"nl": "Stuur JSON.", "en": "Send JSON."},
                )
        body = await request.body()
        try:
            data = spec.request.model_validate_json(body or b"{}")
        except ValidationError as exc:
            return invalid_body(exc)
        command_id = None
        key = request.headers.get("idempotency-key")
        if key and spec.kind == "command":
            try:
                command_id = UUID(key)
            except ValueError:
                return api_error(
                    422,
                    "invalid_message",
                    {
                        "nl": "Idempotency-Key moet een UUID zijn.",
                        "en": "Idempotency-Key must be a UUID.",
                    },
                    fields=[{"field": "Idempotency-Key", "problem": "not a UUID"}],
                )
        result = await request.app.state.bank.send(signed, spec, data, command_id=command_id)
        return JSONResponse(result.model_dump(mode="json"))

    endpoint.__name__ = f"{spec.service}_{spec.name}"
    return endpoint


ERROR_RESPONSES = {
    401: {"description": "Not signed in (`not_signed_in`)"},
    403: {"description": "The operation's policy refuses this account (`forbidden`)"},
    404: {"description": "Not found"},
    409: {"description": "Refused by the service: a stable code in `error.code`"},
    415: {"description": "A cookie-authenticated call must send JSON"},
    422: {"description": "Invalid input: `error.fields` names each field"},
    503: {"description": "The service did not answer in time; see Retry-After"},
}


def api_path(spec: OperationSpec) -> str:
    return f"/api/{spec.service}/{spec.name}"


for _contracts in SERVICES:
    for (_kind, _name), _spec in sorted(_contracts.operations.items()):
        router.add_api_route(
            f"/{_spec.service}/{_spec.name}",
            _endpoint(_spec),
            methods=["POST"],
            summary=_spec.summary or _spec.name,
            description=(
                f"{_spec.kind.capitalize()} `{_spec.service}.{_spec.name}`. "
                f"Roles: {', '.join(sorted(_spec.policy.roles))}. "
                f"Error codes: {', '.join(_spec.errors) or 'common only'}."
            ),
            operation_id=f"{_spec.service}_{_spec.name}",
            responses={200: {"description": "The result"}, **ERROR_RESPONSES},
            openapi_extra={
                "x-request-model": _spec.request.__name__,
                "x-result-model": _spec.result.__name__,
            },
        )
