"""Bank amounts read exactly into cents; months in the fund's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import Refusal
from services.budget.finance import (
    AmountError,
    cents_of,
    cents_of_dutch,
    day_in,
    decide_close,
    decimal_text,
    period_end,
    period_of,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1234.56", 123456), ("0.1", 10), ("7", 700), ("12.50000", 1250), ("-3.05", -305)],
)
def test_iso_amounts(text, cents):
    assert cents_of(text) == cents


@pytest.mark.parametrize("text", ["12,50", "1.005", "", None, "1e3", "12.5.0", " ", "NaN"])
def test_not_iso_amounts_are_refused(text):
    with pytest.raises(AmountError):
        cents_of(text)


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1.234,56", 123456), ("-125,00", -12500), ("0,07", 7), ("1234,5", 123450), ("+3", 300)],
)
def test_dutch_amounts(text, cents):
    assert cents_of_dutch(text) == cents


@pytest.mark.parametrize("text", ["12.50", "1,005", "1.23,45", "abc", ""])
def test_not_dutch_amounts_are_refused(text):
    with pytest.raises(AmountError):
        cents_of_dutch(text)


@given(st.integers(-(10**15), 10**15))
def test_cents_survive_text_and_back(cents):
    assert cents_of(decimal_text(cents)) == cents
    assert cents_of_dutch(decimal_text(cents).replace(".", ",")) == cents


def test_months_are_the_funds_months():
    # 23:30 UTC on 31 March is already April in Amsterdam (summer time)
    at = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    assert period_of(day_in(at, "Europe/Amsterdam")) == "2027-04"
    assert period_end("2027-03", "Europe/Amsterdam") == datetime(2027, 3, 31, 22, tzinfo=UTC)
    assert period_end("2027-12", "Europe/Amsterdam") == datetime(2027, 12, 31, 23, tzinfo=UTC)
    assert period_of(date(2027, 1, 9)) == "2027-01"


def test_a_month_closes_once_and_only_after_it_ended():
    end = period_end("2027-03", "Europe/Amsterdam")
    with pytest.raises(Refusal) as early:
        decide_close("2027-03", set(), end - timedelta(seconds=1), "Europe/Amsterdam")
    assert early.value.code == "period_not_ended"
    decide_close("2027-03", set(), end, "Europe/Amsterdam")
    with pytest.raises(Refusal) as twice:
        decide_close("2027-03", {"2027-03"}, end, "Europe/Amsterdam")
    assert twice.value.code == "period_already_closed"
