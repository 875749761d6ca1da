"""Exports cannot run a formula in a spreadsheet (kit/export.py), and error messages speak
each language with its own words."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from contracts import COMMON_ERRORS, Message
from kit.export import cell, csv_text, formula_safe


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("＝1+1", "'＝1+1"),
        ("Moestuin", "Moestuin"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_text_a_spreadsheet_would_run_is_shown_instead(text, safe):
    assert formula_safe(text) == safe


def test_cells_keep_numbers_and_times_and_refuse_floats():
    assert cell(-250) == -250 and cell(None) == "" and cell(True) == "ja"
    assert cell(date(2027, 4, 1)) == "2027-04-01"
    assert cell(datetime(2027, 4, 1, 10, tzinfo=UTC)) == "2027-04-01T10:00:00+00:00"
    assert cell(UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    with pytest.raises(TypeError):
        cell(1.5)
    text = csv_text(["titel", "bedrag"], [["=2*3", -500], ['Zeg "hoi"', 100]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["titel", "bedrag"],
        ["'=2*3", "-500"],
        ['Zeg "hoi"', "100"],
    ]


def test_a_placeholder_can_speak_each_language():
    error = COMMON_ERRORS.error("not_found", what=Message(nl="De aanvraag", en="The application"))
    assert (error.message.nl, error.message.en) == (
        "De aanvraag is niet gevonden.",
        "The application was not found.",
    )
    assert COMMON_ERRORS.error("not_found", what="X").message.en == "X was not found."
