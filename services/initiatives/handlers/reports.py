"""Reporting: the applicant reports, a reviewer accepts (closing the application and telling
the budget service what was spent) or asks for more."""

from __future__ import annotations

from contracts import utc_now
from contracts.initiatives import (
    ApplicationClosed,
    ApplicationReported,
    ReportFigures,
    ReportRef,
    ReportReturned,
    ReportSubmitted,
    ReviewReport,
    SubmitReport,
)
from kit.uow import UnitOfWork

from ..domain import report_lines
from .common import repo, save


async def submit_report(uow: UnitOfWork, cmd: SubmitReport) -> ReportRef:
    repository, now = repo(uow), utc_now()
    app = await repository.require(cmd.application_id)
    app.owned_by(cmd.applicant_id)
    app.transition("report_submitted")  # refused unless granted or paid, before the rest
    lines = report_lines(app.form.budget_lines, cmd.lines)
    minutes, volunteers = await repository.hours(app.id)
    app.report = ReportFigures(
        lines=lines,
        spent=sum(line.spent for line in lines),
        participants=cmd.participants,
        volunteers=cmd.volunteers,
        timebank_minutes=minutes,
        timebank_volunteers=volunteers,
        extra_volunteer_minutes=cmd.extra_volunteer_minutes,
        story=cmd.story,
        receipts=cmd.receipts,
    )
    app.report_no += 1
    uow.emit(
        ReportSubmitted(**app.facts(), report_no=app.report_no, report=app.report, submitted_at=now)
    )
    await save(uow, repository, app)
    return ReportRef(application_id=app.id, report_no=app.report_no, state=app.state)


async def review_report(uow: UnitOfWork, cmd: ReviewReport) -> ReportRef:
    repository, now = repo(uow), utc_now()
    app = await repository.require(cmd.application_id)
    app.in_neighbourhood(cmd.neighbourhood)
    if cmd.accept:
        app.transition("report_accepted", cmd.reasons)
        app.report_accepted_at, app.closed_outcome = now, "report_accepted"
        uow.emit(
            ApplicationReported(
                **app.facts(),
                allocation_id=app.allocation_id,
                granted=app.granted or 0,
                report_no=app.report_no,
                report=app.report,
                accepted_by=uow.actor.id,
                accepted_at=now,
            )
        )
        uow.emit(ApplicationClosed(**app.facts(), outcome="report_accepted", closed_at=now))
    else:
        back = "paid" if app.paid_at else "granted"
        app.transition("report_returned", cmd.reasons, to=back)
        uow.emit(
            ReportReturned(
                **app.facts(), report_no=app.report_no, reasons=cmd.reasons, returned_at=now
            )
        )
    await save(uow, repository, app)
    return ReportRef(application_id=app.id, report_no=app.report_no, state=app.state)
