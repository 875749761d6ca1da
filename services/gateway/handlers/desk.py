"""The coordinator desk: applications, members (approve, suspend, VOG, limits), exchanges for
members who are not online, disputes, reversals, the community pot, and statistics.

The lists come from `Lists` (today the portal's index of the time bank's events; the time
bank's own coordinator queries once it has them, issue 10): only this module's `_lists` calls
change then. Every action is a time-bank command under the desk actor's policy."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import ValidationError

from contracts import new_id
from contracts import timebank as tb

from ..bank import Forbidden, Refused, operation
from ..domain import DESK_ROLES, Bar, FieldError, SignedIn, bar_chart, format_minutes, parse_minutes
from ..i18n import gettext as _
from ..web import (
    CATEGORY_LABELS,
    STATE_LABELS,
    contract,
    read_form,
    redirect,
    render,
    require_signed,
)
from .pages import community_of, csv_download, invalid, names, refusal_errors

router = APIRouter(prefix="/desk", include_in_schema=False)


def desk_actor(request: Request) -> SignedIn:
    """The signed-in staff member at the desk (never acting for a member here)."""
    who = require_signed(request)
    if who.account.role not in DESK_ROLES:
        raise Forbidden(operation("approve_member"), "the desk is for coordinators")
    return SignedIn(who.account) if who.on_behalf_of else who


def scope_list(who: SignedIn) -> list[str] | None:
    scopes = list(who.account.scopes)
    return None if "*" in scopes else scopes


async def _members(request, who, ids: list[UUID]) -> list[tb.MemberView]:
    bank, spec = request.app.state.bank, operation("get_member")

    async def one(member_id):
        try:
            return await bank.send(who, spec, tb.MemberRef(member_id=member_id))
        except (Refused, Forbidden):
            return None

    return [m for m in await asyncio.gather(*(one(i) for i in ids)) if m]


async def _exchanges(request, who, ids: list[UUID], state: str) -> list[tb.ExchangeView]:
    bank, spec = request.app.state.bank, operation("get_exchange")

    async def one(exchange_id):
        try:
            return await bank.send(who, spec, tb.ExchangeRef(exchange_id=exchange_id))
        except (Refused, Forbidden):
            return None

    views = await asyncio.gather(*(one(i) for i in ids))
    # The index may lag a moment: show only what the time bank says is in this state.
    return [v for v in views if v and v.state == state]


@router.get("")
async def desk(request: Request):
    who = desk_actor(request)
    lists = request.app.state.lists
    scopes = scope_list(who)
    applied, waiting, disputed = await asyncio.gather(
        lists.members(scopes, ["applied"]),
        lists.exchanges(scopes, ["agreed"]),
        lists.exchanges(scopes, ["disputed"]),
    )
    applied_views, waiting_views, disputed_views = await asyncio.gather(
        _members(request, who, applied),
        _exchanges(request, who, waiting, "agreed"),
        _exchanges(request, who, disputed, "disputed"),
    )
    applied_views = [m for m in applied_views if m.state == "applied"]
    parties = {v.provider_id for v in waiting_views + disputed_views} | {
        v.receiver_id for v in waiting_views + disputed_views
    }
    ctx = {
        "applied": applied_views,
        "waiting": waiting_views,
        "disputed": disputed_views,
        "people": await names(request, who, parties),
    }
    return render(request, "desk/index.html", ctx)


async def _active_members(request, who) -> list[tb.MemberView]:
    ids = await request.app.state.lists.members(scope_list(who), ["active"])
    members = await _members(request, who, ids)
    return sorted((m for m in members if m.state == "active"), key=lambda m: m.name.lower())


# -- members -----------------------------------------------------------------------------------


@router.get("/members")
async def members(request: Request):
    who = desk_actor(request)
    lists = request.app.state.lists
    ids = await lists.members(scope_list(who), ["applied", "active", "suspended"])
    views = sorted(await _members(request, who, ids), key=lambda m: m.name.lower())
    return render(request, "desk/members.html", {"members": views})


@router.get("/members/new")
async def new_member(request: Request):
    desk_actor(request)
    return render(request, "desk/member_new.html", {"values": {"approve": "1"}})


@router.post("/members/new")
async def register_member(request: Request):
    who = desk_actor(request)
    form = await read_form(request)
    settings = request.app.state.settings
    try:
        model = contract(
            tb.RegisterMember,
            community=form.get("community") or community_of(request, who),
            kind=form.get("kind") or "resident",
            name=form.get("name"),
            neighbourhood=form.get("neighbourhood"),
            languages=[x for x in form.getlist("languages") if x in ("nl", "en")] or ["nl"],
            skills=[s for s in form.getlist("skills") if s in settings.categories],
            email=form.get("email").strip() or None,
            phone=form.get("phone").strip() or None,
            needs_vog=form.get("needs_vog") == "1",
        )
        ref = await request.app.state.bank.send(who, operation("register_member"), model)
    except (ValidationError, Refused) as exc:
        errors = (
            refusal_errors(exc)
            if isinstance(exc, Refused)
            else invalid(exc, {"name", "neighbourhood", "kind", "email", "phone", "community"})
        )
        ctx = {"errors": errors, "values": form.values}
        return render(request, "desk/member_new.html", ctx, 422)
    if form.get("approve") == "1":
        await request.app.state.bank.send(
            who, operation("approve_member"), tb.MemberRef(member_id=ref.member_id)
        )
    return redirect(f"/desk/members/{ref.member_id}")


@router.get("/members/{member_id}")
async def member(request: Request, member_id: UUID):
    who = desk_actor(request)
    return await _member_page(request, who, member_id)


async def _member_page(request, who, member_id, errors=None, values=None, status=200):
    bank = request.app.state.bank
    view = await bank.send(who, operation("get_member"), tb.MemberRef(member_id=member_id))
    balances = None
    try:
        balances = await bank.send(who, operation("balance"), tb.BalanceQuery(member_id=member_id))
    except (Refused, Forbidden):
        pass
    ctx = {
        "m": view,
        "balances": balances.balances if balances else [],
        "errors": errors or {},
        "values": values or {"seen_on": date.today().isoformat()},
    }
    return render(request, "desk/member.html", ctx, status_code=status)


MEMBER_ACTIONS = {"approve", "suspend", "vog", "limits"}


@router.post("/members/{member_id}/{action}")
async def member_action(request: Request, member_id: UUID, action: str):
    who = desk_actor(request)
    form = await read_form(request)
    bank = request.app.state.bank
    try:
        if action == "approve":
            await bank.send(who, operation("approve_member"), tb.MemberRef(member_id=member_id))
        elif action == "suspend":
            model = contract(tb.SuspendMember, member_id=member_id, reason=form.get("reason"))
            await bank.send(who, operation("suspend_member"), model)
        elif action == "vog":
            model = contract(tb.RecordVog, member_id=member_id, seen_on=form.get("seen_on"))
            await bank.send(who, operation("record_vog"), model)
        elif action == "limits":
            debt = form.get("debt_limit").strip()
            top = form.get("max_balance").strip()
            model = contract(
                tb.SetMemberLimits,
                member_id=member_id,
                unit=form.get("unit") or "hour",
                debt_limit=parse_minutes(debt, "debt_limit") if debt else None,
                max_balance=parse_minutes(top, "max_balance") if top else None,
            )
            await bank.send(who, operation("set_member_limits"), model)
        else:
            return await _member_page(request, who, member_id, status=404)
    except (ValidationError, FieldError, Refused) as exc:
        errors = (
            refusal_errors(exc)
            if isinstance(exc, Refused)
            else invalid(exc, {"reason", "seen_on", "debt_limit", "max_balance"})
        )
        errors = {f"{action}.{k}": v for k, v in errors.items()}
        return await _member_page(request, who, member_id, errors, form.values, 422)
    return redirect(f"/desk/members/{member_id}?done={action}")


@router.post("/act-for")
@router.post("/act-for/{member_id}")
async def act_for(request: Request, member_id: UUID | None = None):
    """Act for a member who is not online (without a member: stop). The member pages then
    show and do their things, every command carrying `on_behalf_of`."""
    if member_id is None:
        require_signed(request)
    else:
        desk_actor(request)
    await read_form(request)
    await request.app.state.repo.act_for(request.state.session_token, member_id)
    return redirect("/exchanges" if member_id else "/desk")


# -- an exchange for two members who are not online ----------------------------------------------


@router.get("/record")
async def record_page(request: Request):
    who = desk_actor(request)
    ctx = {"members": await _active_members(request, who), "values": {"confirm_now": "1"}}
    return render(request, "desk/record.html", ctx)


@router.post("/record")
async def record_exchange(request: Request):
    who = desk_actor(request)
    form = await read_form(request)
    try:
        model = contract(
            tb.RecordExchange,
            community=community_of(request, who),
            provider_id=form.get("provider_id"),
            receiver_id=form.get("receiver_id"),
            amount=parse_minutes(form.get("amount")),
            description=form.get("description"),
            category=form.get("category") or None,
            confirm_now=form.get("confirm_now") == "1",
        )
        status = await request.app.state.bank.send(who, operation("record_exchange"), model)
    except (ValidationError, FieldError, Refused) as exc:
        errors = (
            refusal_errors(exc)
            if isinstance(exc, Refused)
            else invalid(exc, {"provider_id", "receiver_id", "amount", "description", "category"})
        )
        ctx = {
            "members": await _active_members(request, who),
            "errors": errors,
            "values": form.values,
        }
        return render(request, "desk/record.html", ctx, 422)
    return redirect(f"/exchanges/{status.exchange_id}")


@router.post("/transfers/{transfer_id}/reverse")
async def reverse(request: Request, transfer_id: UUID):
    who = desk_actor(request)
    form = await read_form(request)
    back = form.get("back") if form.get("back").startswith("/") else "/desk"
    try:
        raw = form.get("amount").strip()
        model = contract(
            tb.ReverseTransfer,
            transfer_id=new_id(),
            reverses_transfer_id=transfer_id,
            amount=parse_minutes(raw) if raw else None,
            reason=form.get("reason"),
        )
        await request.app.state.bank.send(who, operation("reverse_transfer"), model)
    except (ValidationError, FieldError, Refused) as exc:
        errors = (
            refusal_errors(exc) if isinstance(exc, Refused) else invalid(exc, {"amount", "reason"})
        )
        return render(
            request, "error.html", {"kind": "form", "messages": list(errors.values())}, 422
        )
    return redirect(back + ("&" if "?" in back else "?") + "done=reverse")


# -- the community pot ---------------------------------------------------------------------------


@router.get("/pot")
async def pot(request: Request):
    who = desk_actor(request)
    return await _pot_page(request, who)


async def _pot_page(request, who, errors=None, values=None, status=200):
    community = community_of(request, who)
    page = await request.app.state.bank.send(
        who, operation("statement"), tb.StatementQuery(community=community, limit=50)
    )
    people = await names(
        request, who, {e.counterparty_member_id for e in page.entries if e.counterparty_member_id}
    )
    ctx = {
        "community": community,
        "page": page,
        "people": people,
        "members": await _active_members(request, who),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "desk/pot.html", ctx, status_code=status)


@router.post("/pot/award")
async def award(request: Request):
    who = desk_actor(request)
    form = await read_form(request)
    try:
        model = contract(
            tb.Award,
            transfer_id=new_id(),
            community=community_of(request, who),
            member_id=form.get("member_id"),
            amount=parse_minutes(form.get("amount")),
            reason=form.get("reason"),
        )
        await request.app.state.bank.send(who, operation("award"), model)
    except (ValidationError, FieldError, Refused) as exc:
        errors = (
            refusal_errors(exc)
            if isinstance(exc, Refused)
            else invalid(exc, {"member_id", "amount", "reason"})
        )
        return await _pot_page(request, who, errors, form.values, 422)
    return redirect("/desk/pot?done=award")


@router.get("/community.csv")
async def community_csv(request: Request):
    who = desk_actor(request)
    community = community_of(request, who)
    return await csv_download(request, who, {"community": community}, f"{community}-hours")


# -- statistics ----------------------------------------------------------------------------------


def state_name(state: str) -> str:
    return _(STATE_LABELS[state]) if state in STATE_LABELS else state


def _group(items, empty_key: str, labels: dict[str, str] | None = None) -> list[Bar]:
    labels = labels or {}
    return [
        Bar(
            _(labels[g.key]) if g.key in labels else (g.key or empty_key),
            g.amount,
            format_minutes(g.amount),
        )
        for g in items
    ]


@router.get("/stats")
async def stats(request: Request):
    who = desk_actor(request)
    community = community_of(request, who)
    figures = await request.app.state.bank.send(
        who, operation("community_stats"), tb.StatsQuery(community=community)
    )
    empty = _("Nothing recorded yet.")
    charts = {
        "months": bar_chart(
            "chart-months",
            _("Hours exchanged per month"),
            [Bar(m.month, m.amount, format_minutes(m.amount)) for m in figures.by_month],
            empty,
        ),
        "categories": bar_chart(
            "chart-categories",
            _("Hours by category"),
            _group(figures.by_category, _("none"), CATEGORY_LABELS),
            empty,
        ),
        "neighbourhoods": bar_chart(
            "chart-neighbourhoods",
            _("Hours by neighbourhood"),
            _group(figures.by_neighbourhood, _("none")),
            empty,
        ),
        "states": bar_chart(
            "chart-states",
            _("Members by state"),
            [Bar(state_name(k), v, str(v)) for k, v in sorted(figures.members_by_state.items())],
            empty,
        ),
        "share": bar_chart(
            "chart-share",
            _("Share recorded by coordinators"),
            [
                Bar(
                    _("by coordinators"),
                    figures.recorded_by_coordinator_amount,
                    format_minutes(figures.recorded_by_coordinator_amount),
                ),
                Bar(
                    _("by members"),
                    figures.total_amount - figures.recorded_by_coordinator_amount,
                    format_minutes(figures.total_amount - figures.recorded_by_coordinator_amount),
                ),
            ]
            if figures.total_amount
            else [],
            empty,
        ),
    }
    bp = figures.recorded_by_coordinator_basis_points
    ctx = {"f": figures, "charts": charts, "share": f"{bp // 100},{bp % 100:02d}"}
    return render(request, "desk/stats.html", ctx)
