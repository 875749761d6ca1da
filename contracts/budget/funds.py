"""Funds, their earmarks and the money moved between them (issue 12).

Every fund event carries the fund's `revision`, a counter the budget service raises by one on
each change of the fund (its rules, an earmark's money). A consumer keeps, per group of fields,
what the highest revision it has seen says: events may arrive late or twice.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from ..envelope import Empty
from ..funding import EarmarkFacts, EarmarkRules, TimeZoneName, unique
from ..registry import Policy
from ..text import Reason, Title
from ..types import Cents, Contract, NeighbourhoodCode, PositiveCents
from .base import BUDGET

FINANCE = frozenset({"finance"})
Year = Annotated[int, Field(strict=True, ge=2000, le=2100)]
Revision = Annotated[int, Field(strict=True, ge=1, le=2**62)]
FundName = Title
EarmarkName = Title


class FundFacts(Contract):
    """A whole fund as it is after revision `revision`: rules and money of every earmark."""

    fund_id: UUID
    revision: Revision
    name: FundName
    year: Year
    municipality: NeighbourhoodCode | None = Field(
        default=None, description="The CBS municipality code (GM....) the fund serves"
    )
    time_zone: TimeZoneName = "Europe/Amsterdam"
    total: Annotated[int, Field(strict=True, ge=0, le=2**62)]
    earmarks: list[EarmarkFacts] = Field(min_length=1, max_length=100)


@BUDGET.event("fund.created")
class FundCreated(FundFacts):
    """Finance set up a fund with its earmarks and their rules (revision 1)."""


@BUDGET.event("fund.updated")
class FundUpdated(FundFacts):
    """A fund's name, rules or earmarks changed; the whole fund as it is now."""


@BUDGET.event("earmark.adjusted")
class EarmarkAdjusted(Contract):
    """Money was added to or taken from one earmark (e.g. a council decision), with a reason."""

    fund_id: UUID
    revision: Revision
    earmark_id: UUID
    change: Cents = Field(description="Positive: added; negative: taken out")
    amount_before: Cents
    amount_after: Cents
    available_after: Cents = Field(description="Amount minus what is committed, after the change")
    reason: Reason


@BUDGET.event("money.transferred")
class MoneyTransferred(Contract):
    """Money moved from one earmark to another of the same fund: a recorded transfer."""

    transfer_id: UUID
    fund_id: UUID
    revision: Revision
    from_earmark_id: UUID
    to_earmark_id: UUID
    amount: PositiveCents
    from_amount_after: Cents
    to_amount_after: Cents
    reason: Reason


# -- commands ----------------------------------------------------------------------------------


class NewEarmark(Contract):
    name: EarmarkName
    neighbourhood: NeighbourhoodCode | None = None
    amount: Annotated[int, Field(strict=True, ge=0, le=2**62)]
    rules: EarmarkRules


class CreateFund(Contract):
    """Set up a fund; the earmarks together may not exceed its total."""

    name: FundName
    year: Year
    municipality: NeighbourhoodCode | None = None
    time_zone: TimeZoneName = "Europe/Amsterdam"
    total: Annotated[int, Field(strict=True, ge=0, le=2**62)]
    earmarks: list[NewEarmark] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _names_once(self):
        unique([e.name for e in self.earmarks], "earmark name")
        return self


class FundRef(Contract):
    fund_id: UUID


class FundRevision(Contract):
    fund_id: UUID
    revision: Revision
    earmark_ids: list[UUID] = Field(default_factory=list, max_length=100)


class AddEarmark(NewEarmark):
    fund_id: UUID


class ChangeEarmarkRules(Contract):
    """New rules for an earmark; applications already decided keep what they were decided on."""

    fund_id: UUID
    earmark_id: UUID
    name: EarmarkName | None = None
    rules: EarmarkRules


class AdjustEarmark(Contract):
    fund_id: UUID
    earmark_id: UUID
    change: Cents = Field(description="Positive adds, negative takes out; never zero")
    reason: Reason

    @model_validator(mode="after")
    def _not_zero(self):
        if self.change == 0:
            raise ValueError("change must not be zero")
        return self


class TransferMoney(Contract):
    """Move money between two earmarks of one fund; `transfer_id` is chosen by the caller."""

    transfer_id: UUID
    fund_id: UUID
    from_earmark_id: UUID
    to_earmark_id: UUID
    amount: PositiveCents
    reason: Reason


CREATE_FUND = BUDGET.command(
    "create_fund",
    CreateFund,
    FundRevision,
    "Finance sets up a fund with earmarks and rules.",
    errors=("earmarks_exceed_total", "amount_out_of_range"),
    policy=Policy(FINANCE),
)
ADD_EARMARK = BUDGET.command(
    "add_earmark",
    AddEarmark,
    FundRevision,
    "Add an earmark to a fund.",
    errors=("unknown_fund", "earmarks_exceed_total", "earmark_name_taken", "period_closed"),
    policy=Policy(FINANCE, scope="fund_id"),
)
CHANGE_EARMARK_RULES = BUDGET.command(
    "change_earmark_rules",
    ChangeEarmarkRules,
    FundRevision,
    "Change an earmark's rules (published as fund.updated).",
    errors=("unknown_fund", "unknown_earmark", "earmark_name_taken"),
    policy=Policy(FINANCE, scope="fund_id"),
)
ADJUST_EARMARK = BUDGET.command(
    "adjust_earmark",
    AdjustEarmark,
    FundRevision,
    "Add money to or take money from an earmark, with a reason.",
    errors=(
        "unknown_fund",
        "unknown_earmark",
        "earmark_below_committed",
        "earmarks_exceed_total",
        "amount_out_of_range",
        "period_closed",
    ),
    policy=Policy(FINANCE, scope="fund_id"),
)
TRANSFER_MONEY = BUDGET.command(
    "transfer_money",
    TransferMoney,
    FundRevision,
    "Move money between two earmarks of a fund, with a reason.",
    errors=(
        "unknown_fund",
        "unknown_earmark",
        "same_earmark",
        "insufficient_funds",
        "transfer_id_conflict",
        "period_closed",
    ),
    policy=Policy(FINANCE, scope="fund_id"),
)


# -- queries -----------------------------------------------------------------------------------


class EarmarkFigures(Contract):
    """Where an earmark's money is (cents): amount = available + committed + paid + spent..."""

    earmark_id: UUID
    name: str
    neighbourhood: NeighbourhoodCode | None = None
    amount: Cents
    committed: Cents = Field(description="Committed and not yet paid")
    paid: Cents
    spent: Cents
    returned: Cents
    available: Cents
    rules: EarmarkRules


class FundView(Contract):
    fund_id: UUID
    revision: Revision
    name: str
    year: Year
    municipality: NeighbourhoodCode | None = None
    time_zone: str
    total: Cents
    earmarks: list[EarmarkFigures]


class ListFunds(Contract):
    year: Year | None = None
    municipality: NeighbourhoodCode | None = None


class FundSummary(Contract):
    fund_id: UUID
    name: str
    year: Year
    municipality: NeighbourhoodCode | None = None
    total: Cents
    available: Cents


class Funds(Contract):
    funds: list[FundSummary]


GET_FUND = BUDGET.query(
    "get_fund",
    FundRef,
    FundView,
    "A fund with its earmarks, rules and money figures (public: public money).",
    errors=("unknown_fund",),
    policy=Policy.public(),
)
LIST_FUNDS = BUDGET.query(
    "list_funds", ListFunds, Funds, "Funds by year and municipality.", policy=Policy.public()
)
PING = BUDGET.query("ping", Empty, Empty, "Liveness through NATS.", policy=Policy.public())

__all__ = [
    "ADD_EARMARK",
    "ADJUST_EARMARK",
    "CHANGE_EARMARK_RULES",
    "CREATE_FUND",
    "GET_FUND",
    "LIST_FUNDS",
    "PING",
    "TRANSFER_MONEY",
    "AddEarmark",
    "AdjustEarmark",
    "ChangeEarmarkRules",
    "CreateFund",
    "EarmarkAdjusted",
    "EarmarkFigures",
    "FundCreated",
    "FundFacts",
    "FundRef",
    "FundRevision",
    "FundSummary",
    "FundUpdated",
    "FundView",
    "Funds",
    "ListFunds",
    "MoneyTransferred",
    "NewEarmark",
    "TransferMoney",
]
