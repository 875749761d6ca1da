"""Signing up, in and out; password reset by e-mail; OIDC sign-in; the language."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Request
from pydantic import TypeAdapter, ValidationError

from contracts import Email
from contracts import timebank as tb

from .. import i18n
from ..bank import Refused, ServiceUnavailable, operation
from ..domain import SignedIn, field_errors, new_token, throttled
from ..domain.forms import N_
from ..i18n import gettext as _
from ..mail import Mail
from ..repository import EmailTaken
from ..web import (
    LANG_COOKIE,
    SESSION_COOKIE,
    contract,
    message,
    read_form,
    redirect,
    render,
    require_signed,
    set_cookie,
)

router = APIRouter(include_in_schema=False)
hasher = PasswordHasher()
_EMAIL = TypeAdapter(Email)
MIN_PASSWORD = 10
# Verified against when the address has no account, so a wrong address takes as long as a
# wrong password (no telling which addresses have accounts).
_DUMMY_HASH = hasher.hash("no account has this password")


def safe_next(target: str | None) -> str:
    """Only a path on this site (no `//host`, no scheme): no open redirect after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return await asyncio.to_thread(hasher.verify, password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def start_session(request: Request, response, account_id) -> str:
    settings = request.app.state.settings
    token, _hash = new_token()
    await request.app.state.repo.create_session(account_id, token, settings.session_hours)
    set_cookie(
        response, settings, SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600)
    )
    return token


class LoginResult:
    """What a sign-in attempt came to: the account, or an error message id and status."""

    def __init__(self, account=None, error: str | None = None, status: int = 200):
        self.account, self.error, self.status = account, error, status


async def attempt_login(request: Request, email: str, password: str) -> LoginResult:
    """Check the password, counting failures per address and per client (rate limiting)."""
    settings, repo = request.app.state.settings, request.app.state.repo
    email = email.strip().lower()[:320]
    keys = [f"email:{email}", f"ip:{client_address(request)}"]
    per_account, per_address = await repo.failures(keys, settings.login_window_s)
    if throttled(per_account, per_address, settings.login_max_failures):
        return LoginResult(error=N_("Too many attempts. Wait a quarter of an hour."), status=429)
    account = await repo.account_by_email(email) if email else None
    if not await verify_password(account.password_hash if account else None, password):
        await repo.record_failure(keys)
        return LoginResult(error=N_("E-mail address or password is not right."), status=401)
    await repo.clear_failures(keys[0])
    return LoginResult(account)


@router.get("/login")
async def login_page(request: Request, next: str = "/"):
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(request: Request):
    form = await read_form(request)
    result = await attempt_login(request, form.get("email"), form.get("password"))
    target = safe_next(form.get("next"))
    if result.account is None:
        response = render(
            request,
            "login.html",
            {"next": target, "errors": {"_form": result.error}, "values": form.values},
            status_code=result.status,
        )
        if result.status == 429:
            response.headers["Retry-After"] = str(int(request.app.state.settings.login_window_s))
        return response
    response = redirect(target)
    await start_session(request, response, result.account.id)
    return response


@router.post("/logout")
async def logout(request: Request):
    await read_form(request)
    if request.state.session_token:
        await request.app.state.repo.end_session(request.state.session_token)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
async def language(request: Request, code: str, next: str = "/"):
    """Switch the language (remembered in a cookie, and on the account when signed in)."""
    if code not in i18n.LANGUAGES:
        code = i18n.DEFAULT
    response = redirect(safe_next(next))
    set_cookie(response, request.app.state.settings, LANG_COOKIE, code, max_age=365 * 86400)
    who: SignedIn | None = request.state.signed
    if who:
        await request.app.state.repo.set_language(who.account.id, code)
    return response


# -- signing up: an account and an application to the time bank ----------------------------------


def _member_request(form, settings, name: str, email: str | None) -> tb.RegisterMember:
    """The application as the time bank's contract; raises ValidationError naming fields."""
    skills = [s for s in form.getlist("skills") if s in settings.categories]
    languages = [x for x in form.getlist("languages") if x in i18n.LANGUAGES] or ["nl"]
    return contract(
        tb.RegisterMember,
        community=form.get("community") or settings.communities[0],
        kind=form.get("kind") or "resident",
        name=name,
        neighbourhood=form.get("neighbourhood"),
        languages=languages,
        skills=skills,
        email=email,
        phone=form.get("phone") or None,
    )


@router.get("/signup")
async def signup_page(request: Request):
    return render(request, "signup.html", {"values": {"languages[]": ["nl"]}})


@router.post("/signup")
async def signup(request: Request):
    form = await read_form(request)
    settings, repo = request.app.state.settings, request.app.state.repo
    errors: dict[str, str] = {}
    name = form.get("name").strip()
    email = form.get("email").strip().lower()
    password = form.get("password")
    try:
        _EMAIL.validate_python(email)
    except ValidationError:
        errors["email"] = N_("Give a valid e-mail address.")
    if len(password) < MIN_PASSWORD:
        errors["password"] = N_("Use at least 10 characters.")
    elif password != form.get("password_again"):
        errors["password_again"] = N_("The two passwords are not the same.")
    if form.get("community") and form.get("community") not in settings.communities:
        errors["community"] = N_("Choose one of the options.")
    request_model = None
    try:
        request_model = _member_request(form, settings, name, email if not errors else None)
    except ValidationError as exc:
        for field, problem in field_errors(exc, {"name", "neighbourhood", "kind", "phone"}).items():
            errors.setdefault(field, problem.message)
    if errors:
        return render(request, "signup.html", {"errors": errors, "values": form.values}, 422)
    kind = request_model.kind
    try:
        account = await repo.create_account(
            email, name, kind, await hash_password(password), language=i18n.current.get()
        )
    except EmailTaken:
        errors["email"] = N_("This e-mail address has an account already. Sign in, or reset it.")
        return render(request, "signup.html", {"errors": errors, "values": form.values}, 422)
    return await _register(request, account, request_model, form, join=False)


async def _register(request: Request, account, request_model, form, join: bool):
    """Send the application to the time bank as the new account; link the member id."""
    repo, bank = request.app.state.repo, request.app.state.bank
    who = SignedIn(account)
    try:
        ref = await bank.send(who, operation("register_member"), request_model)
    except (Refused, ServiceUnavailable) as exc:
        if not join:
            await repo.delete_account(account.id)  # nothing half-made stays behind
        if isinstance(exc, ServiceUnavailable):
            raise
        errors = {"_form": message(exc.error)}
        ctx = {"errors": errors, "values": form.values, "join": join}
        return render(request, "signup.html", ctx, 409)
    await repo.link_member(account.id, ref.member_id, request_model.community)
    response = redirect("/welcome")
    if request.state.signed is None:
        await start_session(request, response, account.id)
    return response


@router.get("/join")
async def join_page(request: Request):
    """For an account without a membership yet (made by OIDC sign-in): apply to join."""
    who = require_signed(request)
    if who.account.member_id:
        return redirect("/")
    return render(request, "signup.html", {"join": True, "values": {"name": who.account.name}})


@router.post("/join")
async def join(request: Request):
    who = require_signed(request)
    form = await read_form(request)
    if who.account.member_id or who.account.role not in ("resident", "organisation"):
        return redirect("/")
    try:
        model = _member_request(
            form, request.app.state.settings, form.get("name").strip(), who.account.email
        )
    except ValidationError as exc:
        errors = {f: p.message for f, p in field_errors(exc, {"name", "neighbourhood"}).items()}
        ctx = {"join": True, "errors": errors, "values": form.values}
        return render(request, "signup.html", ctx, 422)
    return await _register(request, who.account, model, form, join=True)


@router.get("/welcome")
async def welcome(request: Request):
    require_signed(request)
    return render(request, "welcome.html")


# -- password reset --------------------------------------------------------------------------


@router.get("/reset")
async def reset_page(request: Request):
    return render(request, "reset_request.html", {"mail": request.app.state.mailer.available})


@router.post("/reset")
async def reset_request(request: Request):
    form = await read_form(request)
    app = request.app.state
    if not app.mailer.available:
        return render(request, "reset_request.html", {"mail": False}, 503)
    email = form.get("email").strip().lower()[:320]
    account = await app.repo.account_by_email(email) if email else None
    if account is not None:
        token, _hash = new_token()
        await app.repo.create_reset(account.id, token, app.settings.reset_token_minutes)
        link = f"{app.settings.base_url()}/reset/{token}"
        marker = i18n.current.set(account.language)
        try:
            mail = Mail(
                to=account.email,
                subject=_("Set a new password for voorelkaar"),
                body=_(
                    "Someone (hopefully you) asked to set a new password. Open this link "
                    "within %(minutes)s minutes:\n\n%(link)s\n\nDid you not ask? Then ignore "
                    "this mail; your password stays as it is.",
                    minutes=app.settings.reset_token_minutes,
                    link=link,
                ),
            )
        finally:
            i18n.current.reset(marker)
        await app.mailer.send(mail)
    # The same answer whether or not the address has an account.
    return render(request, "reset_request.html", {"mail": True, "sent": True})


@router.get("/reset/{token}")
async def reset_form(request: Request, token: str):
    valid = len(token) <= 100 and await request.app.state.repo.reset_valid(token)
    return render(
        request, "reset.html", {"token": token, "valid": valid}, status_code=200 if valid else 410
    )


@router.post("/reset/{token}")
async def reset(request: Request, token: str):
    form = await read_form(request)
    repo = request.app.state.repo
    password = form.get("password")
    errors = {}
    if len(password) < MIN_PASSWORD:
        errors["password"] = N_("Use at least 10 characters.")
    elif password != form.get("password_again"):
        errors["password_again"] = N_("The two passwords are not the same.")
    if errors:
        return render(request, "reset.html", {"token": token, "valid": True, "errors": errors}, 422)
    account_id = await repo.use_reset(token) if len(token) <= 100 else None
    if account_id is None:
        return render(request, "reset.html", {"token": token, "valid": False}, 410)
    await repo.set_password(account_id, await hash_password(password))
    return redirect("/login?reset=1")


def login_link(next_path: str) -> str:
    return f"/login?next={quote(next_path)}"
