"""The report after the activity: what was spent on each budget line, and the figures the
register and the monitoring show (verantwoording op effectniveau, issue 11)."""

from __future__ import annotations

from contracts import Refusal
from contracts.funding import BudgetLine
from contracts.initiatives import ReportedLine, SpentLine


def report_lines(budget: list[BudgetLine], spent: list[SpentLine]) -> list[ReportedLine]:
    """Each budget line with what was planned and spent, in the budget's order.

    Raises Refusal `unknown_budget_line` (naming the line) for a line not in the budget, and
    `report_lines_missing` (naming them) when a budget line is not reported."""
    planned = {line.line: line for line in budget}
    for item in spent:
        if item.line not in planned:
            raise Refusal("unknown_budget_line", {"line": item.line}, line=item.line)
    given = {item.line: item.spent for item in spent}
    missing = [line.line for line in budget if line.line not in given]
    if missing:
        raise Refusal(
            "report_lines_missing",
            {"missing": missing},
            missing=", ".join(str(n) for n in missing),
        )
    return [
        ReportedLine(
            line=line.line,
            description=line.description,
            kind=line.kind,
            planned=line.amount,
            spent=given[line.line],
        )
        for line in budget
    ]
