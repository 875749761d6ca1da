"""PostgreSQL adapters of the initiatives service (asyncpg): applications and their history,
the fund rules it keeps, meetings, reviews, decisions, discretionary use, volunteer minutes and
parked events. Every method runs in the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts import Actor, Event, Message, Refusal
from contracts.budget import FundFacts
from contracts.funding import EarmarkRules
from contracts.initiatives import ApplicationForm, ReportFigures

from .domain import Application, Earmark, VolunteerMinutes, newer

APPLICATION = Message(nl="De aanvraag", en="The application")


def not_found(application_id: UUID) -> Refusal:
    """The refusal for an application that does not exist, or that the asker may not see."""
    return Refusal("not_found", {"application_id": str(application_id)}, what=APPLICATION)


_APPLICATION_COLUMNS = (
    "application_id, applicant_id, applicant_kind, applicant_name, state, form, created_at, "
    "fund_year, rules_revision, submitted_at, decided_by, decision_id, decided_amount, "
    "decision_reasons, limit_period, granted_by, round_id, ballot_round_id, allocation_id, "
    "granted, granted_at, votes, paid, paid_at, spent, returned, report_no, report, "
    "report_accepted_at, closed_outcome"
)
# Fields stored as they are on the aggregate (the rest are mapped by hand below).
_PLAIN = (
    "state",
    "fund_year",
    "rules_revision",
    "submitted_at",
    "decided_by",
    "decision_id",
    "decided_amount",
    "decision_reasons",
    "limit_period",
    "granted_by",
    "round_id",
    "ballot_round_id",
    "allocation_id",
    "granted",
    "granted_at",
    "votes",
    "paid",
    "paid_at",
    "spent",
    "returned",
    "report_no",
    "report_accepted_at",
    "closed_outcome",
)


def _application(row: asyncpg.Record) -> Application:
    return Application(
        id=row["application_id"],
        applicant_id=row["applicant_id"],
        applicant_kind=row["applicant_kind"],
        applicant_name=row["applicant_name"],
        form=ApplicationForm.model_validate_json(row["form"]),
        report=ReportFigures.model_validate_json(row["report"]) if row["report"] else None,
        created_at=row["created_at"],
        **{name: row[name] for name in _PLAIN},
    )


def _form_columns(app: Application) -> tuple:
    """applicant_kind, applicant_name, form, and the form's fields the queries filter on."""
    form = app.form
    return (
        app.applicant_kind,
        app.applicant_name,
        form.model_dump_json(),
        form.fund_id,
        form.earmark_id,
        form.neighbourhood,
        form.title,
        app.requested,
        form.expected_participants,
    )


def _earmark(row: asyncpg.Record) -> Earmark:
    return Earmark(
        fund_id=row["fund_id"],
        fund_name=row["fund_name"],
        fund_year=row["year"],
        time_zone=row["time_zone"],
        earmark_id=row["earmark_id"],
        name=row["name"],
        neighbourhood=row["neighbourhood"],
        rules=EarmarkRules.model_validate_json(row["rules"]),
        revision=row["revision"],
        active=row["active"],
    )


class Repository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    # -- applications -----------------------------------------------------------------------

    async def application(self, application_id: UUID, lock: bool = False) -> Application | None:
        row = await self.conn.fetchrow(
            f"SELECT {_APPLICATION_COLUMNS} FROM applications WHERE application_id = $1"
            + (" FOR UPDATE" if lock else ""),
            application_id,
        )
        return _application(row) if row else None

    async def require(self, application_id: UUID) -> Application:
        """The application, locked for this transaction; Refusal `not_found` if absent."""
        app = await self.application(application_id, lock=True)
        if app is None:
            raise not_found(application_id)
        return app

    async def add(self, app: Application, actor: Actor, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO applications (application_id, applicant_id, applicant_kind, "
            "applicant_name, state, form, fund_id, earmark_id, neighbourhood, title, requested, "
            "expected_participants, created_at, updated_at) "
            "VALUES ($1, $2, $5, $6, $3, $7, $8, $9, $10, $11, $12, $13, $4, $4)",
            app.id,
            app.applicant_id,
            app.state,
            at,
            *_form_columns(app),
        )
        await self._history(app, actor, at)

    async def save(self, app: Application, actor: Actor, at: datetime) -> None:
        """Write the aggregate and append its new history entries."""
        values = [getattr(app, name) for name in _PLAIN]
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(_PLAIN, start=2))
        n = len(_PLAIN) + 2
        await self.conn.execute(
            f"UPDATE applications SET {sets}, report = ${n}, updated_at = ${n + 1}, "
            f"applicant_kind = ${n + 2}, applicant_name = ${n + 3}, form = ${n + 4}, "
            f"fund_id = ${n + 5}, earmark_id = ${n + 6}, neighbourhood = ${n + 7}, "
            f"title = ${n + 8}, requested = ${n + 9}, expected_participants = ${n + 10} "
            "WHERE application_id = $1",
            app.id,
            *values,
            app.report.model_dump_json() if app.report else None,
            at,
            *_form_columns(app),
        )
        await self._history(app, actor, at)

    async def _history(self, app: Application, actor: Actor, at: datetime) -> None:
        if not app.changes:
            return
        await self.conn.execute(
            "INSERT INTO history (application_id, seq, at, action, state, actor_role, actor_id, "
            "on_behalf_of, note) "
            "SELECT $1, coalesce((SELECT max(seq) FROM history WHERE application_id = $1), 0) "
            "+ n, $2, action, state, $3, $4, $5, note "
            "FROM unnest($6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS c(action, state, "
            "note, n)",
            app.id,
            at,
            actor.role,
            actor.id,
            actor.on_behalf_of,
            [c.action for c in app.changes],
            [c.state for c in app.changes],
            [c.note for c in app.changes],
        )
        app.changes.clear()

    # -- funds and rounds (the budget service's facts) --------------------------------------

    async def earmark(self, earmark_id: UUID) -> Earmark | None:
        row = await self.conn.fetchrow(
            "SELECT e.*, f.name AS fund_name, f.year, f.time_zone FROM earmarks e "
            "JOIN funds f USING (fund_id) WHERE e.earmark_id = $1",
            earmark_id,
        )
        return _earmark(row) if row else None

    async def store_fund(self, fund: FundFacts) -> bool:
        """Keep `fund` if its revision is newer than what is stored; True if it was."""
        stored = await self.conn.fetchval(
            "SELECT revision FROM funds WHERE fund_id = $1 FOR UPDATE", fund.fund_id
        )
        if not newer(stored, fund.revision):
            return False
        await self.conn.execute(
            "INSERT INTO funds (fund_id, revision, name, year, time_zone) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fund_id) DO UPDATE SET "
            "revision = EXCLUDED.revision, name = EXCLUDED.name, year = EXCLUDED.year, "
            "time_zone = EXCLUDED.time_zone",
            fund.fund_id,
            fund.revision,
            fund.name,
            fund.year,
            fund.time_zone,
        )
        await self.conn.execute(
            "INSERT INTO earmarks (earmark_id, fund_id, name, neighbourhood, rules, revision, "
            "amount, amount_revision) "
            "SELECT e.id, $1, e.name, e.neighbourhood, e.rules, $2, e.amount, $2 "
            "FROM unnest($3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[]) "
            "AS e(id, name, neighbourhood, rules, amount) "
            "ON CONFLICT (earmark_id) DO UPDATE SET name = EXCLUDED.name, "
            "neighbourhood = EXCLUDED.neighbourhood, rules = EXCLUDED.rules, "
            "revision = EXCLUDED.revision, active = true, "
            "amount = CASE WHEN earmarks.amount_revision < EXCLUDED.amount_revision "
            "THEN EXCLUDED.amount ELSE earmarks.amount END, "
            "amount_revision = greatest(earmarks.amount_revision, EXCLUDED.amount_revision)",
            fund.fund_id,
            fund.revision,
            [e.earmark_id for e in fund.earmarks],
            [e.name for e in fund.earmarks],
            [e.neighbourhood for e in fund.earmarks],
            [e.rules.model_dump_json() for e in fund.earmarks],
            [e.amount for e in fund.earmarks],
        )
        # An earmark the fund no longer has takes no new applications.
        await self.conn.execute(
            "UPDATE earmarks SET active = false WHERE fund_id = $1 AND NOT earmark_id = ANY($2)",
            fund.fund_id,
            [e.earmark_id for e in fund.earmarks],
        )
        return True

    async def store_amount(self, earmark_id: UUID, amount: int, revision: int) -> bool:
        status = await self.conn.execute(
            "UPDATE earmarks SET amount = $2, amount_revision = $3 "
            "WHERE earmark_id = $1 AND amount_revision < $3",
            earmark_id,
            amount,
            revision,
        )
        return status.endswith(" 1")

    async def round_opened(self, round_id: UUID, neighbourhood: str, closes_at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO rounds (round_id, neighbourhood, closes_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (round_id) DO NOTHING",
            round_id,
            neighbourhood,
            closes_at,
        )

    async def round_closed(self, round_id: UUID, neighbourhood: str, at: datetime) -> None:
        # Closed stays closed, whichever of opened and closed arrives first.
        await self.conn.execute(
            "INSERT INTO rounds (round_id, neighbourhood, closes_at, closed) "
            "VALUES ($1, $2, $3, true) ON CONFLICT (round_id) DO UPDATE SET closed = true",
            round_id,
            neighbourhood,
            at,
        )

    async def is_closed(self, round_id: UUID | None) -> bool:
        if round_id is None:
            return False
        return bool(
            await self.conn.fetchval("SELECT closed FROM rounds WHERE round_id = $1", round_id)
        )

    # -- meetings, reviews, decisions --------------------------------------------------------

    async def add_meeting(
        self,
        meeting_id: UUID,
        neighbourhood: str,
        name: str,
        held_on,
        participants: list[str],
        recorded_by: str,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO meetings (meeting_id, neighbourhood, name, held_on, participants, "
            "recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
            meeting_id,
            neighbourhood,
            name,
            held_on,
            participants,
            recorded_by,
        )

    async def meeting(self, meeting_id: UUID, neighbourhood: str) -> asyncpg.Record:
        """The meeting in this neighbourhood; Refusal `unknown_meeting` otherwise."""
        row = await self.conn.fetchrow(
            "SELECT meeting_id, name, held_on, neighbourhood, participants FROM meetings "
            "WHERE meeting_id = $1 AND neighbourhood = $2",
            meeting_id,
            neighbourhood,
        )
        if row is None:
            raise Refusal("unknown_meeting", {"meeting_id": str(meeting_id)})
        return row

    async def put_review(
        self,
        review_id: UUID,
        application_id: UUID,
        reviewer_id: str,
        meeting_id: UUID | None,
        assessments: str,
        advice: str,
        advised_amount: int | None,
        note: str | None,
        at: datetime,
    ) -> UUID:
        """Record a reviewer's review, replacing their earlier one; returns its id."""
        return await self.conn.fetchval(
            "INSERT INTO reviews (review_id, application_id, reviewer_id, meeting_id, "
            "assessments, advice, advised_amount, note, recorded_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
            "ON CONFLICT (application_id, reviewer_id) DO UPDATE SET "
            "meeting_id = EXCLUDED.meeting_id, assessments = EXCLUDED.assessments, "
            "advice = EXCLUDED.advice, advised_amount = EXCLUDED.advised_amount, "
            "note = EXCLUDED.note, recorded_at = EXCLUDED.recorded_at "
            "RETURNING review_id",
            review_id,
            application_id,
            reviewer_id,
            meeting_id,
            assessments,
            advice,
            advised_amount,
            note,
            at,
        )

    async def review_count(self, application_id: UUID) -> int:
        return await self.conn.fetchval(
            "SELECT count(*) FROM reviews WHERE application_id = $1", application_id
        )

    async def add_decision(
        self, decision_id: UUID, application_id: UUID, at: datetime, payload: str
    ) -> None:
        await self.conn.execute(
            "INSERT INTO decisions (decision_id, application_id, decided_at, payload) "
            "VALUES ($1, $2, $3, $4)",
            decision_id,
            application_id,
            at,
            payload,
        )

    # -- discretionary use -------------------------------------------------------------------

    async def lock_use(self, manager_id: str, earmark_id: UUID, period: str) -> int:
        """Lock (creating it on first use) a manager's use of an earmark in a period; returns
        what is used. Every grant of that manager there waits here for the one before."""
        await self.conn.execute(
            "INSERT INTO discretionary_use (manager_id, earmark_id, period) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            manager_id,
            earmark_id,
            period,
        )
        return await self.conn.fetchval(
            "SELECT used FROM discretionary_use WHERE manager_id = $1 AND earmark_id = $2 "
            "AND period = $3 FOR UPDATE",
            manager_id,
            earmark_id,
            period,
        )

    async def use(self, manager_id: str, earmark_id: UUID, period: str) -> int:
        return (
            await self.conn.fetchval(
                "SELECT used FROM discretionary_use WHERE manager_id = $1 AND earmark_id = $2 "
                "AND period = $3",
                manager_id,
                earmark_id,
                period,
            )
            or 0
        )

    async def grant_discretionary(
        self,
        decision_id: UUID,
        application_id: UUID,
        manager_id: str,
        earmark_id: UUID,
        period: str,
        amount: int,
    ) -> None:
        await self.conn.execute(
            "WITH g AS (INSERT INTO discretionary_grants (decision_id, application_id, "
            "manager_id, earmark_id, period, amount) VALUES ($1, $2, $3, $4, $5, $6)) "
            "UPDATE discretionary_use SET used = used + $6 "
            "WHERE manager_id = $3 AND earmark_id = $4 AND period = $5",
            decision_id,
            application_id,
            manager_id,
            earmark_id,
            period,
            amount,
        )

    async def release_discretionary(self, decision_id: UUID) -> None:
        """Give a grant's amount back to its manager's room (once: the grant is marked)."""
        await self.conn.execute(
            "WITH g AS (UPDATE discretionary_grants SET released = true "
            "WHERE decision_id = $1 AND NOT released "
            "RETURNING manager_id, earmark_id, period, amount) "
            "UPDATE discretionary_use u SET used = u.used - g.amount FROM g "
            "WHERE u.manager_id = g.manager_id AND u.earmark_id = g.earmark_id "
            "AND u.period = g.period",
            decision_id,
        )

    # -- volunteer minutes -------------------------------------------------------------------

    async def add_minutes(self, entry: VolunteerMinutes) -> bool:
        status = await self.conn.execute(
            "INSERT INTO volunteer_minutes (transfer_id, initiative_id, member_id, minutes) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (transfer_id) DO NOTHING",
            entry.transfer_id,
            entry.initiative_id,
            entry.member_id,
            entry.minutes,
        )
        return status.endswith(" 1")

    async def hours(self, initiative_id: UUID) -> tuple[int, int]:
        """(minutes, distinct volunteers with minutes left) for an initiative."""
        row = await self.conn.fetchrow(
            "SELECT coalesce(sum(m), 0)::bigint AS minutes, count(*) FILTER (WHERE m > 0) "
            "AS volunteers FROM (SELECT sum(minutes) AS m FROM volunteer_minutes "
            "WHERE initiative_id = $1 GROUP BY member_id) per_member",
            initiative_id,
        )
        return max(row["minutes"], 0), row["volunteers"]

    # -- parked events -----------------------------------------------------------------------

    async def park(self, event: Event, application_id: UUID, reason: str) -> None:
        await self.conn.execute(
            "INSERT INTO parked_events (event_id, application_id, type, version, occurred_at, "
            "payload, reason) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            "ON CONFLICT (event_id) DO UPDATE SET reason = EXCLUDED.reason",
            event.event_id,
            application_id,
            event.type,
            event.version,
            event.occurred_at,
            event.model_dump_json().encode(),
            reason,
        )

    async def parked(self, application_id: UUID) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT event_id, type, version, payload FROM parked_events "
            "WHERE application_id = $1 ORDER BY occurred_at, event_id",
            application_id,
        )

    async def unpark(self, event_id: UUID) -> None:
        await self.conn.execute("DELETE FROM parked_events WHERE event_id = $1", event_id)


def as_json(value) -> str:
    """A JSON text for a jsonb parameter."""
    return json.dumps(value, separators=(",", ":"))
