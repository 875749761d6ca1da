"""The ledger component's published face: the error codes a service that keeps a ledger may
answer with, and the bounds of the ledger's numbers (`ledger/` holds the rules).

Amounts are integers in the ledger's unit (minutes, tokens, euro cents). Every total an account
can reach, and every limit, is at most `MAX_TOTAL` = 2**61: an account's balance, what it may
still spend (`available` = balance - pending debits + debt limit, at most 2**62) and every
running balance then fit PostgreSQL's `bigint` and the contracts' `Minutes`/`Cents`, so no limit
a command may set can make a later query fail. A transfer that would take a total past it is
refused with `total_too_large`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .errors import ErrorCatalogue

MAX_TOTAL = 2**61
"""The largest value of an account's posted plus pending debits, or credits, and of a limit."""

Limit = Annotated[int, Field(strict=True, ge=0, le=MAX_TOTAL)]
"""A debt limit: how far an account may go below zero, in the ledger's unit."""

PositiveLimit = Annotated[int, Field(strict=True, gt=0, le=MAX_TOTAL)]
"""A maximum balance, in the ledger's unit."""

LEDGER_ERRORS = ErrorCatalogue(
    {
        "over_debt_limit": (
            "Dit gaat boven de schuldlimiet: er is nog {available} beschikbaar.",
            "This exceeds the debt limit: {available} is still available.",
        ),
        "above_max_balance": (
            "Dit gaat boven het maximale saldo van de ontvanger.",
            "This would take the receiver above their maximum balance.",
        ),
        "same_account": (
            "Van en naar dezelfde rekening kan niet.",
            "A transfer to the same account is not possible.",
        ),
        "amount_not_positive": (
            "Het aantal moet groter dan nul zijn.",
            "The amount must be greater than zero.",
        ),
        "total_too_large": (
            "Dit past niet meer op de rekening: het totaal zou boven {maximum} komen.",
            "This no longer fits the account: its total would exceed {maximum}.",
        ),
        "more_than_agreed": (
            "Meer dan afgesproken ({agreed}) kan alleen met een nieuwe afspraak.",
            "More than agreed ({agreed}) needs a new agreement.",
        ),
        "transfer_id_conflict": (
            "Dit boekingsnummer is al gebruikt voor een andere boeking.",
            "This transfer id was already used for a different transfer.",
        ),
        "not_reversible": (
            "Deze boeking kan niet (verder) worden teruggedraaid: {why}.",
            "This transfer cannot be reversed (further): {why}.",
        ),
    }
)
"""Every code the ledger's rules refuse with; a service that keeps a ledger merges these into
its own catalogue."""

LIMIT_ERRORS = (
    "over_debt_limit",
    "above_max_balance",
    "same_account",
    "amount_not_positive",
    "total_too_large",
)
"""The codes any transfer may be refused with (for an operation's `errors`)."""
