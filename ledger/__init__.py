"""The ledger component: accounts, transfers, limits, invariants and their checker, for every
service that keeps one (the time bank in minutes and tokens, the budget in euro cents).

Pure rules (`accounts`, `transfers`, `invariants`: no I/O), the journal in PostgreSQL
(`journal`, asyncpg, inside the service's transaction), the checker (`checker`, behind
`voorelkaar check-ledger --service NAME`), and the component's migrations (`COMPONENT`, for
`Service(..., components=(ledger.COMPONENT,))`). A service merges `LEDGER_ERRORS` into its
error catalogue. See docs/ledger.md.
"""

from pathlib import Path

from contracts.ledger import LEDGER_ERRORS, LIMIT_ERRORS, MAX_TOTAL, Limit, PositiveLimit
from kit.db import Component

from .accounts import Account, check_new_limits
from .invariants import Totals, account_violations, journal_violations, recompute, violations
from .journal import Entry, Journal, JournalWrite
from .transfers import (
    REVERSAL,
    Phase,
    Posting,
    Transfer,
    post_direct,
    post_pending,
    reserve,
    reverse,
    void_pending,
)

COMPONENT = Component("ledger", Path(__file__).parent / "migrations")
"""The ledger's tables (`ledger_accounts`, `ledger_transfers`), migrated before the service's."""

__all__ = [
    "COMPONENT",
    "LEDGER_ERRORS",
    "LIMIT_ERRORS",
    "MAX_TOTAL",
    "REVERSAL",
    "Account",
    "Entry",
    "Journal",
    "JournalWrite",
    "Limit",
    "Phase",
    "PositiveLimit",
    "Posting",
    "Totals",
    "Transfer",
    "account_violations",
    "check_new_limits",
    "journal_violations",
    "post_direct",
    "post_pending",
    "recompute",
    "reserve",
    "reverse",
    "violations",
    "void_pending",
]
