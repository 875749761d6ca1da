"""The member's pages: the board (vraag en aanbod), my exchanges, balance and statement.

A coordinator acting for a member who is not online sees the same pages for that member;
every command then carries `on_behalf_of`."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from contracts import timebank as tb

from ..bank import Refused, operation
from ..domain import (
    CODE_FIELD,
    FieldError,
    SignedIn,
    end_of_day_utc,
    field_errors,
    parse_date,
    parse_minutes,
)
from ..web import (
    NotSignedIn,
    contract,
    message,
    read_form,
    redirect,
    render,
    require_signed,
    signed,
)

router = APIRouter(include_in_schema=False)
PER_PAGE = 20


def community_of(request: Request, who: SignedIn | None) -> str:
    settings = request.app.state.settings
    if who and who.account.community:
        return who.account.community
    if who and who.account.scopes and who.account.scopes[0] != "*":
        return who.account.scopes[0]
    return settings.communities[0]


def member_of(who: SignedIn) -> UUID | None:
    return who.member_id


async def names(request: Request, who: SignedIn | None, ids: set[UUID]) -> dict[UUID, str]:
    """Members' names (the time bank decides who may see them); unknown ones stay unnamed."""
    bank = request.app.state.bank
    spec = operation("get_member")

    async def one(member_id: UUID) -> tuple[UUID, str | None]:
        try:
            view = await bank.send(who, spec, tb.MemberRef(member_id=member_id))
            return member_id, view.name
        except Exception:  # refused or not found: show no name rather than fail the page
            return member_id, None

    found = await asyncio.gather(*(one(i) for i in ids if i))
    return {k: v for k, v in found if v}


def refusal_errors(exc: Refused) -> dict[str, str]:
    return {CODE_FIELD.get(exc.code, "_form"): message(exc.error)}


def invalid(exc: ValidationError | FieldError, known: set[str]) -> dict[str, str]:
    if isinstance(exc, FieldError):
        return {exc.field: exc.message}
    return {f: p.message for f, p in field_errors(exc, known).items()}


# -- home --------------------------------------------------------------------------------------


@router.get("/")
async def home(request: Request):
    who = signed(request)
    if who and who.at_desk and not who.on_behalf_of:
        return redirect("/desk")
    if who and who.member_id:
        return redirect("/board")
    return render(request, "home.html")


# -- the board ---------------------------------------------------------------------------------


def _search(request: Request, who, params) -> tb.SearchListings:
    def clean(name):
        value = (params.get(name) or "").strip()
        return value or None

    page = params.get("page") or "1"
    return contract(
        tb.SearchListings,
        community=community_of(request, who),
        text=clean("q"),
        kind=clean("kind"),
        category=clean("category"),
        neighbourhood=clean("neighbourhood"),
        page=int(page) if page.isdigit() and len(page) < 5 else 1,
        per_page=PER_PAGE,
    )


@router.get("/board")
async def board(request: Request):
    who = signed(request)
    if who is None and not request.app.state.bank.may(None, "search_listings"):
        raise NotSignedIn()  # the board is for members: sign in first
    params = dict(request.query_params)
    errors: dict[str, str] = {}
    listings, total = [], 0
    try:
        search = _search(request, who, params)
    except ValidationError as exc:
        errors = invalid(exc, {"text", "kind", "category", "neighbourhood"})
        errors = {("q" if k == "text" else k): v for k, v in errors.items()}
        search = None
    if search is not None:
        found = await request.app.state.bank.send(who, operation("search_listings"), search)
        listings, total = found.listings, found.total
    owners = await names(request, who, {li.member_id for li in listings}) if who else {}
    page = search.page if search else 1
    ctx = {
        "listings": listings,
        "total": total,
        "owners": owners,
        "params": params,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "errors": errors,
        "me": who.member_id if who else None,
    }
    partial = request.headers.get("hx-target") == "results"
    return render(request, "_listings.html" if partial else "board.html", ctx)


@router.get("/listings/new")
async def new_listing(request: Request):
    require_signed(request)
    default_expiry = (date.today() + timedelta(days=60)).isoformat()
    return render(request, "listing_new.html", {"values": {"expires_on": default_expiry}})


@router.post("/listings/new")
async def publish_listing(request: Request):
    who = require_signed(request)
    form = await read_form(request)
    known = {"kind", "title", "description", "category", "neighbourhood", "expires_on"}
    try:
        expires = end_of_day_utc(parse_date(form.get("expires_on"), "expires_on"))
        model = contract(
            tb.PublishListing,
            member_id=str(member_of(who) or ""),
            kind=form.get("kind"),
            title=form.get("title"),
            description=form.get("description"),
            category=form.get("category"),
            neighbourhood=form.get("neighbourhood"),
            expires_at=expires.isoformat(),
        )
        await request.app.state.bank.send(who, operation("publish_listing"), model)
    except (ValidationError, FieldError) as exc:
        errors = invalid(exc, known)
        errors = {("expires_on" if k == "expires_at" else k): v for k, v in errors.items()}
        return render(request, "listing_new.html", {"errors": errors, "values": form.values}, 422)
    except Refused as exc:
        ctx = {"errors": refusal_errors(exc), "values": form.values}
        return render(request, "listing_new.html", ctx, 409)
    return redirect("/board?mine=1")


@router.post("/listings/{listing_id}/close")
async def close_listing(request: Request, listing_id: UUID):
    who = require_signed(request)
    await read_form(request)
    await request.app.state.bank.send(
        who, operation("close_listing"), tb.ListingRef(listing_id=listing_id)
    )
    return redirect("/board")


@router.post("/listings/{listing_id}/respond")
async def respond(request: Request, listing_id: UUID):
    """Answer a listing: propose an exchange for an amount of hours."""
    who = require_signed(request)
    form = await read_form(request)
    try:
        minutes = parse_minutes(form.get("amount"))
        model = contract(
            tb.ProposeExchange,
            proposer_id=str(member_of(who) or ""),
            listing_id=str(listing_id),
            amount=minutes,
            description=form.get("description"),
        )
        status = await request.app.state.bank.send(who, operation("propose_exchange"), model)
    except (ValidationError, FieldError, Refused) as exc:
        errors = (
            refusal_errors(exc)
            if isinstance(exc, Refused)
            else invalid(exc, {"amount", "description"})
        )
        return render(
            request,
            "respond.html",
            {"listing_id": listing_id, "errors": errors, "values": form.values},
            422,
        )
    return redirect(f"/exchanges/{status.exchange_id}")


# -- exchanges ---------------------------------------------------------------------------------


async def exchange_view(request: Request, who, exchange_id: UUID) -> tb.ExchangeView:
    return await request.app.state.bank.send(
        who, operation("get_exchange"), tb.ExchangeRef(exchange_id=exchange_id)
    )


@router.get("/exchanges")
async def exchanges(request: Request, page: int = 1):
    who = require_signed(request)
    me = member_of(who)
    page = max(1, min(page, 1000))
    ids = await request.app.state.lists.my_exchanges(me, page, PER_PAGE) if me else []
    views = await asyncio.gather(*(exchange_view(request, who, i) for i in ids))
    people = await names(
        request, who, {v.provider_id for v in views} | {v.receiver_id for v in views}
    )
    ctx = {"views": views, "people": people, "me": me, "page": page, "more": len(ids) == PER_PAGE}
    return render(request, "exchanges.html", ctx)


@router.get("/exchanges/{exchange_id}")
async def exchange(request: Request, exchange_id: UUID):
    who = require_signed(request)
    return await _exchange_page(request, who, exchange_id)


async def _exchange_page(request, who, exchange_id, errors=None, values=None, status=200):
    view = await exchange_view(request, who, exchange_id)
    people = await names(request, who, {view.provider_id, view.receiver_id})
    row = await request.app.state.repo.exchange_row(exchange_id)
    ctx = {
        "x": view,
        "people": people,
        "me": member_of(who),
        "proposed_by": row["proposed_by"] if row else None,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "exchange.html", ctx, status_code=status)


ACTIONS = {
    "accept": ("accept_exchange", tb.ExchangeRef, ()),
    "record": ("record_hours", tb.RecordHours, ("amount",)),
    "confirm": ("confirm_exchange", tb.ConfirmExchange, ("amount",)),
    "cancel": ("cancel_exchange", tb.CancelExchange, ("reason",)),
    "dispute": ("dispute_exchange", tb.DisputeExchange, ("reason",)),
    "resolve": ("resolve_dispute", tb.ResolveDispute, ("outcome", "amount", "note")),
}


@router.post("/exchanges/{exchange_id}/{action}")
async def exchange_action(request: Request, exchange_id: UUID, action: str):
    """accept, record (hours given), confirm (possibly fewer), cancel, dispute, resolve."""
    who = require_signed(request)
    form = await read_form(request)
    if action not in ACTIONS:
        return await _exchange_page(request, who, exchange_id, status=404)
    name, model, fields = ACTIONS[action]
    values: dict = {"exchange_id": str(exchange_id)}
    try:
        for field in fields:
            raw = form.get(field).strip()
            if field == "amount":
                if raw:
                    values["amount"] = parse_minutes(raw)
            elif raw:
                values[field] = raw
        request_model = contract(model, **values)
        await request.app.state.bank.send(who, operation(name), request_model)
    except (ValidationError, FieldError) as exc:
        errors = {f"{action}.{k}": v for k, v in invalid(exc, set(fields)).items()}
        return await _exchange_page(request, who, exchange_id, errors, form.values, 422)
    except Refused as exc:
        errors = {f"{action}.{k}": v for k, v in refusal_errors(exc).items()}
        return await _exchange_page(request, who, exchange_id, errors, form.values, 409)
    return redirect(f"/exchanges/{exchange_id}?done={action}")


# -- balance and statement ---------------------------------------------------------------------


def _unit(params) -> str:
    unit = params.get("unit") or "hour"
    return unit if unit.isidentifier() and len(unit) <= 20 else "hour"


@router.get("/statement")
async def statement(request: Request):
    who = require_signed(request)
    me = member_of(who)
    if me is None:
        return render(request, "welcome.html")
    params = request.query_params
    bank = request.app.state.bank
    after = params.get("after")
    after_n = int(after) if after and after.isdigit() and len(after) < 18 else None
    balances = await bank.send(who, operation("balance"), tb.BalanceQuery(member_id=me))
    unit = _unit(params)
    if unit not in {b.unit for b in balances.balances}:
        unit = "hour"
    page = await bank.send(
        who,
        operation("statement"),
        tb.StatementQuery(member_id=me, unit=unit, after=after_n, limit=PER_PAGE),
    )
    people = await names(
        request, who, {e.counterparty_member_id for e in page.entries if e.counterparty_member_id}
    )
    ctx = {"balances": balances.balances, "page": page, "unit": unit, "people": people}
    return render(request, "statement.html", ctx)


@router.get("/statement.csv")
async def statement_csv(request: Request):
    """The whole statement as CSV, page by page from the time bank (10,000 rows a page)."""
    who = require_signed(request)
    me = member_of(who)
    if me is None:
        return redirect("/statement")
    unit = _unit(request.query_params)
    return await csv_download(request, who, {"member_id": me, "unit": unit}, f"statement-{unit}")


async def csv_download(request: Request, who, whose: dict, filename: str) -> Response:
    bank, spec = request.app.state.bank, operation("export_csv")
    parts, after = [], None
    for _ in range(1000):
        query = contract(tb.CsvExportQuery, **whose, after=after, limit=10_000)
        chunk = await bank.send(who, spec, query)
        text = chunk.csv
        if parts:  # the header comes once
            text = text.split("\n", 1)[1] if "\n" in text else ""
        parts.append(text)
        after = chunk.next_after
        if after is None:
            break
    return Response(
        "".join(parts),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
