"""Accounting periods: calendar months in the fund's time zone (default Europe/Amsterdam).

Once a month is closed nothing dated in it changes: a command whose date (a payout's due date,
a batch's execution date, a return's receipt date) falls in a closed month is refused with
`period_closed`, and a correction is booked in an open month as a reversing entry. Ledger
entries are dated by the moment they are recorded, which is always in an open month, since a
month can only be closed after it has ended.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from contracts import Refusal


def period_of(day: date) -> str:
    """`date(2027, 3, 9)` -> `'2027-03'`."""
    return f"{day.year:04d}-{day.month:02d}"


def day_in(at: datetime, time_zone: str) -> date:
    """The calendar day of a moment in the fund's time zone."""
    return at.astimezone(ZoneInfo(time_zone)).date()


def _first_day(period: str) -> date:
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, 1)


def _next_first_day(period: str) -> date:
    first = _first_day(period)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def period_end(period: str, time_zone: str) -> datetime:
    """The first moment after the period (UTC): midnight at the start of the next month in the
    fund's time zone."""
    return datetime.combine(_next_first_day(period), time(), ZoneInfo(time_zone)).astimezone(UTC)


def period_days(period: str) -> tuple[date, date]:
    """First and last day of the period."""
    return _first_day(period), date.fromordinal(_next_first_day(period).toordinal() - 1)


def check_open(day: date, closed: Collection[str]) -> None:
    """Refuse (`period_closed`, details `period`) when `day` lies in a closed period."""
    period = period_of(day)
    if period in closed:
        raise Refusal("period_closed", {"period": period}, period=period)


def decide_close(period: str, closed: Collection[str], now: datetime, time_zone: str) -> None:
    """May `period` be closed now? Refused `period_already_closed`, or `period_not_ended`
    while the month has not ended in the fund's time zone."""
    if period in closed:
        raise Refusal("period_already_closed", {"period": period}, period=period)
    if now < period_end(period, time_zone):
        raise Refusal("period_not_ended", {"period": period}, period=period)
