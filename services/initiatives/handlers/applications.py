"""Applicants' commands: save a draft, submit it (screened at once), withdraw it."""

from __future__ import annotations

from contracts import Refusal, new_id, utc_now
from contracts.initiatives import (
    ApplicationAction,
    ApplicationRef,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    SaveDraft,
    Submitted,
    Withdraw,
)
from kit.uow import UnitOfWork

from ..domain import Application, Change, screen
from .common import repo, save


async def save_draft(uow: UnitOfWork, cmd: SaveDraft) -> ApplicationRef:
    repository = repo(uow)
    if cmd.application_id is None:
        app = Application(
            new_id(), cmd.applicant_id, cmd.applicant_kind, cmd.applicant_name, "draft", cmd.form
        )
        app.changes.append(Change("drafted", "draft"))
        await repository.add(app, uow.actor, utc_now())
        return ApplicationRef(application_id=app.id, state=app.state)
    app = await repository.require(cmd.application_id)
    app.owned_by(cmd.applicant_id)
    app.transition("drafted", "Concept gewijzigd.")
    app.form, app.applicant_kind, app.applicant_name = (
        cmd.form,
        cmd.applicant_kind,
        cmd.applicant_name,
    )
    await save(uow, repository, app)
    return ApplicationRef(application_id=app.id, state=app.state)


async def submit_application(uow: UnitOfWork, cmd: ApplicationAction) -> Submitted:
    repository, now = repo(uow), utc_now()
    app = await repository.require(cmd.application_id)
    app.owned_by(cmd.applicant_id)
    app.allow("submitted")
    earmark = await repository.earmark(app.form.earmark_id)
    findings = screen(app.form, earmark, now)
    details = {"findings": [f.model_dump(mode="json") for f in findings]}
    if findings and findings[0].rule == "fund_unknown":
        raise Refusal("unknown_fund", details)
    if findings:
        raise Refusal("screening_failed", details, count=len(findings))
    app.fund_year, app.rules_revision, app.submitted_at = earmark.fund_year, earmark.revision, now
    app.transition("submitted")
    uow.emit(ApplicationSubmitted(**app.facts(), form=app.form, submitted_at=now))
    criteria = [c.code for c in earmark.rules.criteria]
    app.transition("screened", "Voldoet aan de regels van het fonds.")
    uow.emit(
        ApplicationScreened(
            **app.facts(), rules_revision=earmark.revision, criteria=criteria, screened_at=now
        )
    )
    await save(uow, repository, app)
    return Submitted(
        application_id=app.id, state=app.state, requested=app.requested, criteria=criteria
    )


async def withdraw_application(uow: UnitOfWork, cmd: Withdraw) -> ApplicationRef:
    repository = repo(uow)
    app = await repository.require(cmd.application_id)
    app.owned_by(cmd.applicant_id)
    if app.state == "admitted" and await repository.is_closed(app.ballot_round_id or app.round_id):
        raise Refusal("round_closed")
    previous = app.state
    app.transition("withdrawn", cmd.reason)
    if previous != "draft":  # a draft was never published
        uow.emit(
            ApplicationWithdrawn(
                **app.facts(), previous_state=previous, reason=cmd.reason, withdrawn_at=utc_now()
            )
        )
    await save(uow, repository, app)
    return ApplicationRef(application_id=app.id, state=app.state)
