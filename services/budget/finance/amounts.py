"""Amounts as banks write them, read exactly into integer euro cents (never through a float).

CAMT.053 and pain.001 write `1234.56` (ISO 20022 `ActiveOrHistoricCurrencyAndAmount`: at most
five decimals, a dot); Dutch bank CSV exports write `1234,56` or `-1.234,56`. Cents are exact:
an amount with a non-zero third decimal is refused rather than rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DOT = re.compile(r"^[+-]?\d{1,18}(\.\d{1,5})?$")
_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d{1,5})?$|^[+-]?\d{1,18}(,\d{1,5})?$")


class AmountError(ValueError):
    """The text is not an amount in euro cents; the message says why."""


def _to_cents(number: Decimal, text: str) -> int:
    cents = number * 100
    if cents != cents.to_integral_value():
        raise AmountError(f"{text!r} has fractions of a cent")
    return int(cents)


def cents_of(text: str | None) -> int:
    """`'1234.5'` -> `123450`: an ISO 20022 amount (dot as decimal separator). Raises
    `AmountError` for empty text, another notation, or fractions of a cent."""
    if text is None or not _DOT.match(text.strip()):
        raise AmountError(f"{text!r} is not an amount like 1234.56")
    return _to_cents(Decimal(text.strip()), text)


def cents_of_dutch(text: str | None) -> int:
    """`'-1.234,56'` -> `-123456`: an amount as Dutch bank CSV exports write it (comma as
    decimal separator, dots optional between thousands). Raises `AmountError`."""
    raw = (text or "").strip()
    if not _COMMA.match(raw):
        raise AmountError(f"{text!r} is not an amount like 1234,56")
    try:
        number = Decimal(raw.replace(".", "").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise AmountError(f"{text!r} is not a number") from None
    return _to_cents(number, text)


def decimal_text(cents: int) -> str:
    """`123456` -> `'1234.56'` (as pain.001 and our exports write amounts)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"
