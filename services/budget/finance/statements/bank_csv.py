"""The transaction exports of the big Dutch banks, read with Python's `csv` module.

No maintained PyPI library reads them (the importers that exist are beancount plug-ins, each
for one bank); their layouts are the banks' own, recognised here by their header:

- Rabobank CSV (`"IBAN/BBAN","Munt","BIC","Volgnr","Datum",...,"Bedrag",...`): signed amount
  with a decimal comma, ISO dates, the end-to-end id in its own column (`Transactiereferentie`
  in the current layout), `Volgnr` unique per account;
- ING CSV (`"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij",
  "Bedrag (EUR)",...,"Mededelingen"`, comma- or semicolon-separated): unsigned amount with
  `Af`/`Bij`, dates as `YYYYMMDD`, the end-to-end id in `Mededelingen` after `Kenmerk:`;
- ABN AMRO TAB export (no header: account, currency, date `YYYYMMDD`, opening and closing
  balance, value date, signed amount, description): the description's SEPA fields
  (`/IBAN/.../NAME/.../EREF/...`) give the counterparty and the end-to-end id.

Every row becomes a `StatementLine` or a `BadLine` naming the column; a file none of these
recognise raises `StatementError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date

from ..amounts import AmountError, cents_of_dutch
from .model import (
    BadLine,
    Statement,
    StatementError,
    StatementLine,
    compact_iban,
    parse_day,
    period_of_lines,
)

_ING_KENMERK = re.compile(r"Kenmerk:\s*(\S+)")
_ING_IBAN = re.compile(r"IBAN:\s*([A-Z]{2}\d{2}[A-Z0-9]{10,30})")
_ABN_FIELD = re.compile(r"/(TRTP|IBAN|BIC|NAME|REMI|EREF|CSID|MARF)/([^/]*)")


def _compact_day(text: str) -> date:
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return parse_day(text, "date")


def _amount(text: str, column: str) -> int:
    try:
        return cents_of_dutch(text)
    except AmountError as exc:
        raise ValueError(f"{column}: {exc}") from None


def _rabobank(row: dict[str, str], number: int) -> tuple[str, StatementLine]:
    cents = _amount(row.get("Bedrag", ""), "Bedrag")
    if cents == 0:
        raise ValueError("Bedrag: zero")
    reference = (row.get("Transactiereferentie") or row.get("End-to-end ID") or "").strip()
    remittance = " ".join((row.get(f"Omschrijving-{i}") or "").strip() for i in (1, 2, 3)).strip()
    line = StatementLine(
        number=number,
        amount=abs(cents),
        debit=cents < 0,
        currency=(row.get("Munt") or "").strip() or "EUR",
        booked_on=_compact_day(row.get("Datum") or ""),
        end_to_end_id=reference or None,
        counterparty_iban=compact_iban(row.get("Tegenrekening IBAN/BBAN")),
        counterparty_name=(row.get("Naam tegenpartij") or "").strip() or None,
        remittance=remittance or None,
        bank_ref=(row.get("Volgnr") or "").strip() or None,
    )
    return compact_iban(row.get("IBAN/BBAN")) or "", line


def _ing(row: dict[str, str], number: int) -> tuple[str, StatementLine]:
    cents = _amount(row.get("Bedrag (EUR)", ""), "Bedrag (EUR)")
    direction = (row.get("Af Bij") or "").strip()
    if direction not in ("Af", "Bij"):
        raise ValueError(f"Af Bij: {direction!r} is not Af or Bij")
    if cents <= 0:
        raise ValueError("Bedrag (EUR): not positive")
    notes = row.get("Mededelingen") or ""
    kenmerk = _ING_KENMERK.search(notes)
    counter = row.get("Tegenrekening") or ""
    if not counter.strip():
        found = _ING_IBAN.search(notes)
        counter = found.group(1) if found else ""
    line = StatementLine(
        number=number,
        amount=cents,
        debit=direction == "Af",
        currency="EUR",
        booked_on=_compact_day(row.get("Datum") or ""),
        end_to_end_id=kenmerk.group(1) if kenmerk else None,
        counterparty_iban=compact_iban(counter),
        counterparty_name=(row.get("Naam / Omschrijving") or "").strip() or None,
        remittance=notes.strip() or None,
    )
    return compact_iban(row.get("Rekening")) or "", line


def _abn_amro(fields: list[str], number: int) -> tuple[str, StatementLine]:
    if len(fields) < 8:
        raise ValueError(f"{len(fields)} columns, expected 8")
    cents = _amount(fields[6], "amount")
    if cents == 0:
        raise ValueError("amount: zero")
    sepa = dict(_ABN_FIELD.findall(fields[7]))
    line = StatementLine(
        number=number,
        amount=abs(cents),
        debit=cents < 0,
        currency=fields[1].strip() or "EUR",
        booked_on=_compact_day(fields[2]),
        end_to_end_id=(sepa.get("EREF") or "").strip() or None,
        counterparty_iban=compact_iban(sepa.get("IBAN")),
        counterparty_name=(sepa.get("NAME") or "").strip() or None,
        remittance=(sepa.get("REMI") or fields[7]).strip() or None,
    )
    return compact_iban(fields[0]) or "", line


def _rows(text: str) -> tuple[Callable, list]:
    first = text.split("\n", 1)[0]
    if "\t" in first and not first.lstrip().startswith('"'):
        return _abn_amro, list(csv.reader(io.StringIO(text), delimiter="\t"))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = set(reader.fieldnames or ())
    if {"IBAN/BBAN", "Volgnr", "Bedrag"} <= header:
        return _rabobank, list(reader)
    if {"Af Bij", "Bedrag (EUR)", "Rekening"} <= header:
        return _ing, list(reader)
    raise StatementError("not a Rabobank, ING or ABN AMRO export (header not recognised)", 1)


def read_bank_csv(text: str) -> Statement:
    """The statement in a Dutch bank's CSV (or ABN AMRO TAB) export. Raises `StatementError`
    for an unknown layout, an empty file, or rows of several accounts."""
    reader, rows = _rows(text.lstrip("\ufeff"))
    lines: list[StatementLine] = []
    bad: list[BadLine] = []
    accounts: set[str] = set()
    for number, row in enumerate(rows, 1):
        if not any((v or "").strip() for v in (row.values() if isinstance(row, dict) else row)):
            continue
        try:
            account, line = reader(row, number)
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        accounts.add(account)
        lines.append(line)
    if len(accounts) > 1:
        raise StatementError(f"rows of {len(accounts)} accounts; export one account per file")
    period = period_of_lines(lines)
    if period is None:
        raise StatementError("no readable row in the file")
    return Statement(accounts.pop(), period[0], period[1], lines, bad)
