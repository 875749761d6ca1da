"""The time bank's value types and the shapes its events and commands share."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from ..ledger import Limit, PositiveLimit
from ..types import (
    Contract,
    NeighbourhoodCode,
)

CommunityCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")]
UnitCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,19}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
MemberKind = Literal["resident", "organisation"]
MemberState = Literal["applied", "active", "suspended", "left"]
ListingKind = Literal["offer", "request"]
ExchangeState = Literal["proposed", "agreed", "confirmed", "cancelled", "disputed", "resolved"]
TransferKind = Literal["exchange", "donation", "award", "reversal"]
Page = Annotated[int, Field(ge=1, le=1000)]


class UnitSettings(Contract):
    """How a unit behaves in one community; limits in the unit's smallest step."""

    unit: UnitCode
    debt_limit: Annotated[int, Field(ge=0)] = Field(
        description="How far an account may go below zero"
    )
    max_balance: Annotated[int, Field(gt=0)] | None = None
    community_debt_limit: Annotated[int, Field(ge=0)] = 0


class NewUnitSettings(UnitSettings):
    """Settings as a command gives them: every limit within what the ledger can hold
    (`contracts/ledger.py`). The event keeps the published `UnitSettings`."""

    debt_limit: Limit = Field(description="How far an account may go below zero")
    max_balance: PositiveLimit | None = None
    community_debt_limit: Limit = 0


class Limits(Contract):
    debt_limit: Annotated[int, Field(ge=0)]
    max_balance: Annotated[int, Field(gt=0)] | None = None


class Party(Contract):
    """A member as other services need to know them in an event (ids, no personal data)."""

    member_id: UUID
    kind: MemberKind
    neighbourhood: NeighbourhoodCode
