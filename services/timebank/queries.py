"""Read side: balances, statements, exports, statistics, search. Plain SQL over the tables
this service owns and its ledger's (through the ledger's `Journal` where it has the query);
no rules are decided here."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time
from uuid import UUID

from contracts import Empty, Refusal
from contracts import timebank as c
from kit.export import formula_safe
from kit.handlers import QueryContext
from ledger import Account, Journal

from . import domain


def balance_of(account: Account) -> c.UnitBalance:
    """What a member sees of one account. Every figure fits `Minutes`: the ledger keeps each
    total and limit within `MAX_TOTAL` (contracts/ledger.py)."""
    return c.UnitBalance(
        unit=account.unit,
        balance=account.balance,
        pending_in=account.credits_pending,
        pending_out=account.debits_pending,
        available=account.available,
        debt_limit=account.debt_limit,
        max_balance=account.max_balance,
    )


async def balance(ctx: QueryContext, q: c.BalanceQuery) -> c.Balances:
    accounts = await Journal(ctx.conn).accounts_of(q.member_id)
    if not accounts:
        raise Refusal("not_found", {"member_id": str(q.member_id)}, what="Het lid")
    return c.Balances(member_id=q.member_id, balances=[balance_of(a) for a in accounts])


async def _account_id(
    ctx: QueryContext, member_id: UUID | None, community: str | None, unit: str
) -> UUID:
    # A member's account: the policy admitted only the member or a coordinator. The pot:
    # coordinators only.
    if member_id is None:
        domain.require_coordinator(ctx.actor)
    found = await Journal(ctx.conn).account_id(community, unit, member_id)
    if found is None:
        raise Refusal("not_found", {"unit": unit}, what="De rekening")
    return found


async def _page(ctx: QueryContext, sql: str, limit: int, *args) -> tuple[list, int | None]:
    """Up to `limit` rows ordered by `seq`, and the cursor of the next page (None at the end)."""
    rows = await ctx.conn.fetch(sql, *args, limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    return rows, (rows[-1]["seq"] if more and rows else None)


async def statement(ctx: QueryContext, q: c.StatementQuery) -> c.Statement:
    account_id = await _account_id(ctx, q.member_id, q.community, q.unit)
    entries, next_after = await Journal(ctx.conn).statement(account_id, q.after, q.limit)
    return c.Statement(
        unit=q.unit,
        entries=[
            c.StatementEntry(
                entry=e.entry,
                transfer_id=e.transfer_id,
                at=e.at,
                kind=e.kind,
                amount=e.amount,
                balance=e.balance,
                counterparty_member_id=e.counterparty_owner,
                exchange_id=e.ref,
                note=e.note,
            )
            for e in entries
        ],
        next_after=next_after,
    )


def _hours(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    return f"{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d}"


async def export_csv(ctx: QueryContext, q: c.CsvExportQuery) -> c.CsvExport:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if q.member_id is not None:
        account_id = await _account_id(ctx, q.member_id, None, q.unit)
        entries, next_after = await Journal(ctx.conn).statement(account_id, q.after, q.limit)
        writer.writerow(
            [
                "entry",
                "at_utc",
                "kind",
                "unit",
                "amount",
                "hours",
                "balance",
                "counterparty_member_id",
                "exchange_id",
                "note",
            ]
        )
        for e in entries:
            writer.writerow(
                [
                    e.entry,
                    e.at.isoformat(),
                    e.kind,
                    q.unit,
                    e.amount,
                    _hours(e.amount) if q.unit == "hour" else "",
                    e.balance,
                    e.counterparty_owner or "community",
                    e.ref or "",
                    formula_safe(e.note or ""),  # typed by people: never a formula
                ]
            )
        rows = entries
    else:
        domain.require_coordinator(ctx.actor)
        rows, next_after = await _page(
            ctx,
            "SELECT t.seq, t.at, t.kind, t.amount, d.owner AS debit, cr.owner AS credit, "
            "t.ref AS exchange_id, f.category, f.neighbourhood, "
            "coalesce(f.recorded_by_coordinator, false) AS recorded_by_coordinator, t.reverses_id "
            "FROM ledger_transfers t JOIN ledger_accounts d ON d.id = t.debit_account_id "
            "JOIN ledger_accounts cr ON cr.id = t.credit_account_id "
            "LEFT JOIN transfer_facts f ON f.transfer_id = t.id "
            "WHERE t.ledger = $1 AND t.unit = $2 AND t.phase = 'posted' "
            "AND ($3::bigint IS NULL OR t.seq > $3) ORDER BY t.seq LIMIT $4",
            q.limit,
            q.community,
            q.unit,
            q.after,
        )
        writer.writerow(
            [
                "entry",
                "at_utc",
                "kind",
                "unit",
                "amount",
                "hours",
                "from_member_id",
                "to_member_id",
                "exchange_id",
                "category",
                "neighbourhood",
                "recorded_by_coordinator",
                "reverses_entry",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    r["seq"],
                    r["at"].isoformat(),
                    r["kind"],
                    q.unit,
                    r["amount"],
                    _hours(r["amount"]) if q.unit == "hour" else "",
                    r["debit"] or "community",
                    r["credit"] or "community",
                    r["exchange_id"] or "",
                    r["category"] or "",
                    r["neighbourhood"] or "",
                    "yes" if r["recorded_by_coordinator"] else "no",
                    r["reverses_id"] or "",
                ]
            )
    return c.CsvExport(csv=out.getvalue(), rows=len(rows), next_after=next_after)


async def community_stats(ctx: QueryContext, q: c.StatsQuery) -> c.CommunityStats:
    if not await ctx.conn.fetchval("SELECT true FROM communities WHERE code = $1", q.community):
        raise Refusal("unknown_community", {"community": q.community}, community=q.community)
    since = datetime.combine(q.since, time.min, UTC) if q.since else None
    until = datetime.combine(q.until, time.max, UTC) if q.until else None
    # Exchanged minutes: exchange transfers, less the reversals that corrected them.
    base = (
        "WITH moved AS ("
        " SELECT t.at, f.category, f.neighbourhood,"
        "  coalesce(f.recorded_by_coordinator, false) AS recorded_by_coordinator, t.kind,"
        "  t.debit_account_id, t.credit_account_id,"
        "  CASE WHEN t.kind = 'reversal' THEN -t.amount ELSE t.amount END AS amount"
        " FROM ledger_transfers t LEFT JOIN transfer_facts f ON f.transfer_id = t.id"
        " WHERE t.ledger = $1 AND t.unit = $2 AND t.phase = 'posted'"
        "  AND t.ref IS NOT NULL AND t.kind IN ('exchange', 'reversal')"
        "  AND ($3::timestamptz IS NULL OR t.at >= $3)"
        "  AND ($4::timestamptz IS NULL OR t.at <= $4)) "
    )
    args = (q.community, q.unit, since, until)
    by_month = await ctx.conn.fetch(
        base + "SELECT to_char(date_trunc('month', at AT TIME ZONE 'UTC'), 'YYYY-MM') AS k, "
        "sum(amount)::bigint AS amount, count(*) FILTER (WHERE kind = 'exchange') AS n "
        "FROM moved GROUP BY 1 ORDER BY 1",
        *args,
    )
    by_category = await ctx.conn.fetch(
        base + "SELECT coalesce(category, 'other') AS k, sum(amount)::bigint AS amount, "
        "count(*) FILTER (WHERE kind = 'exchange') AS n FROM moved GROUP BY 1 ORDER BY 2 DESC, 1",
        *args,
    )
    by_neighbourhood = await ctx.conn.fetch(
        base + "SELECT coalesce(neighbourhood, 'unknown') AS k, sum(amount)::bigint AS amount, "
        "count(*) FILTER (WHERE kind = 'exchange') AS n FROM moved GROUP BY 1 ORDER BY 2 DESC, 1",
        *args,
    )
    totals = await ctx.conn.fetchrow(
        base + "SELECT coalesce(sum(amount), 0)::bigint AS total, "
        "count(*) FILTER (WHERE kind = 'exchange') AS n, "
        "coalesce(sum(amount) FILTER (WHERE recorded_by_coordinator), 0)::bigint "
        "AS by_coordinator, "
        "(SELECT count(DISTINCT a.owner) FROM ledger_accounts a WHERE a.id IN "
        "  (SELECT debit_account_id FROM moved UNION SELECT credit_account_id FROM moved)"
        "  AND a.owner IS NOT NULL) AS active FROM moved",
        *args,
    )
    states = await ctx.conn.fetch(
        "SELECT state, count(*) AS n FROM members WHERE community = $1 GROUP BY state", q.community
    )
    total = totals["total"]
    share = (totals["by_coordinator"] * 10_000 // total) if total > 0 else 0
    return c.CommunityStats(
        community=q.community,
        unit=q.unit,
        by_month=[
            c.MonthFigure(month=r["k"], amount=r["amount"], transfers=r["n"]) for r in by_month
        ],
        by_category=[
            c.GroupFigure(key=r["k"], amount=r["amount"], transfers=r["n"]) for r in by_category
        ],
        by_neighbourhood=[
            c.GroupFigure(key=r["k"], amount=r["amount"], transfers=r["n"])
            for r in by_neighbourhood
        ],
        active_members=totals["active"],
        members_by_state={r["state"]: r["n"] for r in states},
        exchanges_confirmed=totals["n"],
        total_amount=total,
        recorded_by_coordinator_amount=totals["by_coordinator"],
        recorded_by_coordinator_basis_points=max(0, min(share, 10_000)),
    )


async def search_listings(ctx: QueryContext, q: c.SearchListings) -> c.Listings:
    where = ["community = $1", "state = 'open'", "expires_at > now()"]
    args: list = [q.community]

    def arg(value) -> str:
        args.append(value)
        return f"${len(args)}"

    if q.text:
        where.append(f"search @@ websearch_to_tsquery('dutch', {arg(q.text)})")
    if q.kind:
        where.append(f"kind = {arg(q.kind)}")
    if q.category:
        where.append(f"category = {arg(q.category)}")
    if q.neighbourhood:
        where.append(f"neighbourhood = {arg(q.neighbourhood)}")
    clause = " AND ".join(where)
    total = await ctx.conn.fetchval(f"SELECT count(*) FROM listings WHERE {clause}", *args)
    order = (
        "ts_rank(search, websearch_to_tsquery('dutch', $2)) DESC, published_at DESC"
        if q.text
        else "published_at DESC"
    )
    rows = await ctx.conn.fetch(
        "SELECT id, member_id, kind, title, description, category, neighbourhood, initiative_id, "
        f"expires_at, state FROM listings WHERE {clause} ORDER BY {order}, id "
        f"LIMIT {arg(q.per_page)} OFFSET {arg((q.page - 1) * q.per_page)}",
        *args,
    )
    return c.Listings(
        total=total,
        listings=[
            c.ListingView(
                listing_id=r["id"],
                member_id=r["member_id"],
                kind=r["kind"],
                title=r["title"],
                description=r["description"],
                category=r["category"],
                neighbourhood=r["neighbourhood"],
                initiative_id=r["initiative_id"],
                expires_at=r["expires_at"],
                state=r["state"],
            )
            for r in rows
        ],
    )


async def get_member(ctx: QueryContext, q: c.MemberRef) -> c.MemberView:
    r = await ctx.conn.fetchrow(
        "SELECT id, community, kind, name, neighbourhood, languages, skills, state, needs_vog, "
        "vog_seen_on FROM members WHERE id = $1",
        q.member_id,
    )
    if r is None:
        raise Refusal("not_found", {"member_id": str(q.member_id)}, what="Het lid")
    return c.MemberView(
        member_id=r["id"],
        community=r["community"],
        kind=r["kind"],
        name=r["name"],
        neighbourhood=r["neighbourhood"],
        languages=list(r["languages"]),
        skills=list(r["skills"]),
        state=r["state"],
        needs_vog=r["needs_vog"],
        vog_seen_on=r["vog_seen_on"],
    )


async def get_exchange(ctx: QueryContext, q: c.ExchangeRef) -> c.ExchangeView:
    r = await ctx.conn.fetchrow(
        "SELECT id, community, state, unit, provider_id, receiver_id, amount, recorded_amount, "
        "description, listing_id, initiative_id, pending_transfer_id, transfer_id, confirm_by "
        "FROM exchanges WHERE id = $1",
        q.exchange_id,
    )
    if r is None:
        raise Refusal("not_found", {"exchange_id": str(q.exchange_id)}, what="De uitwisseling")
    domain.require_self_or_coordinator(ctx.actor, r["provider_id"], r["receiver_id"])
    return c.ExchangeView(
        exchange_id=r["id"],
        **{
            k: r[k]
            for k in (
                "community",
                "state",
                "unit",
                "provider_id",
                "receiver_id",
                "amount",
                "recorded_amount",
                "description",
                "listing_id",
                "initiative_id",
                "pending_transfer_id",
                "transfer_id",
                "confirm_by",
            )
        },
    )


async def ping(_ctx: QueryContext, _q: Empty) -> Empty:
    return Empty()
