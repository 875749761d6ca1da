"""The read side of the initiatives service: an application with its history (for those who
may see it), an applicant's list, screening as you type, the reviewers' queue, a wijkmanager's
discretionary room, the monitoring figures and the public transparency register."""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

import asyncpg

from contracts import Actor, Empty, Refusal, utc_now
from contracts.funding import period_of
from contracts.initiatives import (
    ApplicationQuery,
    ApplicationSummary,
    ApplicationView,
    DecisionTaken,
    DiscretionaryRoom,
    HistoryEntry,
    Hours,
    Monitoring,
    MonitoringFigures,
    MonitoringQuery,
    MonitoringRow,
    MyApplications,
    MyApplicationsQuery,
    Queue,
    QueueItem,
    QueueQuery,
    Register,
    RegisterCsv,
    RegisterExportQuery,
    RegisterQuery,
    RegisterReport,
    RegisterRow,
    ReportFigures,
    ReviewView,
    RoomQuery,
    ScreenForm,
    Screening,
)
from contracts.initiatives import Assessment as AssessmentModel
from kit.export import csv_text
from kit.requests import QueryContext

from .domain import Application, covers, limit_of, public_name, screen
from .repository import Repository, not_found

_AREA = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")


def _serves(actor: Actor, app: Application) -> bool:
    """Whether `actor` may see `app`: its applicant; a reviewer whose scopes cover its
    neighbourhood; finance whose scopes hold its fund. Drafts only to their applicant."""
    scopes = actor.scopes
    if actor.role in ("resident", "organisation"):
        return app.applicant_id == actor.id
    if app.state == "draft" or (app.state == "withdrawn" and app.submitted_at is None):
        return False
    if "*" in scopes:
        return actor.role in ("reviewer", "finance")
    if actor.role == "reviewer":
        hood = app.form.neighbourhood
        return any(_AREA.match(s) and covers(s, hood) for s in scopes)
    if actor.role == "finance":
        return str(app.form.fund_id) in scopes
    return False


async def get_application(ctx: QueryContext, q: ApplicationQuery) -> ApplicationView:
    repository = Repository(ctx.conn)
    app = await repository.application(q.application_id)
    if app is None or not _serves(ctx.actor, app):
        raise not_found(q.application_id)
    history = await ctx.conn.fetch(
        "SELECT at, action, state, actor_role, actor_id, on_behalf_of, note FROM history "
        "WHERE application_id = $1 ORDER BY seq",
        app.id,
    )
    decisions = await ctx.conn.fetch(
        "SELECT payload FROM decisions WHERE application_id = $1 ORDER BY decided_at", app.id
    )
    reviews = []
    if ctx.actor.role == "reviewer":  # internal advice: not for the applicant
        reviews = await ctx.conn.fetch(
            "SELECT review_id, reviewer_id, meeting_id, assessments, advice, advised_amount, "
            "note, recorded_at FROM reviews WHERE application_id = $1 ORDER BY recorded_at",
            app.id,
        )
    minutes, volunteers = await repository.hours(app.id)
    return ApplicationView(
        application_id=app.id,
        state=app.state,
        applicant_id=app.applicant_id,
        applicant_kind=app.applicant_kind,
        applicant_name=app.applicant_name,
        form=app.form,
        requested=app.requested,
        granted=app.granted,
        decided_by=app.decided_by,
        allocation_id=app.allocation_id,
        round_id=app.round_id,
        paid=app.paid,
        hours=Hours(minutes=minutes, volunteers=volunteers),
        decisions=[DecisionTaken.model_validate_json(r["payload"]) for r in decisions],
        reviews=[
            ReviewView(
                review_id=r["review_id"],
                reviewer_id=r["reviewer_id"],
                meeting_id=r["meeting_id"],
                assessments=_assessments(r["assessments"]),
                advice=r["advice"],
                advised_amount=r["advised_amount"],
                note=r["note"],
                recorded_at=r["recorded_at"],
            )
            for r in reviews
        ],
        report=app.report,
        history=[HistoryEntry(**dict(r)) for r in history],
        created_at=app.created_at,
        updated_at=max(r["at"] for r in history),
    )


def _assessments(text: str) -> list[AssessmentModel]:
    return [AssessmentModel.model_validate_json(json.dumps(a)) for a in json.loads(text)]


async def my_applications(ctx: QueryContext, q: MyApplicationsQuery) -> MyApplications:
    rows = await ctx.conn.fetch(
        "SELECT application_id, title, state, fund_id, neighbourhood, requested, granted, "
        "updated_at FROM applications WHERE applicant_id = $1 ORDER BY created_at DESC "
        "LIMIT 500",
        q.applicant_id,
    )
    return MyApplications(applications=[ApplicationSummary(**dict(r)) for r in rows])


async def screen_application(ctx: QueryContext, q: ScreenForm) -> Screening:
    earmark = await Repository(ctx.conn).earmark(q.form.earmark_id)
    findings = screen(q.form, earmark, utc_now())
    return Screening(passed=not findings, requested=q.form.requested, findings=findings)


_WAITING = {"screened": "review", "in_review": "decision", "reported": "report"}
_STATES_FOR = {v: k for k, v in _WAITING.items()}


async def review_queue(ctx: QueryContext, q: QueueQuery) -> Queue:
    states = [_STATES_FOR[q.waiting_for]] if q.waiting_for else list(_WAITING)
    where = "neighbourhood = $1 AND state = ANY($2) AND ($3::uuid IS NULL OR fund_id = $3)"
    total = await ctx.conn.fetchval(
        f"SELECT count(*) FROM applications WHERE {where}", q.neighbourhood, states, q.fund_id
    )
    rows = await ctx.conn.fetch(
        "SELECT application_id, title, neighbourhood, fund_id, earmark_id, state, requested, "
        "updated_at, (SELECT count(*) FROM reviews r "
        "WHERE r.application_id = a.application_id) AS reviews "
        f"FROM applications a WHERE {where} ORDER BY updated_at, application_id "
        "LIMIT $4 OFFSET $5",
        q.neighbourhood,
        states,
        q.fund_id,
        q.per_page,
        (q.page - 1) * q.per_page,
    )
    items = [
        QueueItem(
            application_id=r["application_id"],
            title=r["title"],
            neighbourhood=r["neighbourhood"],
            fund_id=r["fund_id"],
            earmark_id=r["earmark_id"],
            state=r["state"],
            waiting_for=_WAITING[r["state"]],
            requested=r["requested"],
            reviews=r["reviews"],
            since=r["updated_at"],
        )
        for r in rows
    ]
    return Queue(items=items, total=total)


async def discretionary_room(ctx: QueryContext, q: RoomQuery) -> DiscretionaryRoom:
    repository = Repository(ctx.conn)
    earmark = await repository.earmark(q.earmark_id)
    if earmark is None:
        raise Refusal("unknown_fund", {"earmark_id": str(q.earmark_id)})
    limit = limit_of(earmark)
    period = period_of(q.on, limit.period) if q.on else earmark.period(utc_now(), limit.period)
    used = await repository.use(ctx.actor.id, earmark.earmark_id, period)
    return DiscretionaryRoom(
        manager_id=ctx.actor.id,
        earmark_id=earmark.earmark_id,
        period=period,
        period_kind=limit.period,
        limit=limit.amount,
        used=used,
        remaining=max(limit.amount - used, 0),
    )


# -- monitoring --------------------------------------------------------------------------------

_FILTER = (
    "a.submitted_at IS NOT NULL AND ($1::uuid IS NULL OR a.fund_id = $1) "
    "AND ($2::text IS NULL OR a.neighbourhood = $2) AND ($3::int IS NULL OR a.fund_year = $3)"
)
_GROUPS = "GROUP BY GROUPING SETS ((a.fund_id, a.neighbourhood, a.fund_year), ())"
_ACCEPTED = "a.report_accepted_at IS NOT NULL"
_GRANTED = "a.allocation_id IS NOT NULL AND a.closed_outcome IS DISTINCT FROM 'released'"
_MONITORING = f"""
SELECT a.fund_id, a.neighbourhood, a.fund_year AS year, grouping(a.fund_id) AS total,
       count(*) AS applications,
       count(*) FILTER (WHERE {_GRANTED}) AS granted,
       count(*) FILTER (WHERE a.state = 'not_granted') AS not_granted,
       count(*) FILTER (WHERE a.state = 'rejected') AS rejected,
       count(*) FILTER (WHERE a.state = 'withdrawn') AS withdrawn,
       coalesce(sum(a.requested), 0)::bigint AS requested,
       coalesce(sum(a.granted) FILTER (WHERE {_GRANTED}), 0)::bigint AS granted_amount,
       coalesce(sum(a.paid), 0)::bigint AS paid,
       coalesce(sum(coalesce(a.spent, (a.report->>'spent')::bigint))
           FILTER (WHERE {_ACCEPTED}), 0)::bigint AS spent,
       coalesce(sum((a.report->>'participants')::bigint) FILTER (WHERE {_ACCEPTED}), 0)::bigint
           AS participants,
       coalesce(sum(a.expected_participants), 0)::bigint AS expected_participants
FROM applications a WHERE {_FILTER} {_GROUPS}
"""
_VOLUNTEERS = f"""
WITH per AS (SELECT initiative_id, member_id, sum(minutes) AS m FROM volunteer_minutes
             GROUP BY initiative_id, member_id)
SELECT a.fund_id, a.neighbourhood, a.fund_year AS year, grouping(a.fund_id) AS total,
       coalesce(sum(greatest(per.m, 0)), 0)::bigint AS volunteer_minutes,
       count(DISTINCT per.member_id) FILTER (WHERE per.m > 0) AS volunteers
FROM applications a JOIN per ON per.initiative_id = a.application_id
WHERE {_FILTER} {_GROUPS}
"""
_NO_HOURS = {"volunteer_minutes": 0, "volunteers": 0}


def _figures(row: asyncpg.Record, hours: dict) -> dict:
    fields = set(MonitoringFigures.model_fields) - set(_NO_HOURS)
    return {**{f: row[f] for f in fields}, **hours}


async def monitoring(ctx: QueryContext, q: MonitoringQuery) -> Monitoring:
    args = (q.fund_id, q.neighbourhood, q.year)
    rows = await ctx.conn.fetch(_MONITORING, *args)
    hours = {
        (r["fund_id"], r["neighbourhood"], r["year"], r["total"]): {
            "volunteer_minutes": r["volunteer_minutes"],
            "volunteers": r["volunteers"],
        }
        for r in await ctx.conn.fetch(_VOLUNTEERS, *args)
    }
    result, totals = [], MonitoringFigures(**_figures_empty())
    for r in rows:
        key = (r["fund_id"], r["neighbourhood"], r["year"], r["total"])
        figures = _figures(r, hours.get(key, _NO_HOURS))
        if r["total"]:
            totals = MonitoringFigures(**figures)
        else:
            result.append(
                MonitoringRow(
                    fund_id=r["fund_id"],
                    neighbourhood=r["neighbourhood"],
                    year=r["year"],
                    **figures,
                )
            )
    result.sort(key=lambda row: (row.year, str(row.fund_id), row.neighbourhood))
    return Monitoring(rows=result, totals=totals)


def _figures_empty() -> dict:
    return dict.fromkeys(MonitoringFigures.model_fields, 0)


# -- the transparency register -----------------------------------------------------------------

_REGISTER = f"""
SELECT a.application_id, a.applicant_kind, a.applicant_name, a.title, a.form->>'summary' AS summary,
       a.neighbourhood, a.fund_id, f.name AS fund_name, f.time_zone, e.name AS earmark_name,
       a.fund_year AS year, a.granted, a.granted_at, a.decided_by, a.votes, a.decision_reasons,
       a.paid, a.report, a.report_accepted_at, count(*) OVER () AS total
FROM applications a JOIN funds f USING (fund_id) JOIN earmarks e USING (earmark_id)
WHERE {_GRANTED} AND ($1::text IS NULL OR a.neighbourhood = $1)
  AND ($2::uuid IS NULL OR a.fund_id = $2) AND ($3::int IS NULL OR a.fund_year = $3)
ORDER BY a.granted_at DESC, a.application_id LIMIT $4 OFFSET $5
"""


def _register_row(r: asyncpg.Record) -> RegisterRow:
    zone = ZoneInfo(r["time_zone"])
    report = None
    if r["report_accepted_at"] is not None:
        figures = ReportFigures.model_validate_json(r["report"])
        report = RegisterReport(
            spent=figures.spent,
            participants=figures.participants,
            volunteers=figures.volunteers,
            volunteer_minutes=figures.timebank_minutes + figures.extra_volunteer_minutes,
            story=figures.story,
            accepted_on=r["report_accepted_at"].astimezone(zone).date(),
        )
    return RegisterRow(
        application_id=r["application_id"],
        recipient=public_name(r["applicant_kind"], r["applicant_name"]),
        recipient_kind=r["applicant_kind"],
        title=r["title"],
        summary=r["summary"],
        neighbourhood=r["neighbourhood"],
        fund_id=r["fund_id"],
        fund_name=r["fund_name"],
        earmark_name=r["earmark_name"],
        year=r["year"],
        amount=r["granted"],
        granted_on=r["granted_at"].astimezone(zone).date(),
        decided_by=r["decided_by"],
        votes=r["votes"] if r["decided_by"] == "ballot" else None,
        reasons=r["decision_reasons"] if r["decided_by"] != "ballot" else None,
        paid=r["paid"],
        report=report,
    )


async def _register(
    ctx: QueryContext, q: RegisterQuery | RegisterExportQuery, limit: int, offset: int
) -> tuple[list[RegisterRow], int]:
    rows = await ctx.conn.fetch(_REGISTER, q.neighbourhood, q.fund_id, q.year, limit, offset)
    return [_register_row(r) for r in rows], (rows[0]["total"] if rows else 0)


async def transparency_register(ctx: QueryContext, q: RegisterQuery) -> Register:
    rows, total = await _register(ctx, q, q.per_page, (q.page - 1) * q.per_page)
    return Register(rows=rows, total=total, page=q.page)


REGISTER_COLUMNS = (
    "aanvraag",
    "ontvanger",
    "soort_ontvanger",
    "titel",
    "samenvatting",
    "wijk",
    "fonds",
    "potje",
    "jaar",
    "bedrag_cent",
    "toegekend_op",
    "besloten_door",
    "stemmen",
    "reden",
    "betaald_cent",
    "uitgegeven_cent",
    "deelnemers",
    "vrijwilligers",
    "vrijwilligersminuten",
    "verslag",
    "verslag_goedgekeurd_op",
)


async def export_register(ctx: QueryContext, q: RegisterExportQuery) -> RegisterCsv:
    rows, _ = await _register(ctx, q, q.limit, 0)
    records = (
        (
            r.application_id,
            r.recipient,
            r.recipient_kind,
            r.title,
            r.summary,
            r.neighbourhood,
            r.fund_name,
            r.earmark_name,
            r.year,
            r.amount,
            r.granted_on,
            r.decided_by,
            r.votes,
            r.reasons,
            r.paid,
            *(
                (
                    r.report.spent,
                    r.report.participants,
                    r.report.volunteers,
                    r.report.volunteer_minutes,
                    r.report.story,
                    r.report.accepted_on,
                )
                if r.report
                else (None,) * 6
            ),
        )
        for r in rows
    )
    parts = [str(p) for p in (q.neighbourhood, q.year) if p is not None]
    name = "-".join(["transparantieregister", *parts]) + ".csv"
    return RegisterCsv(file_name=name, csv=csv_text(REGISTER_COLUMNS, records), rows=len(rows))


async def ping(_ctx: QueryContext, _q: Empty) -> Empty:
    return Empty()
