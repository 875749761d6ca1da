"""Exports that people open in a spreadsheet: CSV that cannot run a formula.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets ("CSV injection"); such a text cell gets a leading `'`,
as OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection). The full-width
forms of those signs are treated the same, since some spreadsheets normalise them. Numbers are
written as numbers (a negative amount stays a number). Every export of every service goes
through `csv_text`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from uuid import UUID

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def formula_safe(value: str) -> str:
    """`value`, with a leading `'` if a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell(value: object) -> str | int:
    """One CSV cell: None is empty, numbers stay numbers, times are ISO 8601, the rest is text
    made formula-safe. Floats are refused: money and hours are integers here."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise TypeError("no floats in exports: amounts are integer cents or minutes")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        value = value.value
    return formula_safe(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (comma-separated, `\\n` line ends, UTF-8 when encoded) with a header
    row; every cell goes through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()
