"""Reviewers' assessments, decisions in a meeting, and the wijkmanager's discretionary grant
(issue 11: Zaanstad's collective review of the stimuleringsbudget in the weekly wijkmanagers'
meeting; the aanvullend budget or "handgeld" within a limit per manager and period)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import Refusal
from contracts.funding import DiscretionaryLimit
from contracts.initiatives import Assessment

from .application import Application
from .funds import Earmark
from .money import euros


def check_assessments(earmark: Earmark, assessments: list[Assessment]) -> None:
    """Every assessment names a criterion of the earmark, and every criterion is assessed.

    Raises Refusal `unknown_criterion` or `criteria_incomplete` (naming what is missing)."""
    codes = [c.code for c in earmark.rules.criteria]
    for assessment in assessments:
        if assessment.criterion not in codes:
            raise Refusal(
                "unknown_criterion",
                {"criterion": assessment.criterion},
                criterion=assessment.criterion,
            )
    missing = [code for code in codes if code not in {a.criterion for a in assessments}]
    if missing:
        raise Refusal("criteria_incomplete", {"missing": missing}, missing=", ".join(missing))


def check_meeting(participants: list[str], actor_id: str) -> None:
    """Raises Refusal `not_a_participant` unless `actor_id` took part in the meeting."""
    if actor_id not in participants:
        raise Refusal("not_a_participant")


def check_amount(app: Application, earmark: Earmark, amount: int | None) -> int:
    """A granted amount: given, at most what was requested and at most the earmark's maximum
    per application. Returns it; raises Refusal `amount_required`, `amount_above_request` or
    `over_max_per_application`."""
    if amount is None:
        raise Refusal("amount_required")
    if amount > app.requested:
        raise Refusal(
            "amount_above_request",
            {"requested": app.requested},
            requested=euros(app.requested),
        )
    maximum = earmark.rules.max_per_application
    if maximum is not None and amount > maximum:
        raise Refusal("over_max_per_application", {"maximum": maximum}, maximum=euros(maximum))
    return amount


def check_decidable(app: Application, reviews: int) -> None:
    """A meeting decides on an application in review with at least one review recorded.

    Raises Refusal `not_reviewed` (screened, nobody reviewed it yet) or `invalid_state`."""
    if app.state == "screened" or (app.state == "in_review" and reviews == 0):
        raise Refusal("not_reviewed")
    if app.state != "in_review":
        raise Refusal("invalid_state", {"state": app.state}, state=app.state)


@dataclass(frozen=True)
class Room:
    """A wijkmanager's discretionary room on one earmark in one period (cents)."""

    period: str
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def take(self, amount: int) -> Room:
        """The room after granting `amount`; raises Refusal `over_discretionary_limit`."""
        if amount > self.remaining:
            raise Refusal(
                "over_discretionary_limit",
                {"period": self.period, "remaining": self.remaining, "limit": self.limit},
                period=self.period,
                remaining=euros(self.remaining),
            )
        return Room(self.period, self.limit, self.used + amount)


def limit_of(earmark: Earmark) -> DiscretionaryLimit:
    """The earmark's discretionary limit; raises Refusal `path_not_allowed` if it has none."""
    earmark.decides_by("discretionary")
    assert earmark.rules.discretionary_limit is not None  # the contract requires it
    return earmark.rules.discretionary_limit
