"""Value types shared by every contract.

Money is integer euro cents and time is integer minutes: a float never enters a ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

import uuid_utils.compat as uuid_compat
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_serializer,
)
from schwifty import IBAN as _IBAN


class Contract(BaseModel):
    """Base of every message model: unknown fields and type coercion are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=False)


def new_id() -> UUID:
    """A time-ordered UUIDv7: ids sort by creation, which keeps B-tree inserts local."""
    return uuid_compat.uuid7()


def utc_now() -> datetime:
    return datetime.now(UTC)


def _must_be_v7(value: UUID) -> UUID:
    if value.version != 7:
        raise ValueError(f"must be a UUIDv7, got version {value.version}")
    return value


def _must_be_utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError("must carry a timezone (UTC)")
    if value.utcoffset().total_seconds() != 0:
        raise ValueError("must be in UTC (offset +00:00)")
    return value.astimezone(UTC)


UUIDv7 = Annotated[UUID, AfterValidator(_must_be_v7)]
"""Identifier of an event or an entity created by this platform."""

UtcDateTime = Annotated[datetime, AfterValidator(_must_be_utc)]
"""A moment in time, timezone-aware and in UTC."""

Minutes = Annotated[int, Field(strict=True, ge=-(2**62), le=2**62)]
"""A quantity of time-bank time in whole minutes (an hour is 60)."""

PositiveMinutes = Annotated[int, Field(strict=True, gt=0, le=2**62)]

Cents = Annotated[int, Field(strict=True, ge=-(2**62), le=2**62)]
"""An amount of money in whole euro cents."""

PositiveCents = Annotated[int, Field(strict=True, gt=0, le=2**62)]

NeighbourhoodCode = Annotated[
    str,
    StringConstraints(pattern=r"^(GM\d{4}|WK\d{6}|BU\d{8})$"),
]
"""A CBS code: municipality (GM0935), wijk (WK093501) or buurt (BU09350101)."""

Language = Literal["nl", "en"]
"""The languages the platform speaks to its users."""

Email = EmailStr


def _valid_iban(value: str) -> str:
    try:
        return str(_IBAN(value).compact)
    except Exception as exc:  # schwifty raises several exception types
        raise ValueError(f"not a valid IBAN: {exc}") from None


IBAN = Annotated[str, AfterValidator(_valid_iban)]
"""An International Bank Account Number, checked (length, country, checksum) by schwifty."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]

Role = Literal[
    "resident",
    "organisation",
    "coordinator",
    "reviewer",
    "panel_member",
    "finance",
    "operator",
    "system",
    "public",
]
ROLES: tuple[str, ...] = Role.__args__
"""Every role: people (resident ... operator), a service acting on its own (`system`), and
anyone not signed in (`public`)."""

ActorId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
]
Scope = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^(\*|[A-Za-z0-9._:-]+)$")
]


class Actor(Contract):
    """Who caused a command or event: a person in a role, or a service acting on its own.

    `scopes` are where a staff role may act (communities of a coordinator, neighbourhoods of a
    wijkmanager, funds of finance; `"*"` for all), set by the gateway from the signed-in account.
    `on_behalf_of` names the member a coordinator acts for when that member is not online.
    """

    role: Role
    id: ActorId
    scopes: Annotated[tuple[Scope, ...], Field(max_length=200)] = ()
    on_behalf_of: ActorId | None = None

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler):
        # Left out when empty: an actor reads on the wire as before these fields existed.
        data = handler(self)
        if not self.scopes:
            data.pop("scopes", None)
        if self.on_behalf_of is None:
            data.pop("on_behalf_of", None)
        return data


__all__ = [
    "IBAN",
    "ROLES",
    "Actor",
    "Cents",
    "Contract",
    "Email",
    "Language",
    "Minutes",
    "Name",
    "NeighbourhoodCode",
    "PositiveCents",
    "PositiveMinutes",
    "Role",
    "UUIDv7",
    "UtcDateTime",
    "new_id",
    "utc_now",
]
