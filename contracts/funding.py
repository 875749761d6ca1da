"""Words the initiatives and budget services share: budget lines, how money is decided, a
fund's criteria and rules. The budget service owns the rules (it publishes them in its fund
events); the initiatives service screens applications against them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .text import Label, Title, text
from .types import Contract, NeighbourhoodCode, PositiveCents, UtcDateTime

BudgetLineKind = Literal["materials", "rent", "food", "promotion", "fees", "other"]
"""What a budget line pays for (the kinds the seed municipalities' forms ask for)."""

BUDGET_LINE_KINDS: tuple[str, ...] = BudgetLineKind.__args__

DecisionPath = Literal["ballot", "reviewers", "discretionary"]
"""How money is decided: a panel or resident ballot (wijkbudget), reviewers in their meeting
(stimuleringsbudget), or one wijkmanager within a limit (aanvullend budget, "handgeld")."""

LimitPeriod = Literal["month", "quarter", "year"]
"""Calendar periods in the fund's time zone."""

CriterionText = text(2000)
CriterionCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]

MAX_LINE_AMOUNT = 100_000_000
"""At most one million euro (in cents) on one budget line: a typo guard, far above any fund."""

LineAmount = Annotated[int, Field(strict=True, gt=0, le=MAX_LINE_AMOUNT)]
"""The amount of one budget line, in cents."""

ReportedAmount = Annotated[int, Field(strict=True, ge=0, le=MAX_LINE_AMOUNT)]
"""What was actually spent on one budget line, in cents (zero when nothing was spent)."""

LineNumber = Annotated[int, Field(strict=True, ge=1, le=50)]


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
    return value


TimeZoneName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$", max_length=60),
    AfterValidator(_known_zone),
]
"""An IANA time zone (default Europe/Amsterdam): the fund's days, months and deadlines."""


class BudgetLine(Contract):
    """One line of an application's budget: what for, of which kind, how much (cents)."""

    line: LineNumber
    description: Label
    kind: BudgetLineKind
    amount: LineAmount


class Criterion(Contract):
    """One item of a fund's criteria checklist; the applicant explains it, reviewers judge it.

    Zaanstad's stimuleringsbudget has six (a task or goal stands central; by and for residents;
    lasting connections between residents; social enterprise; lasting organisation rather than
    loose activities; temporary support aimed at getting things moving)."""

    code: CriterionCode
    title: Label
    description: CriterionText | None = None


class DiscretionaryLimit(Contract):
    """How much one wijkmanager may grant on their own from this earmark, per calendar period
    (in the fund's time zone). Two grants at the same moment never exceed it together: the
    initiatives service enforces it (see docs/initiative-fund.md)."""

    amount: PositiveCents
    period: LimitPeriod


def unique(values: list, what: str) -> None:
    """Raise ValueError naming the first value that appears twice in `values`."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value} appears twice")
        seen.add(value)


class EarmarkRules(Contract):
    """What an application to one earmark must satisfy, and how its money is decided.

    Empty `neighbourhoods` means every neighbourhood. `opens_at`/`deadline` bound when an
    application may be submitted. `discretionary_limit` is required when `decided_by` names
    `discretionary`, and refused otherwise."""

    max_per_application: PositiveCents | None = None
    neighbourhoods: list[NeighbourhoodCode] = Field(default_factory=list, max_length=500)
    budget_line_kinds: list[BudgetLineKind] = Field(
        default_factory=lambda: list(BUDGET_LINE_KINDS), min_length=1, max_length=6
    )
    criteria: list[Criterion] = Field(default_factory=list, max_length=20)
    opens_at: UtcDateTime | None = None
    deadline: UtcDateTime | None = None
    decided_by: list[DecisionPath] = Field(min_length=1, max_length=3)
    discretionary_limit: DiscretionaryLimit | None = None

    @model_validator(mode="after")
    def _consistent(self):
        unique(self.neighbourhoods, "neighbourhood")
        unique(self.budget_line_kinds, "budget line kind")
        unique([c.code for c in self.criteria], "criterion")
        unique(self.decided_by, "decision path")
        if self.opens_at and self.deadline and self.deadline <= self.opens_at:
            raise ValueError("deadline must be after opens_at")
        if ("discretionary" in self.decided_by) != (self.discretionary_limit is not None):
            raise ValueError("discretionary_limit is set exactly when decided_by has discretionary")
        return self


class EarmarkFacts(Contract):
    """An earmark as published in the budget service's fund events: its rules and money."""

    earmark_id: UUID
    name: Title
    neighbourhood: NeighbourhoodCode | None = Field(
        default=None, description="The neighbourhood of a wijkbudget; None for a fund-wide purpose"
    )
    amount: Annotated[int, Field(strict=True, ge=0, le=2**62)] = Field(
        description="Money put in this earmark (cents), after adjustments and transfers"
    )
    rules: EarmarkRules


def period_of(day: date, period: LimitPeriod) -> str:
    """The label of the calendar period `day` falls in: `2027-03`, `2027-Q1` or `2027`."""
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


__all__ = [
    "BUDGET_LINE_KINDS",
    "BudgetLine",
    "BudgetLineKind",
    "Criterion",
    "CriterionCode",
    "DecisionPath",
    "DiscretionaryLimit",
    "EarmarkFacts",
    "EarmarkRules",
    "LimitPeriod",
    "LineAmount",
    "LineNumber",
    "ReportedAmount",
    "TimeZoneName",
    "period_of",
    "unique",
]
