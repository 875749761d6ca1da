"""Settlement on a report or a return, the reconciliation's figures and every mismatch, and
the exports (formula-safe CSV and XLSX)."""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from contracts import Refusal, new_id
from services.budget.finance import (
    RELEASED,
    SETTLED,
    AllocationMoney,
    EarmarkMoney,
    LooseLine,
    Position,
    SentPayout,
    decide_return,
    reconcile,
    settle_on_report,
)
from services.budget.finance.exports import (
    RECONCILIATION_HEADER,
    export_file,
    reconciliation_rows,
)
from tests.support.finance import FUND, allocation

TODAY = date(2027, 4, 20)


def test_report_after_full_payment_leaves_the_unspent_to_be_repaid():
    s = settle_on_report(allocation(10_000), Position(paid=10_000), reported_spent=7_500)
    assert (s.spent, s.release, s.spend, s.to_be_repaid) == (7_500, 0, 7_500, 2_500)


def test_report_after_part_payment_releases_what_will_not_be_paid():
    s = settle_on_report(allocation(10_000), Position(paid=4_000), reported_spent=3_000)
    assert (s.spent, s.release, s.spend, s.to_be_repaid) == (3_000, 6_000, 3_000, 1_000)


def test_report_before_payment_keeps_the_spending_payable():
    s = settle_on_report(allocation(10_000), Position(), reported_spent=8_000)
    assert (s.spent, s.release, s.spend, s.to_be_repaid) == (8_000, 2_000, 0, 0)


def test_money_on_its_way_stays_committed():
    s = settle_on_report(allocation(10_000), Position(paid=2_000, in_flight=5_000), 1_000)
    assert (s.release, s.to_be_repaid) == (3_000, 1_000)


def test_reported_spending_above_the_commitment_counts_up_to_it():
    s = settle_on_report(allocation(10_000), Position(paid=10_000), reported_spent=12_000)
    assert (s.spent, s.spend, s.to_be_repaid) == (10_000, 10_000, 0)


def test_a_return_without_report_settles_the_rest_as_spent():
    a = allocation(10_000)
    s = decide_return(a, FUND, Position(paid=6_000), 1_000, TODAY)
    assert (s.basis, s.spent, s.spend, s.release) == ("return", 5_000, 5_000, 4_000)


def test_a_return_on_a_settled_allocation_only_goes_back():
    a = allocation(10_000, state=SETTLED)
    assert decide_return(a, FUND, Position(paid=10_000, spent=7_500), 2_500, TODAY) is None


@pytest.mark.parametrize(
    ("a", "at", "amount", "code"),
    [
        (None, Position(), 1, "unknown_allocation"),
        (allocation(fund_id=new_id()), Position(paid=5), 1, "unknown_allocation"),
        (
            allocation(10_000, state=SETTLED),
            Position(10_000, spent=7_500),
            2_501,
            "return_exceeds_paid",
        ),
        (allocation(10_000, state=RELEASED), Position(), 1, "return_exceeds_paid"),
        (allocation(10_000), Position(paid=10_000), 1, "period_closed"),
    ],
)
def test_returns_refused(a, at, amount, code):
    with pytest.raises(Refusal) as caught:
        decide_return(
            a,
            FUND,
            at,
            amount,
            date(2027, 3, 31),
            frozenset({"2027-03"}) if code == "period_closed" else frozenset(),
        )
    assert caught.value.code == code


def _report():
    e1, e2 = new_id(), new_id()
    ok = AllocationMoney(
        new_id(), new_id(), e1, "settled", 10_000, 0, 10_000, 7_500, 2_500, True, 10_000
    )
    over = AllocationMoney(new_id(), new_id(), e1, "paid", 5_000, 0, 5_000, 0, 0, False, 6_000)
    released = AllocationMoney(new_id(), new_id(), e2, RELEASED, 3_000, 0, 0, 0, 0, False, 3_000)
    unpaid_report = AllocationMoney(
        new_id(), new_id(), e2, "settled", 4_000, 1_000, 0, 3_000, 0, True
    )
    loose = LooseLine(new_id(), 7, 1_234, "no_matching_payout", "no open payout")
    late = SentPayout(new_id(), unpaid_report.allocation_id, 3_000, date(2027, 4, 14))
    fresh = SentPayout(new_id(), unpaid_report.allocation_id, 1, date(2027, 4, 15))
    report = reconcile(
        FUND,
        100_000,
        [
            EarmarkMoney(e1, "Centrum", 50_000, 37_500),
            EarmarkMoney(e2, "Noord =1+1", 30_000, 26_000),
        ],
        [ok, over, released, unpaid_report],
        [loose],
        [late, fresh],
        datetime(2027, 4, 20, tzinfo=UTC),
        TODAY,
    )
    return report, (ok, over, released, unpaid_report, loose, late)


def test_figures_per_fund_earmark_and_allocation():
    report, _ = _report()
    centrum, noord = report.earmarks
    assert (centrum.budget, centrum.committed, centrum.paid, centrum.spent, centrum.returned) == (
        50_000,
        15_000,
        15_000,
        7_500,
        2_500,
    )
    assert (noord.committed, noord.paid, noord.spent) == (3_000, 0, 3_000)
    assert [a.available for a in centrum.allocations] == [0, 0]
    assert [(a.committed, a.available) for a in noord.allocations] == [(0, 0), (3_000, 3_000)]
    assert (report.budget, report.committed, report.paid, report.spent, report.returned) == (
        100_000,
        18_000,
        15_000,
        10_500,
        2_500,
    )
    assert report.available == 100_000 - 80_000 + 37_500 + 26_000


def test_every_mismatch_is_flagged_once():
    report, (_, over, released, unpaid_report, loose, _) = _report()
    found = [(m.kind, m.allocation_id or m.statement_id, m.amount) for m in report.mismatches]
    assert found == [
        ("paid_more_than_committed", over.allocation_id, 1_000),
        ("paid_without_commitment", released.allocation_id, 3_000),
        ("report_without_payout", unpaid_report.allocation_id, 3_000),
        ("statement_line_without_payout", loose.statement_id, 1_234),
        ("payout_without_statement_line", unpaid_report.allocation_id, 3_000),
    ]
    assert report.mismatches[3].line == 7


def test_exports_are_formula_safe_in_csv_and_xlsx():
    report, _ = _report()
    rows = list(reconciliation_rows(report))
    csv_file = export_file("reconciliation", "csv", RECONCILIATION_HEADER, rows)
    assert csv_file.rows == 1 + 2 + 4 + 5
    assert "'Noord =1+1" not in csv_file.content  # only a leading sign makes a formula
    assert "Noord =1+1" in csv_file.content
    evil = export_file("x", "csv", ["a"], [['=HYPERLINK("x")'], [-5]])
    assert evil.content.splitlines()[1:] == ['"\'=HYPERLINK(""x"")"', "-5"]
    book = export_file("x", "xlsx", ["a"], [['=HYPERLINK("x")'], [-5]])
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(book.content))).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert [(c.value, c.data_type) for c in cells] == [
        ("a", "s"),
        ('=HYPERLINK("x")', "s"),
        (-5, "n"),
    ]
    assert cells[1].quotePrefix
