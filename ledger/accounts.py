"""Accounts: posted and pending debits and credits, and the limits that bound them.

An account's balance is credits - debits (posted). Pending amounts are reservations: a pending
debit counts as spent and a pending credit as received, so whatever happens to a reservation
(posted in full or in part, or voided) the limits still hold. Amounts are integers in the
ledger's unit (minutes, tokens, euro cents). Source: TigerBeetle's account model
(docs.tigerbeetle.com, "Account": debits/credits posted/pending, flags for limits).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from contracts import Refusal
from contracts.ledger import MAX_TOTAL


@dataclass(frozen=True)
class Account:
    """One account of a ledger, as of one moment.

    - `ledger`: where the account lives (e.g. a time bank's community, a fund): transfers
      only join accounts of the same ledger and unit.
    - `unit`: what it counts (`hour` in minutes, `steerk` tokens, `EUR` in cents).
    - `owner`: whose it is (a member, an initiative), or None for the ledger's own account
      (a community pot, a fund's bank account); the ledger does not interpret it.
    - `debt_limit`: how far the balance may go below zero (0: never).
    - `max_balance`: how far it may go above zero (None: no maximum).
    """

    id: UUID
    ledger: str
    unit: str
    owner: UUID | None
    debt_limit: int
    max_balance: int | None = None
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What may still be spent: reservations count as spent, the debt limit as available."""
        return self.balance - self.debits_pending + self.debt_limit

    def limit_violation(self) -> str | None:
        """Why this account is beyond its limits, or None."""
        if self.debits_posted + self.debits_pending > self.credits_posted + self.debt_limit:
            return (
                f"debits {self.debits_posted}+{self.debits_pending} pending exceed credits "
                f"{self.credits_posted} + debt limit {self.debt_limit}"
            )
        if self.max_balance is not None and (
            self.credits_posted + self.credits_pending - self.debits_posted > self.max_balance
        ):
            return (
                f"credits {self.credits_posted}+{self.credits_pending} pending - debits "
                f"{self.debits_posted} exceed max balance {self.max_balance}"
            )
        return None

    def bounds_violation(self) -> str | None:
        """Why a total or limit of this account is beyond `MAX_TOTAL` (or below zero), or None.
        Posted plus pending counts, so that posting a reservation can never overflow."""
        for what, value in (
            ("debits", self.debits_posted + self.debits_pending),
            ("credits", self.credits_posted + self.credits_pending),
            ("debt limit", self.debt_limit),
            ("max balance", self.max_balance or 0),
        ):
            if value > MAX_TOTAL:
                return f"{what} {value} exceed the ledger's maximum {MAX_TOTAL}"
        for what in ("debits_posted", "credits_posted", "debits_pending", "credits_pending"):
            if getattr(self, what) < 0:
                return f"{what} {getattr(self, what)} below zero"
        return None


def check_new_limits(account: Account, debt_limit: int | None, max_balance: int | None) -> Account:
    """The account with new limits (None: unchanged). Refused with `over_debt_limit` (details:
    `in_use`) when they are below what the account already uses, or `total_too_large` when a
    limit is beyond `MAX_TOTAL`."""
    changed = replace(
        account,
        debt_limit=account.debt_limit if debt_limit is None else debt_limit,
        max_balance=account.max_balance if max_balance is None else max_balance,
    )
    if changed.bounds_violation():
        raise Refusal("total_too_large", {"account_id": str(account.id)}, maximum=MAX_TOTAL)
    if changed.limit_violation():
        raise Refusal(
            "over_debt_limit",
            {"account_id": str(account.id), "in_use": True},
            available=max(changed.available, 0),
        )
    return changed
