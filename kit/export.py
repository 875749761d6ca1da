"""Exports that people open in a spreadsheet: CSV that cannot run a formula.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets ("CSV injection"); such a text cell gets a leading `'`,
as OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection). The full-width
forms of those signs are treated the same, since some spreadsheets normalise them. Numbers are
written as numbers (a negative amount stays a number). Every export of every service goes
through `csv_text`, or `xlsx_bytes` for a workbook: there every text is stored as a string
cell (openpyxl would otherwise store a text starting with `=` as a formula), so it shows as
typed and never runs.
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


def plain(value: object) -> str | int:
    """A value as a spreadsheet cell holds it: None is empty, numbers stay numbers, times are
    ISO 8601, the rest is text (not yet made safe). Floats are refused: money and hours are
    integers here."""
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
    return str(value)


def cell(value: object) -> str | int:
    """One CSV cell: `plain(value)`, text made formula-safe."""
    value = plain(value)
    return value if isinstance(value, int) else formula_safe(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (comma-separated, `\\n` line ends, UTF-8 when encoded) with a header
    row; every cell goes through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """An XLSX workbook (openpyxl, write-only) with one sheet: a header row, then `rows`.
    Numbers are number cells; every text is a string cell, never a formula, and one that starts
    like a formula carries Excel's quote prefix, so editing it keeps it text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])

    def cells(values):
        out = []
        for value in values:
            value = plain(value)
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                c.data_type = "s"
                # as Excel marks a text typed with a leading ': it stays text when edited
                c.quotePrefix = value.startswith(FORMULA_STARTS)
            out.append(c)
        return out

    ws.append(cells(header))
    for row in rows:
        ws.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
