"""Finance in the budget service (issue 13): payouts and their instalments, SEPA credit-transfer
batches, bank statements and their matching, returns and settlement, reconciliation, period
close and exports. Pure at the centre; the SEPA and statement adapters turn files into values.

- `payouts`: `Payout`, `Allocation`, `decide_payout`, `decide_batch`, end-to-end ids;
- `sepa`: pain.001.001.03 files with sepaxml (`build_credit_transfer`, the XSD);
- `statements`: CAMT.053 (pycamt) and the Dutch banks' CSV exports into `Statement`s;
- `matching`: statement lines to payouts (`match_lines`, `PayoutIndex`);
- `settlement`: settling on a report or a return (`settle_on_report`, `decide_return`);
- `reconciliation`: the report and its mismatches (`reconcile`);
- `periods`: months in the fund's time zone, closing them (`check_open`, `decide_close`);
- `exports`: CSV and XLSX through `kit/export.py`.
"""

from .amounts import AmountError, cents_of, cents_of_dutch, decimal_text
from .matching import (
    AMOUNT_IBAN_DATE,
    END_TO_END,
    Match,
    Matching,
    PayoutIndex,
    Problem,
    match_lines,
)
from .payouts import (
    COMMITTED,
    PAID,
    RECORDED,
    RELEASED,
    RETURNED,
    SENT,
    SETTLED,
    Allocation,
    Payout,
    decide_batch,
    decide_payout,
    end_to_end_id,
    left_to_pay,
    outstanding,
    payout_id_of,
)
from .periods import check_open, day_in, decide_close, period_end, period_of
from .reconciliation import AllocationMoney, EarmarkMoney, LooseLine, SentPayout, reconcile
from .sepa import XSD, DebtorAccount, SepaError, SepaFile, build_credit_transfer
from .settlement import Position, Settlement, decide_return, settle_on_report, settle_on_return
from .statements import BadLine, Statement, StatementError, StatementLine, read_statement

__all__ = [
    "AMOUNT_IBAN_DATE",
    "COMMITTED",
    "END_TO_END",
    "PAID",
    "RECORDED",
    "RELEASED",
    "RETURNED",
    "SENT",
    "SETTLED",
    "XSD",
    "Allocation",
    "AllocationMoney",
    "AmountError",
    "BadLine",
    "DebtorAccount",
    "EarmarkMoney",
    "LooseLine",
    "Match",
    "Matching",
    "Payout",
    "PayoutIndex",
    "Position",
    "Problem",
    "SentPayout",
    "SepaError",
    "SepaFile",
    "Settlement",
    "Statement",
    "StatementError",
    "StatementLine",
    "build_credit_transfer",
    "cents_of",
    "cents_of_dutch",
    "check_open",
    "day_in",
    "decide_batch",
    "decide_close",
    "decide_payout",
    "decide_return",
    "decimal_text",
    "end_to_end_id",
    "left_to_pay",
    "match_lines",
    "outstanding",
    "payout_id_of",
    "period_end",
    "period_of",
    "read_statement",
    "reconcile",
    "settle_on_report",
    "settle_on_return",
]
