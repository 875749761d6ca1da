"""Reviewers' commands: meetings, reviews per criterion, decisions in a meeting, and the
wijkmanager's discretionary grant within their limit."""

from __future__ import annotations

from contracts import Refusal, new_id, utc_now
from contracts.initiatives import (
    ApplicationAdmitted,
    ApplicationGrantedDirectly,
    ApplicationRejected,
    Decide,
    DecisionRef,
    DecisionTaken,
    DiscretionaryGrant,
    GrantDiscretionary,
    MeetingFacts,
    MeetingRef,
    RecordMeeting,
    RecordReview,
    ReviewRecorded,
    ReviewRef,
)
from kit.uow import UnitOfWork

from ..domain import (
    Application,
    Earmark,
    Room,
    check_amount,
    check_assessments,
    check_decidable,
    check_meeting,
    limit_of,
)
from ..repository import Repository, as_json
from .common import repo, save


async def _earmark(repository: Repository, app: Application) -> Earmark:
    earmark = await repository.earmark(app.form.earmark_id)
    if earmark is None:  # screened against it, so only a lost database could get here
        raise Refusal("unknown_fund", {"earmark_id": str(app.form.earmark_id)})
    return earmark


async def record_meeting(uow: UnitOfWork, cmd: RecordMeeting) -> MeetingRef:
    check_meeting(cmd.participants, uow.actor.id)
    meeting_id = new_id()
    await repo(uow).add_meeting(
        meeting_id, cmd.neighbourhood, cmd.name, cmd.held_on, cmd.participants, uow.actor.id
    )
    return MeetingRef(meeting_id=meeting_id)


async def record_review(uow: UnitOfWork, cmd: RecordReview) -> ReviewRef:
    repository, now = repo(uow), utc_now()
    app = await repository.require(cmd.application_id)
    app.in_neighbourhood(cmd.neighbourhood)
    app.allow("reviewed")
    if cmd.meeting_id is not None:
        await repository.meeting(cmd.meeting_id, cmd.neighbourhood)
    check_assessments(await _earmark(repository, app), cmd.assessments)
    review_id = await repository.put_review(
        new_id(),
        app.id,
        uow.actor.id,
        cmd.meeting_id,
        as_json([a.model_dump(mode="json") for a in cmd.assessments]),
        cmd.advice,
        cmd.advised_amount,
        cmd.note,
        now,
    )
    app.transition("reviewed", f"Advies: {cmd.advice}.")
    uow.emit(
        ReviewRecorded(
            review_id=review_id,
            application_id=app.id,
            neighbourhood=app.form.neighbourhood,
            reviewer_id=uow.actor.id,
            meeting_id=cmd.meeting_id,
            assessments=cmd.assessments,
            advice=cmd.advice,
            advised_amount=cmd.advised_amount,
            note=cmd.note,
            recorded_at=now,
        )
    )
    await save(uow, repository, app)
    return ReviewRef(review_id=review_id, application_id=app.id, state=app.state)


async def _record_decision(
    uow: UnitOfWork, repository: Repository, app: Application, decision: DecisionTaken
) -> None:
    await repository.add_decision(
        decision.decision_id, app.id, decision.decided_at, decision.model_dump_json()
    )
    uow.emit(decision)
    app.decision_id, app.decision_reasons = decision.decision_id, decision.reasons


async def decide(uow: UnitOfWork, cmd: Decide) -> DecisionRef:
    repository, now = repo(uow), utc_now()
    app = await repository.require(cmd.application_id)
    app.in_neighbourhood(cmd.neighbourhood)
    check_decidable(app, await repository.review_count(app.id))
    meeting = await repository.meeting(cmd.meeting_id, cmd.neighbourhood)
    check_meeting(meeting["participants"], uow.actor.id)
    earmark = await _earmark(repository, app)
    amount = None
    if cmd.outcome == "admit":
        earmark.decides_by("ballot")
    elif cmd.outcome == "grant":
        earmark.decides_by("reviewers")
        amount = check_amount(app, earmark, cmd.amount)
    decision = DecisionTaken(
        decision_id=new_id(),
        application_id=app.id,
        neighbourhood=app.form.neighbourhood,
        outcome=cmd.outcome,
        amount=amount,
        reasons=cmd.reasons,
        decided_by=uow.actor.id,
        meeting=MeetingFacts(
            meeting_id=meeting["meeting_id"],
            name=meeting["name"],
            held_on=meeting["held_on"],
            neighbourhood=meeting["neighbourhood"],
            participants=meeting["participants"],
        ),
        decided_at=now,
    )
    await _record_decision(uow, repository, app, decision)
    facts = app.facts()
    if cmd.outcome == "admit":
        app.decided_by, app.decided_amount = "ballot", app.requested
        app.transition("admitted", cmd.reasons)
        uow.emit(
            ApplicationAdmitted(
                **facts,
                decision_id=decision.decision_id,
                summary=app.form.summary,
                category=app.form.category,
                cost=app.requested,
                round_id=app.form.round_id,
                admitted_at=now,
            )
        )
    elif cmd.outcome == "grant":
        app.decided_by, app.decided_amount, app.granted_by = "reviewers", amount, uow.actor.id
        app.transition("granted_directly", cmd.reasons)
        uow.emit(
            ApplicationGrantedDirectly(
                **facts,
                decision_id=decision.decision_id,
                amount=amount,
                path="reviewers",
                granted_by=uow.actor.id,
                meeting_id=cmd.meeting_id,
                decided_at=now,
            )
        )
    else:
        app.transition("rejected", cmd.reasons)
        uow.emit(
            ApplicationRejected(
                **facts, decision_id=decision.decision_id, reasons=cmd.reasons, decided_at=now
            )
        )
    await save(uow, repository, app)
    return DecisionRef(decision_id=decision.decision_id, application_id=app.id, state=app.state)


async def grant_discretionary(uow: UnitOfWork, cmd: GrantDiscretionary) -> DiscretionaryGrant:
    repository, now, manager = repo(uow), utc_now(), uow.actor.id
    app = await repository.require(cmd.application_id)
    app.in_neighbourhood(cmd.neighbourhood)
    app.allow("granted_discretionary")
    earmark = await _earmark(repository, app)
    limit = limit_of(earmark)
    amount = check_amount(app, earmark, cmd.amount)
    period = earmark.period(now, limit.period)
    # The lock that keeps concurrent grants of one manager within the limit together.
    used = await repository.lock_use(manager, earmark.earmark_id, period)
    room = Room(period, limit.amount, used).take(amount)
    decision = DecisionTaken(
        decision_id=new_id(),
        application_id=app.id,
        neighbourhood=app.form.neighbourhood,
        outcome="discretionary_grant",
        amount=amount,
        reasons=cmd.reasons,
        decided_by=manager,
        decided_at=now,
    )
    await repository.grant_discretionary(
        decision.decision_id, app.id, manager, earmark.earmark_id, period, amount
    )
    await _record_decision(uow, repository, app, decision)
    app.decided_by, app.decided_amount, app.granted_by = "discretionary", amount, manager
    app.limit_period = period
    app.transition("granted_discretionary", cmd.reasons)
    uow.emit(
        ApplicationGrantedDirectly(
            **app.facts(),
            decision_id=decision.decision_id,
            amount=amount,
            path="discretionary",
            granted_by=manager,
            limit_period=period,
            decided_at=now,
        )
    )
    await save(uow, repository, app)
    return DiscretionaryGrant(
        manager_id=manager,
        earmark_id=earmark.earmark_id,
        period=period,
        period_kind=limit.period,
        limit=limit.amount,
        used=room.used,
        remaining=room.remaining,
        decision_id=decision.decision_id,
        application_id=app.id,
        state=app.state,
    )
