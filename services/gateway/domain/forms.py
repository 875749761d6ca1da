"""Reading what people type into forms, and telling them in their own words what to change.

Amounts are typed in hours ("1,5", "1.5", "1:30", "90 min") and kept as integer minutes: a
float never touches an amount. Messages are English message ids that the templates translate
(Dutch by default)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from pydantic import ValidationError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_MINUTES = 100 * 60 * 24
"""Largest amount a form accepts (100 days): anything above is a typing mistake."""


def N_(message: str) -> str:
    """Marks a message id for translation where it is defined; translated where it is shown."""
    return message


class FieldError(ValueError):
    """A value that cannot be used, with the field it belongs to and a message id."""

    def __init__(self, field: str, message: str, **params: object):
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.params = field, message, params


_CLOCK = re.compile(r"^(\d{1,4}):([0-5]\d)$")
_MINUTES = re.compile(r"^(\d{1,6})\s*(m|min|minuten|minutes)$", re.IGNORECASE)
_HOURS = re.compile(r"^(\d{1,4}(?:[.,]\d{1,2})?)\s*(u|uur|h|hours?)?$", re.IGNORECASE)


def parse_minutes(text: str, field: str = "amount") -> int:
    """Hours as typed (`1,5`, `1.5`, `1:30`, `90 min`, `2 uur`) → minutes (an int > 0).

    Raises FieldError when it is empty, not a number, not a whole number of minutes, zero or
    negative, or above MAX_MINUTES."""
    value = (text or "").strip()
    if not value:
        raise FieldError(field, "Fill in the number of hours.")
    if match := _CLOCK.match(value):
        minutes = int(match[1]) * 60 + int(match[2])
    elif match := _MINUTES.match(value):
        minutes = int(match[1])
    elif match := _HOURS.match(value):
        try:
            hours = Decimal(match[1].replace(",", "."))
        except InvalidOperation:
            raise FieldError(field, "Type hours as 1,5 or 1:30.") from None
        exact = hours * 60
        if exact != exact.to_integral_value():
            raise FieldError(field, "Use whole minutes (for example 1:20).")
        minutes = int(exact)
    else:
        raise FieldError(field, "Type hours as 1,5 or 1:30.")
    if minutes <= 0:
        raise FieldError(field, "The amount must be more than zero.")
    if minutes > MAX_MINUTES:
        raise FieldError(field, "That is more than a form accepts.")
    return minutes


def format_minutes(minutes: int) -> str:
    """Minutes as hours and minutes, `1:30`, `-0:45`."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


def parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise FieldError(field, "Give a date (day, month, year).") from None


def end_of_day_utc(day: date, zone: ZoneInfo = AMSTERDAM) -> datetime:
    """The last moment of `day` in the community's time zone, in UTC (a listing that
    expires "on 3 May" is open all of 3 May where the people live)."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return (local - timedelta(microseconds=1)).astimezone(ZoneInfo("UTC"))


_PYDANTIC = {
    "missing": N_("Fill in this field."),
    "string_too_short": N_("Fill in this field."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("This is not a valid value here."),
    "literal_error": N_("Choose one of the options."),
    "uuid_parsing": N_("This is not a valid reference."),
    "uuid_type": N_("This is not a valid reference."),
    "greater_than": N_("The amount must be more than zero."),
    "greater_than_equal": N_("This may not be negative."),
    "less_than_equal": N_("This is too large."),
    "int_parsing": N_("Give a whole number."),
    "date_from_datetime_parsing": N_("Give a date (day, month, year)."),
    "date_parsing": N_("Give a date (day, month, year)."),
    "value_error": N_("This is not a valid value here."),
    "too_long": N_("Too many items."),
    "extra_forbidden": N_("This field is not expected."),
}


def field_errors(exc: ValidationError, known: set[str] | None = None) -> dict[str, FieldError]:
    """Pydantic's errors as one message id per form field (the first error of each).

    A problem with the whole form (a model validator) goes to the field `_form`; a field the
    form does not show (not in `known`) too, so no error is ever hidden."""
    found: dict[str, FieldError] = {}
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        field = loc[0] if loc else "_form"
        if known is not None and field not in known:
            field = "_form"
        message = _PYDANTIC.get(err["type"], N_("This is not a valid value here."))
        found.setdefault(field, FieldError(field, message))
    return found


CODE_FIELD = {
    "over_debt_limit": "amount",
    "above_max_balance": "amount",
    "more_than_agreed": "amount",
    "amount_not_positive": "amount",
    "invalid_expiry": "expires_on",
    "unknown_unit": "unit",
    "unknown_community": "community",
    "own_listing": "_form",
}
"""The form field a service's refusal is about, so the message stands beside it."""
