"""What every page shares: who is signed in, the language, the CSRF check, rendering, and
turning refusals and silent services into pages (or JSON under /api) that say what happened."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import i18n
from .bank import Forbidden, Refused, ServiceUnavailable
from .domain import SignedIn, csrf_ok, csrf_token, format_minutes
from .domain.forms import AMSTERDAM, N_
from .settings import GatewaySettings

SESSION_COOKIE = "vk_session"
VISITOR_COOKIE = "vk_visitor"
LANG_COOKIE = "vk_lang"
TEMPLATES = Path(__file__).parent / "templates"

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
)
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
templates.env.filters["hours"] = format_minutes
templates.env.globals["quote"] = quote

CATEGORY_LABELS = {
    "activiteiten": N_("Activities"),
    "boodschappen": N_("Shopping"),
    "computer": N_("Computer help"),
    "fietsen": N_("Bicycles"),
    "gezelschap": N_("Company"),
    "klussen": N_("Odd jobs"),
    "koken": N_("Cooking"),
    "oppas": N_("Babysitting"),
    "taal": N_("Language"),
    "tuin": N_("Garden"),
}
STATE_LABELS = {
    "proposed": N_("Proposed"),
    "agreed": N_("Agreed, waiting for confirmation"),
    "confirmed": N_("Confirmed"),
    "cancelled": N_("Cancelled"),
    "disputed": N_("Disputed"),
    "resolved": N_("Resolved"),
    "applied": N_("Applied"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "left": N_("Left"),
}
KIND_LABELS = {
    "exchange": N_("Exchange"),
    "donation": N_("Donation to the pot"),
    "award": N_("Award from the pot"),
    "reversal": N_("Correction"),
}
UNIT_LABELS = {"hour": N_("Hours"), "steerk": N_("Steerkes")}


def _label(table: dict[str, str]):
    def label(code: str) -> str:
        return i18n.gettext(table[code]) if code in table else code

    return label


def local_date(moment: datetime) -> str:
    """A moment as a day where the community lives (Europe/Amsterdam)."""
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y")


def query_with(params: dict, **changes) -> str:
    return urlencode({**{k: v for k, v in params.items() if v}, **changes})


templates.env.globals.update(
    pairs=lambda values: [(v, v) for v in values],
    categories=lambda settings: [(c, _label(CATEGORY_LABELS)(c)) for c in settings.categories],
    category_label=_label(CATEGORY_LABELS),
    state_label=_label(STATE_LABELS),
    kind_label=_label(KIND_LABELS),
    unit_label=_label(UNIT_LABELS),
    local_date=local_date,
    query_with=query_with,
    member_options=lambda members: [(str(m.member_id), m.name) for m in members],
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class NotSignedIn(Exception):
    """A page or call that needs an account, without one."""


class CsrfFailed(Exception):
    """A form without the token of this session (another site's form, or an old page)."""


@dataclass
class FormInput:
    values: dict[str, str]

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getlist(self, name: str) -> list[str]:
        raw = self.values.get(f"{name}[]")
        return raw if isinstance(raw, list) else []


def signed(request: Request) -> SignedIn | None:
    return request.state.signed


def require_signed(request: Request) -> SignedIn:
    who = request.state.signed
    if who is None:
        raise NotSignedIn()
    return who


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def csrf_binding(request: Request) -> str | None:
    return request.state.session_token or request.state.visitor


def csrf_for(request: Request) -> str:
    return csrf_token(request.app.state.csrf_key, csrf_binding(request) or "")


async def read_form(request: Request) -> FormInput:
    """The posted form, after checking its CSRF token (field `csrf`, or the `X-CSRF-Token`
    header that htmx sends). Raises CsrfFailed."""
    form = await request.form()
    given = form.get("csrf") or request.headers.get("x-csrf-token")
    if not csrf_ok(request.app.state.csrf_key, csrf_binding(request), given):
        raise CsrfFailed()
    values: dict[str, Any] = {}
    for key in form:
        items = form.getlist(key)
        values[key] = [str(v) for v in items] if key.endswith("[]") else str(items[-1])
    return FormInput(values)


def render(
    request: Request, name: str, context: dict | None = None, status_code: int = 200
) -> HTMLResponse:
    ctx = {
        "signed": request.state.signed,
        "lang": i18n.current.get(),
        "csrf": csrf_for(request),
        "bank": request.app.state.bank,
        "settings": request.app.state.settings,
        "path": request.url.path,
        "htmx": request.headers.get("hx-request") == "true",
        "errors": {},
        "values": {},
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def contract(model, **values):
    """`model` from plain values, validated as JSON would be (the contracts are strict: a
    UUID or a date arrives as text); raises ValidationError naming each bad field."""
    return model.model_validate_json(json.dumps(values, default=str))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def message(error) -> str:
    """A service's message in the reader's language (services speak Dutch and English)."""
    return getattr(error.message, i18n.current.get())


def set_cookie(response: Response, settings: GatewaySettings, name: str, value: str, **kw) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
        **kw,
    )


class SessionMiddleware:
    """Finds the session (cookie, or `Authorization: Bearer` for the API), chooses the
    language, gives a visitor a random cookie to bind CSRF tokens to before sign-in, and sets
    the security headers on every response. Plain ASGI (Starlette's BaseHTTPMiddleware runs
    each request through an extra task and stream)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        app = request.app
        token = request.cookies.get(SESSION_COOKIE)
        auth = request.headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        state = request.state
        state.bearer = bool(bearer)
        token = bearer or token
        state.signed = None
        state.session_token = None
        if token and len(token) <= 100 and hasattr(app.state, "repo"):
            try:
                state.signed = await app.state.repo.session(token)
            except Exception:  # the database is away: treat as signed out, pages say so
                state.signed = None
            if state.signed:
                state.session_token = token
        visitor = request.cookies.get(VISITOR_COOKIE)
        extra: list[tuple[bytes, bytes]] = []
        if not visitor or len(visitor) > 100:
            visitor = secrets.token_urlsafe(24)
            cookie = Response()
            set_cookie(cookie, app.state.settings, VISITOR_COOKIE, visitor)
            extra += [(k, v) for k, v in cookie.raw_headers if k == b"set-cookie"]
        state.visitor = visitor
        preferred = state.signed.account.language if state.signed else None
        language = i18n.choose(
            request.cookies.get(LANG_COOKIE), preferred, request.headers.get("accept-language")
        )
        defaults = [*SECURITY_HEADERS]
        if not is_api(request):
            defaults += [("content-language", language), ("cache-control", "no-store")]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in defaults:
                    if key not in headers:
                        headers[key] = value
                for key, value in extra:
                    headers.append(key.decode(), value.decode())
            await send(message)

        marker = i18n.current.set(language)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.current.reset(marker)


SECURITY_HEADERS = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)


def api_error(status: int, code: str, message: dict, **extra) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def install_error_pages(app) -> None:
    """Refusals and silent services become pages (or JSON) that say so: never a 500."""

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _exc: NotSignedIn):
        if is_api(request):
            return api_error(
                401,
                "not_signed_in",
                {"nl": "Log eerst in.", "en": "Sign in first."},
            )
        return redirect(f"/login?next={quote(request.url.path)}")

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed):
        return render(request, "error.html", {"kind": "csrf"}, status_code=403)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        if is_api(request):
            error = exc.error
            return api_error(403, error.code, error.message.model_dump(), details=error.details)
        return render(request, "error.html", {"kind": "forbidden"}, status_code=403)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        if is_api(request):
            return api_refusal(exc)
        return render(request, "error.html", {"kind": "refused", "error": exc.error}, 409)

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, _exc: ServiceUnavailable):
        retry = str(request.app.state.settings.retry_after_s)
        if is_api(request):
            response = api_error(
                503,
                "unavailable",
                {
                    "nl": "De dienst antwoordt nu niet; probeer het later opnieuw.",
                    "en": "The service does not answer now; please try again later.",
                },
            )
        else:
            response = render(request, "error.html", {"kind": "unavailable"}, 503)
        response.headers["Retry-After"] = retry
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if is_api(request):
            return api_error(
                exc.status_code,
                "not_found" if exc.status_code == 404 else "http_error",
                {"nl": str(exc.detail), "en": str(exc.detail)},
            )
        kind = "not_found" if exc.status_code == 404 else "http"
        return render(request, "error.html", {"kind": kind}, status_code=exc.status_code)


STATUS_OF_CODE = {
    "invalid_message": 422,
    "not_found": 404,
    "forbidden": 403,
    "not_your_account": 403,
    "coordinator_only": 403,
    "unavailable": 503,
}


def api_refusal(exc: Refused) -> JSONResponse:
    """A service's refusal as HTTP: the stable code, the message in both languages, the
    details; 409 for what the state of things refuses, 4xx always for what a client sent."""
    error = exc.error
    status = STATUS_OF_CODE.get(error.code, 409)
    if error.code == "internal_error":
        # The service failed on this input and changed nothing: a bug to fix there, but for
        # the client it is a request that cannot be done (never a 5xx from the portal).
        status = 422
    return api_error(status, error.code, error.message.model_dump(), details=error.details)
