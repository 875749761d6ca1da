"""Benchmark: importing and matching a CAMT.053 statement of N lines against N payouts, beside
the library's bare parse rate (pycamt) on the same file in the same run.

    .venv/bin/python bench/finance_statement.py [--lines 100000] [--runs 3]

Nine lines in ten carry their payout's end-to-end id; the tenth is matched by amount + IBAN +
date. Figures are lines per second, the median of `--runs` runs:
- bare parse: the library alone, as the adapter uses it: lxml's iterparse hands pycamt one
  entry at a time and pycamt's `get_transactions()` reads it (no checks, no conversion);
- read: the same plus our checks (exact cents, dates, IBANs) into `StatementLine`s;
- import + match: read, a key per line, and matching against the payouts in memory.
- for reference, pycamt on the whole file at once (`--whole` lines, default 1,000): it searches
  the whole statement for every entry, so its rate falls as the file grows.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pycamt.parser import Camt053Parser  # noqa: E402

from contracts import new_id  # noqa: E402
from services.budget.finance import (  # noqa: E402
    SENT,
    PayoutIndex,
    match_lines,
    read_statement,
)
from services.budget.finance.statements.camt import _OneEntry, camt_entries  # noqa: E402
from tests.support.camt import Line, camt053  # noqa: E402
from tests.support.finance import OTHER, allocation, payout  # noqa: E402

IBANS = ("NL20INGB0001234567", "NL91ABNA0417164300", "DE89370400440532013000")


def fixture(n: int):
    rng = random.Random(13)
    start = date(2027, 3, 1)
    a = allocation(10**12)
    payouts, lines = [], []
    for i in range(n):
        day = start + timedelta(days=i % 28)
        p = replace(
            payout(a, rng.randint(1_000, 500_000), iban=IBANS[i % 3], instalment=1),
            id=new_id(),
            state=SENT,
            execution_date=day,
        )
        payouts.append(p)
        e2e = p.end_to_end_id if i % 10 else None
        lines.append(Line(p.amount, day, e2e, p.iban, bank_ref=f"B{i:010d}"))
    return payouts, camt053(OTHER, lines).encode()


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--whole", type=int, default=1_000)
    args = ap.parse_args()
    payouts, content = fixture(args.lines)
    print(f"statement: {args.lines:,} lines, {len(content) / 1e6:.1f} MB; {len(payouts):,} payouts")

    def bare():
        reader, found = None, 0
        for kind, value in camt_entries(content):
            if kind == "account":
                reader = _OneEntry(value[1].nsmap[None], OTHER)
            elif kind == "entry":
                found += len(reader.read(value))
        assert found == args.lines

    def read():
        assert len(read_statement("camt053", content).lines) == args.lines

    def imported():
        statement = read_statement("camt053", content)
        result = match_lines(statement.lines, statement.line_keys(), set(), PayoutIndex(payouts))
        assert len(result.matches) == args.lines, len(result.problems)

    figures = {}
    for name, fn in (("bare parse (pycamt)", bare), ("read", read), ("import + match", imported)):
        seconds = statistics.median(timed(fn) for _ in range(args.runs))
        figures[name] = args.lines / seconds
    base = figures["bare parse (pycamt)"]
    for name, rate in figures.items():
        print(f"{name:<22} {rate:>10,.0f} lines/s   {rate / base:5.2f} x bare parse")
    if args.whole:
        _, small = fixture(args.whole)
        seconds = timed(lambda: Camt053Parser(small).get_transactions())
        print(
            f"pycamt on a whole file of {args.whole:,} lines: {args.whole / seconds:,.0f} lines/s"
            " (quadratic: why the adapter streams entries)"
        )


if __name__ == "__main__":
    main()
