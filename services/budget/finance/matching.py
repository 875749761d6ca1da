"""Matching statement lines to payouts: first by end-to-end id (our payout's id, which the
bank reports back), then by amount + counterparty IBAN + date. Pure.

A line already imported (the same bank entry, by its key) is skipped: importing a statement
twice, or two overlapping statements, pays nothing twice. Each line is matched to at most one
payout and each payout to at most one line; whatever does not match is a `Problem` naming the
line, so finance sees it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from uuid import UUID

from .payouts import PAID, RECORDED, RETURNED, SENT, Payout, euros, payout_id_of
from .statements import StatementLine

END_TO_END, AMOUNT_IBAN_DATE = "end_to_end", "amount_iban_date"
DATE_WINDOW_DAYS = 10
"""How far a booking may lie from a payout's execution (or due) date for a match without the
end-to-end id: SEPA credit transfers are booked within one business day (EPC SCT rulebook),
and a batch may be handed to the bank a week early or late."""


@dataclass(frozen=True)
class Match:
    line: StatementLine
    key: str
    payout: Payout
    by: str


@dataclass(frozen=True)
class Problem:
    """A line that was not matched: code `no_matching_payout`, `foreign_currency`,
    `amount_differs`, `already_paid` or `malformed` (as `LineProblem`)."""

    line: int
    code: str
    detail: str
    key: str | None = None
    amount: int = 0
    debit: bool = True
    payout_id: UUID | None = None


@dataclass
class Matching:
    matches: list[Match] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: int = 0


class PayoutIndex:
    """The payouts a statement may pay: every unpaid one of the fund (for amount + IBAN +
    date), and every one its lines name by end-to-end id (paid ones too, to tell
    `already_paid`)."""

    def __init__(self, payouts: Iterable[Payout]):
        self.by_id: dict[UUID, Payout] = {}
        self._open: dict[tuple[int, str], list[Payout]] = defaultdict(list)
        for payout in payouts:
            self.by_id[payout.id] = payout
            if payout.state in (RECORDED, SENT):
                self._open[(payout.amount, payout.iban)].append(payout)

    def paid(self, payout: Payout) -> None:
        self.by_id[payout.id] = replace(payout, state=PAID)

    def nearest_open(self, line: StatementLine, window: int) -> Payout | None:
        best: tuple | None = None
        for payout in self._open.get((line.amount, line.counterparty_iban or ""), ()):
            if self.by_id[payout.id].state not in (RECORDED, SENT):
                continue
            day = payout.execution_date or payout.due_on
            distance = abs((line.booked_on - day).days)
            if distance <= window:
                rank = (distance, payout.state != SENT, payout.due_on, payout.instalment, payout.id)
                if best is None or rank < best[0]:
                    best = (rank, payout)
        return best[1] if best else None


def _by_end_to_end(line: StatementLine, key: str, index: PayoutIndex) -> Match | Problem | None:
    payout_id = payout_id_of(line.end_to_end_id)
    if payout_id is None:
        return None
    payout = index.by_id.get(payout_id)
    if payout is None:
        return None
    base = {"key": key, "amount": line.amount, "payout_id": payout.id}
    if payout.state in (PAID, RETURNED):
        return Problem(line.number, "already_paid", f"payout {payout.id} is already paid", **base)
    if payout.amount != line.amount:
        return Problem(
            line.number,
            "amount_differs",
            f"payout {payout.id} is {euros(payout.amount)}, the bank booked {euros(line.amount)}",
            **base,
        )
    return Match(line, key, payout, END_TO_END)


def match_lines(
    lines: list[StatementLine],
    keys: list[str],
    imported: Collection[str],
    index: PayoutIndex,
    window: int = DATE_WINDOW_DAYS,
) -> Matching:
    """Match `lines` (with their keys; `imported` holds the keys seen in earlier imports) to
    the payouts in `index`, which is updated as payouts get paid."""
    result = Matching()
    for line, key in zip(lines, keys, strict=True):
        if key in imported:
            result.duplicates += 1
            continue
        found = _match(line, key, index, window)
        if isinstance(found, Match):
            index.paid(found.payout)
            result.matches.append(found)
        else:
            result.problems.append(found)
    return result


def _match(line: StatementLine, key: str, index: PayoutIndex, window: int) -> Match | Problem:
    def problem(code: str, detail: str) -> Problem:
        return Problem(line.number, code, detail, key, line.amount, line.debit)

    if line.currency != "EUR":
        return problem("foreign_currency", f"amount in {line.currency}; payouts are in EUR")
    if not line.booked:
        return problem("no_matching_payout", "not booked (pending entry)")
    if not line.debit or line.reversal:
        return problem("no_matching_payout", "incoming money, not a payout")
    found = _by_end_to_end(line, key, index)
    if found is not None:
        return found
    payout = index.nearest_open(line, window)
    if payout is not None:
        return Match(line, key, payout, AMOUNT_IBAN_DATE)
    return problem(
        "no_matching_payout",
        f"no open payout of {euros(line.amount)} to {line.counterparty_iban or 'an unknown'}"
        f" account around {line.booked_on.isoformat()}",
    )
