"""Finance in the budget service: payouts, SEPA batches, bank statements, returns,
reconciliation, period close and exports (issue 13).

Personal data stays here: an IBAN and account holder are in commands and finance's queries,
while events carry only the last four characters of the IBAN.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from ..registry import Policy
from ..text import Label, Reason, line
from ..types import IBAN, Cents, Contract, PositiveCents, UtcDateTime
from .base import BUDGET
from .funds import FINANCE

PayoutState = Literal["recorded", "sent", "paid", "returned"]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
IbanTail = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4}$")]
EndToEndId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9/?:().,'+ -]{1,35}$")]
"""SEPA end-to-end id: at most 35 characters of the SEPA Latin set."""
PeriodLabel = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
"""A calendar month in the fund's time zone, e.g. `2027-03`."""
BIC = Annotated[str, StringConstraints(pattern=r"^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$")]
MAX_BATCH = 10_000
BankAccount = Annotated[IBAN, StringConstraints(max_length=42)]
"""An IBAN (checked by schwifty), as typed: at most 34 characters and their spaces."""
HolderName = line(70)
"""SEPA allows 70 characters for a name."""
MessageId = line(35)
EntryKind = line(40)

# -- events ------------------------------------------------------------------------------------


class PayoutFacts(Contract):
    payout_id: UUID
    allocation_id: UUID
    application_id: UUID
    fund_id: UUID
    earmark_id: UUID
    amount: PositiveCents
    iban_last4: IbanTail


@BUDGET.event("payout.recorded")
class PayoutRecorded(PayoutFacts):
    """Finance recorded a payout (an instalment) against a committed allocation."""

    instalment: Annotated[int, Field(ge=1, le=100)]
    due_on: date


@BUDGET.event("payout.sent")
class PayoutSent(PayoutFacts):
    """The payout is in a SEPA batch handed to the bank."""

    batch_id: UUID
    end_to_end_id: EndToEndId
    execution_date: date


@BUDGET.event("payout.paid")
class PayoutPaid(PayoutFacts):
    """A bank statement line shows the payout left the account."""

    statement_id: UUID
    booked_on: date
    end_to_end_id: EndToEndId | None = None


@BUDGET.event("statement.imported")
class StatementImported(Contract):
    """A bank statement was imported and matched; unmatched lines are listed for finance."""

    statement_id: UUID
    fund_id: UUID
    file_sha256: Sha256
    account_last4: IbanTail
    period_from: date
    period_to: date
    lines: Annotated[int, Field(ge=0)]
    matched: Annotated[int, Field(ge=0)]
    unmatched: Annotated[int, Field(ge=0)]
    imported_at: UtcDateTime


@BUDGET.event("return.recorded")
class ReturnRecorded(Contract):
    """Money came back for an allocation (sent back, or unspent after an accepted report)."""

    return_id: UUID
    allocation_id: UUID
    application_id: UUID
    fund_id: UUID
    earmark_id: UUID
    amount: PositiveCents
    received_on: date


@BUDGET.event("period.closed")
class PeriodClosed(Contract):
    """Nothing dated in this month changes any more; corrections go into an open period."""

    fund_id: UUID
    period: PeriodLabel
    closed_at: UtcDateTime
    budget: Cents
    committed: Cents
    paid: Cents
    spent: Cents
    returned: Cents


# -- commands ----------------------------------------------------------------------------------


class RecordPayout(Contract):
    """A payout to the recipient's account; `payout_id` is chosen by the caller."""

    payout_id: UUID
    fund_id: UUID
    allocation_id: UUID
    amount: PositiveCents
    iban: BankAccount
    account_holder: HolderName
    due_on: date


class PayoutRef(Contract):
    payout_id: UUID


class Debtor(Contract):
    """The fund's own account, from which a SEPA batch pays."""

    name: HolderName
    iban: BankAccount
    bic: BIC | None = None


class MakeSepaBatch(Contract):
    batch_id: UUID
    fund_id: UUID
    payout_ids: list[UUID] = Field(min_length=1, max_length=MAX_BATCH)
    execution_date: date
    debtor: Debtor


class SepaBatch(Contract):
    batch_id: UUID
    message_id: MessageId
    payouts: Annotated[int, Field(ge=1)]
    total: PositiveCents
    file_name: Label
    xml: str = Field(description="pain.001.001.03 credit transfer, valid against the XSD")


class StatementFile(Contract):
    """Where the uploaded file is: small files inline (`content`), large ones in the NATS
    object store bucket `budget-statements` under `object_name` (put there by the gateway)."""

    file_name: Label
    format: Literal["camt053", "bank_csv"]
    sha256: Sha256
    content: Annotated[str, StringConstraints(max_length=800_000)] | None = None
    object_name: Label | None = None

    @model_validator(mode="after")
    def _one_place(self):
        if (self.content is None) == (self.object_name is None):
            raise ValueError("give the file as content or as object_name, exactly one")
        return self


class ImportStatement(Contract):
    import_id: UUID
    fund_id: UUID
    file: StatementFile


class LineProblem(Contract):
    """Why one statement line was not matched (or was refused), by its number in the file."""

    line: Annotated[int, Field(ge=1)]
    code: Literal[
        "no_matching_payout", "foreign_currency", "amount_differs", "already_paid", "malformed"
    ]
    detail: Reason


class StatementImport(Contract):
    import_id: UUID
    statement_id: UUID | None = None
    state: Literal["running", "done", "failed"]
    lines: Annotated[int, Field(ge=0)]
    processed: Annotated[int, Field(ge=0)]
    matched: Annotated[int, Field(ge=0)]
    already_imported: bool = Field(description="The same file was imported before: no change")
    problems: list[LineProblem] = Field(default_factory=list, max_length=10_000)
    payouts_without_line: list[UUID] = Field(default_factory=list, max_length=10_000)


class RecordReturn(Contract):
    return_id: UUID
    fund_id: UUID
    allocation_id: UUID
    amount: PositiveCents
    received_on: date
    note: Reason | None = None


class ReturnRef(Contract):
    return_id: UUID


class ClosePeriod(Contract):
    fund_id: UUID
    period: PeriodLabel


RECORD_PAYOUT = BUDGET.command(
    "record_payout",
    RecordPayout,
    PayoutRef,
    "Record a payout (an instalment) against a committed allocation.",
    errors=(
        "unknown_allocation",
        "allocation_not_committed",
        "over_committed",
        "payout_id_conflict",
        "period_closed",
    ),
    policy=Policy(FINANCE, scope="fund_id"),
)
MAKE_SEPA_BATCH = BUDGET.command(
    "make_sepa_batch",
    MakeSepaBatch,
    SepaBatch,
    "A SEPA credit-transfer file (pain.001) for chosen payouts; they become sent.",
    errors=("unknown_payout", "payout_not_open", "debtor_invalid", "period_closed"),
    policy=Policy(FINANCE, scope="fund_id"),
)
IMPORT_STATEMENT = BUDGET.command(
    "import_statement",
    ImportStatement,
    StatementImport,
    "Import a CAMT.053 (or bank CSV) statement and match its lines to payouts; importing the "
    "same file again changes nothing. Large files continue in the background: follow them "
    "with the statement_import query.",
    errors=("statement_malformed", "statement_file_missing", "unknown_fund"),
    policy=Policy(FINANCE, scope="fund_id"),
)
RECORD_RETURN = BUDGET.command(
    "record_return",
    RecordReturn,
    ReturnRef,
    "Record money that came back for an allocation; it is settled and the rest flows back.",
    errors=("unknown_allocation", "return_exceeds_paid", "period_closed"),
    policy=Policy(FINANCE, scope="fund_id"),
)
CLOSE_PERIOD = BUDGET.command(
    "close_period",
    ClosePeriod,
    ClosePeriod,
    "Close a month: nothing dated in it changes afterwards.",
    errors=("unknown_fund", "period_already_closed", "period_not_ended"),
    policy=Policy(FINANCE, scope="fund_id"),
)

# -- queries -----------------------------------------------------------------------------------


class FundQuery(Contract):
    fund_id: UUID


class Mismatch(Contract):
    """Somewhere the figures do not agree."""

    kind: Literal[
        "paid_more_than_committed",
        "paid_without_commitment",
        "report_without_payout",
        "statement_line_without_payout",
        "payout_without_statement_line",
    ]
    allocation_id: UUID | None = None
    payout_id: UUID | None = None
    statement_id: UUID | None = None
    line: int | None = None
    amount: Cents
    detail: Reason


class Figures(Contract):
    budget: Cents
    committed: Cents
    paid: Cents
    spent: Cents
    returned: Cents
    available: Cents


class AllocationFigures(Figures):
    allocation_id: UUID
    application_id: UUID


class EarmarkReconciliation(Figures):
    earmark_id: UUID
    name: str
    allocations: list[AllocationFigures]


class Reconciliation(Figures):
    fund_id: UUID
    as_of: UtcDateTime
    earmarks: list[EarmarkReconciliation]
    mismatches: list[Mismatch]


class PayoutsQuery(Contract):
    fund_id: UUID
    state: PayoutState | None = None
    after: UUID | None = Field(default=None, description="Cursor: the last payout id seen")
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class PayoutView(Contract):
    payout_id: UUID
    allocation_id: UUID
    application_id: UUID
    amount: PositiveCents
    iban: IBAN
    account_holder: str
    state: PayoutState
    due_on: date
    batch_id: UUID | None = None
    paid_on: date | None = None


class Payouts(Contract):
    payouts: list[PayoutView]
    next_after: UUID | None = None


class LedgerQuery(Contract):
    fund_id: UUID
    earmark_id: UUID | None = None
    after: Annotated[int, Field(ge=0)] | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class LedgerEntry(Contract):
    entry: int
    transfer_id: UUID
    at: UtcDateTime
    debit_account: str
    credit_account: str
    amount: PositiveCents
    kind: EntryKind
    note: str | None = None


class LedgerEntries(Contract):
    entries: list[LedgerEntry]
    next_after: int | None = None


class ExportQuery(Contract):
    fund_id: UUID
    what: Literal["reconciliation", "payouts", "ledger"]
    format: Literal["csv", "xlsx"]


class ExportFile(Contract):
    """A formula-safe export: CSV as text, XLSX as base64."""

    file_name: Label
    media_type: str
    encoding: Literal["utf-8", "base64"]
    content: str
    rows: Annotated[int, Field(ge=0)]


class ImportRef(Contract):
    import_id: UUID
    fund_id: UUID


RECONCILIATION = BUDGET.query(
    "reconciliation",
    FundQuery,
    Reconciliation,
    "Budget, committed, paid, spent, returned and available per fund, earmark and allocation, "
    "with every mismatch flagged.",
    errors=("unknown_fund",),
    policy=Policy(FINANCE, scope="fund_id"),
)
PAYOUTS = BUDGET.query(
    "payouts",
    PayoutsQuery,
    Payouts,
    "Payouts of a fund, by state, paginated.",
    errors=("unknown_fund",),
    policy=Policy(FINANCE, scope="fund_id"),
)
LEDGER = BUDGET.query(
    "ledger",
    LedgerQuery,
    LedgerEntries,
    "The money ledger's entries of a fund, paginated.",
    errors=("unknown_fund",),
    policy=Policy(FINANCE, scope="fund_id"),
)
EXPORT = BUDGET.query(
    "export",
    ExportQuery,
    ExportFile,
    "The reconciliation, the payouts or the ledger as CSV or XLSX, formula-safe.",
    errors=("unknown_fund",),
    policy=Policy(FINANCE, scope="fund_id"),
)
STATEMENT_IMPORT = BUDGET.query(
    "statement_import",
    ImportRef,
    StatementImport,
    "Progress and result of a statement import.",
    errors=("not_found",),
    policy=Policy(FINANCE, scope="fund_id"),
)

__all__ = [
    "CLOSE_PERIOD",
    "EXPORT",
    "IMPORT_STATEMENT",
    "LEDGER",
    "MAKE_SEPA_BATCH",
    "PAYOUTS",
    "RECONCILIATION",
    "RECORD_PAYOUT",
    "RECORD_RETURN",
    "STATEMENT_IMPORT",
    "AllocationFigures",
    "ClosePeriod",
    "Debtor",
    "EarmarkReconciliation",
    "ExportFile",
    "ExportQuery",
    "Figures",
    "FundQuery",
    "ImportRef",
    "ImportStatement",
    "LedgerEntries",
    "LedgerEntry",
    "LedgerQuery",
    "LineProblem",
    "MakeSepaBatch",
    "Mismatch",
    "PayoutFacts",
    "PayoutPaid",
    "PayoutRecorded",
    "PayoutRef",
    "PayoutSent",
    "PayoutView",
    "Payouts",
    "PayoutsQuery",
    "PeriodClosed",
    "Reconciliation",
    "RecordPayout",
    "RecordReturn",
    "ReturnRecorded",
    "ReturnRef",
    "SepaBatch",
    "StatementFile",
    "StatementImport",
    "StatementImported",
]
