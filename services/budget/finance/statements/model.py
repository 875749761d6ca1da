"""A bank statement as the matching needs it, whatever file it came from."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from schwifty import IBAN


class StatementError(ValueError):
    """The file cannot be read as a statement at all; `line` is the file's line (when known)
    where reading stopped. Nothing of it is imported."""

    def __init__(self, problem: str, line: int | None = None):
        self.problem = f"line {line}: {problem}" if line else problem
        self.line = line
        super().__init__(self.problem)


@dataclass(frozen=True)
class StatementLine:
    """One transaction of a statement. `number` is its 1-based position among the file's
    transactions (the "line" finance is told about); `amount` is positive cents and `debit`
    says the money left the account."""

    number: int
    amount: int
    debit: bool
    currency: str
    booked_on: date
    end_to_end_id: str | None = None
    counterparty_iban: str | None = None
    counterparty_name: str | None = None
    remittance: str | None = None
    bank_ref: str | None = None
    booked: bool = True
    reversal: bool = False

    def identity(self) -> tuple:
        """What makes this the same bank entry in another file of the same account."""
        return (
            self.bank_ref,
            self.end_to_end_id,
            self.amount,
            self.debit,
            self.currency,
            self.booked_on.isoformat(),
            self.counterparty_iban,
            self.remittance if self.bank_ref is None else None,
        )


@dataclass(frozen=True)
class BadLine:
    """A transaction that could not be read; `detail` says which field and why."""

    number: int
    detail: str


@dataclass(frozen=True)
class Statement:
    """What a file says: the account, the period it covers, its readable lines and the
    unreadable ones (each by number)."""

    account_iban: str
    period_from: date
    period_to: date
    lines: list[StatementLine]
    bad: list[BadLine] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lines) + len(self.bad)

    def line_keys(self) -> list[str]:
        """A key per line (in order) that is the same for the same bank entry in any file of
        this account: the same statement imported twice, or two overlapping statements,
        pay nothing twice. Identical entries within one file are told apart by occurrence."""
        seen: Counter = Counter()
        keys = []
        for line in self.lines:
            identity = (self.account_iban, *line.identity())
            seen[identity] += 1
            text = "|".join("" if v is None else str(v) for v in identity)
            keys.append(hashlib.sha256(f"{text}|{seen[identity]}".encode()).hexdigest())
        return keys


def period_of_lines(lines: list[StatementLine]) -> tuple[date, date] | None:
    """First and last booking day of the lines, or None when there are none."""
    if not lines:
        return None
    days = [line.booked_on for line in lines]
    return min(days), max(days)


def parse_day(text: str | None, what: str) -> date:
    """`'2027-03-09'` (or the date part of a date-time) as a date; ValueError naming `what`."""
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date") from None


@lru_cache(maxsize=65_536)
def compact_iban(text: str | None) -> str | None:
    """An account number as one compact string (schwifty's form when it is a valid IBAN)."""
    if not text or not text.strip():
        return None
    try:
        return str(IBAN(text).compact)
    except ValueError:
        return text.replace(" ", "").upper()
