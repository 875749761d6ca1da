"""Exports of the reconciliation, the payouts and the ledger as CSV or XLSX, through the kit's
one formula-safe helper (`kit/export.py`). Amounts are integer cents in columns that say so:
exact, and numbers in a spreadsheet."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

from contracts.budget import ExportFile, LedgerEntry, PayoutView, Reconciliation
from kit.export import csv_text, xlsx_bytes

FIGURES = ("budget", "committed", "paid", "spent", "returned", "available")
RECONCILIATION_HEADER = (
    "niveau/level",
    "potje/earmark",
    "toekenning/allocation",
    "aanvraag/application",
    *(f"{f} (cent)" for f in FIGURES),
    "afwijking/mismatch",
    "betaling/payout",
    "afschrift/statement",
    "regel/line",
    "bedrag/amount (cent)",
    "toelichting/detail",
)
PAYOUTS_HEADER = (
    "betaling/payout",
    "toekenning/allocation",
    "aanvraag/application",
    "bedrag/amount (cent)",
    "IBAN",
    "rekeninghouder/account holder",
    "status/state",
    "vervaldatum/due on",
    "batch",
    "betaald op/paid on",
)
LEDGER_HEADER = (
    "boeking/entry",
    "transfer",
    "tijd/at (UTC)",
    "debet/debit",
    "credit",
    "bedrag/amount (cent)",
    "soort/kind",
    "notitie/note",
)


def reconciliation_rows(report: Reconciliation) -> Iterable[Sequence[object]]:
    """The fund, each earmark and each allocation with their figures, then every mismatch."""
    blank = (None,) * 6
    yield ("fund", None, None, None, *(getattr(report, f) for f in FIGURES), *blank)
    for e in report.earmarks:
        yield ("earmark", e.name, None, None, *(getattr(e, f) for f in FIGURES), *blank)
        for a in e.allocations:
            figures = (getattr(a, f) for f in FIGURES)
            yield ("allocation", e.name, a.allocation_id, a.application_id, *figures, *blank)
    for m in report.mismatches:
        yield (
            "mismatch",
            None,
            m.allocation_id,
            None,
            *(None,) * len(FIGURES),
            m.kind,
            m.payout_id,
            m.statement_id,
            m.line,
            m.amount,
            m.detail,
        )


def payout_rows(payouts: Iterable[PayoutView]) -> Iterable[Sequence[object]]:
    for p in payouts:
        yield (
            p.payout_id,
            p.allocation_id,
            p.application_id,
            p.amount,
            p.iban,
            p.account_holder,
            p.state,
            p.due_on,
            p.batch_id,
            p.paid_on,
        )


def ledger_rows(entries: Iterable[LedgerEntry]) -> Iterable[Sequence[object]]:
    for e in entries:
        yield (
            e.entry,
            e.transfer_id,
            e.at,
            e.debit_account,
            e.credit_account,
            e.amount,
            e.kind,
            e.note,
        )


def export_file(
    name: str, kind: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> ExportFile:
    """The rows as a file of `kind` (`csv`: UTF-8 text; `xlsx`: base64)."""
    rows = list(rows)
    if kind == "csv":
        return ExportFile(
            file_name=f"{name}.csv",
            media_type="text/csv; charset=utf-8",
            encoding="utf-8",
            content=csv_text(header, rows),
            rows=len(rows),
        )
    data = xlsx_bytes(name, header, rows)
    return ExportFile(
        file_name=f"{name}.xlsx",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        encoding="base64",
        content=base64.b64encode(data).decode("ascii"),
        rows=len(rows),
    )
