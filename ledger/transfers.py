"""Transfers: immutable journal entries, and the rules that make them.

A *pending* transfer reserves an amount on both accounts; a *posted* transfer moves it
(directly, or by posting a pending one, for its amount or less, never more); a *void* releases
a pending one. A pending transfer is resolved at most once. A mistake is corrected by a
*reversal*: a posted transfer the other way, with a reason and who made it, never by changing
the original; reversals never take back more than was moved. Every function here is pure: it
takes the accounts as they are and returns the transfer with both accounts as they become
(`Posting`), or raises `Refusal` with one of `LEDGER_ERRORS`' codes.
Source: TigerBeetle's two-phase transfers (docs.tigerbeetle.com, "Two-Phase Transfers").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from uuid import UUID

from contracts import Refusal
from contracts.ledger import MAX_TOTAL

from .accounts import Account

Phase = Literal["pending", "posted", "void"]
REVERSAL = "reversal"
"""The kind of every reversing transfer; other kinds are the service's own (e.g. `exchange`,
`donation` in the time bank, `payout` in the budget)."""


@dataclass(frozen=True)
class Transfer:
    """One journal entry. `amount` > 0 in the ledger's unit; `ref` is what the transfer is
    for (an exchange, an allocation), carried from a pending transfer to its posting or void
    and from a transfer to its reversals; `note` a reason; `recorded_by` who made it."""

    id: UUID
    ledger: str
    unit: str
    debit_account_id: UUID
    credit_account_id: UUID
    amount: int
    phase: Phase
    kind: str
    pending_id: UUID | None = None
    reverses_id: UUID | None = None
    ref: UUID | None = None
    note: str | None = None
    recorded_by: str | None = None
    at: datetime | None = None

    def same_as(self, other: Transfer) -> bool:
        """A repeated transfer id is harmless only if everything else is the same too."""
        fields = (
            "debit_account_id",
            "credit_account_id",
            "amount",
            "unit",
            "phase",
            "kind",
            "pending_id",
            "reverses_id",
        )
        return all(getattr(self, f) == getattr(other, f) for f in fields)


@dataclass(frozen=True)
class Posting:
    """The outcome of a ledger operation: the transfer and both accounts after it."""

    transfer: Transfer
    debit: Account
    credit: Account


def _check_pair(debit: Account, credit: Account, amount: int) -> None:
    if amount <= 0:
        raise Refusal("amount_not_positive")
    if debit.id == credit.id:
        raise Refusal("same_account")
    if (debit.ledger, debit.unit) != (credit.ledger, credit.unit):
        raise ValueError("accounts of different ledgers or units cannot meet in a transfer")


def _within_limits(debit: Account, credit: Account, amount: int) -> None:
    """`debit` and `credit` as they would be after moving `amount`."""
    for account in (debit, credit):
        if account.bounds_violation():
            raise Refusal("total_too_large", {"account_id": str(account.id)}, maximum=MAX_TOTAL)
    if debit.limit_violation():
        available = max(debit.available + amount, 0)  # what was available before
        raise Refusal(
            "over_debt_limit",
            {"account_id": str(debit.id), "available": available},
            available=available,
        )
    if credit.limit_violation():
        raise Refusal("above_max_balance", {"account_id": str(credit.id)})


def _transfer(
    transfer_id: UUID,
    debit: Account,
    credit: Account,
    amount: int,
    phase: Phase,
    kind: str,
    **extra,
) -> Transfer:
    return Transfer(
        transfer_id, debit.ledger, debit.unit, debit.id, credit.id, amount, phase, kind, **extra
    )


def _move(
    transfer_id: UUID,
    debit: Account,
    credit: Account,
    amount: int,
    phase: Phase,
    kind: str,
    **extra,
) -> Posting:
    """A new transfer of `amount`, pending (held on both sides) or posted (moved)."""
    _check_pair(debit, credit, amount)
    side = "pending" if phase == "pending" else "posted"
    debits, credits = f"debits_{side}", f"credits_{side}"
    new_debit = replace(debit, **{debits: getattr(debit, debits) + amount})
    new_credit = replace(credit, **{credits: getattr(credit, credits) + amount})
    _within_limits(new_debit, new_credit, amount)
    return Posting(
        _transfer(transfer_id, debit, credit, amount, phase, kind, **extra), new_debit, new_credit
    )


def reserve(
    transfer_id: UUID,
    debit: Account,
    credit: Account,
    amount: int,
    kind: str = "exchange",
    **extra,
) -> Posting:
    """A pending transfer: `amount` held on both sides, within both accounts' limits.
    `extra`: `ref`, `note`, `recorded_by`, `at`. Refused: `amount_not_positive`,
    `same_account`, `over_debt_limit`, `above_max_balance`, `total_too_large`."""
    return _move(transfer_id, debit, credit, amount, "pending", kind, **extra)


def _resolve(
    transfer_id: UUID,
    pending: Transfer,
    debit: Account,
    credit: Account,
    moved: int,
    **extra,
) -> Posting:
    """The reservation of `pending` released and `moved` of it posted (0: voided)."""
    assert pending.phase == "pending"
    assert (debit.id, credit.id) == (pending.debit_account_id, pending.credit_account_id)
    new_debit = replace(
        debit,
        debits_pending=debit.debits_pending - pending.amount,
        debits_posted=debit.debits_posted + moved,
    )
    new_credit = replace(
        credit,
        credits_pending=credit.credits_pending - pending.amount,
        credits_posted=credit.credits_posted + moved,
    )
    if moved:
        _within_limits(new_debit, new_credit, 0)
    transfer = _transfer(
        transfer_id,
        debit,
        credit,
        moved or pending.amount,
        "posted" if moved else "void",
        pending.kind,
        pending_id=pending.id,
        ref=pending.ref,
        **extra,
    )
    return Posting(transfer, new_debit, new_credit)


def post_pending(
    transfer_id: UUID,
    pending: Transfer,
    debit: Account,
    credit: Account,
    amount: int | None = None,
    **extra,
) -> Posting:
    """Post a pending transfer for its full amount (None) or less, never more; the rest is
    released. Refused: `amount_not_positive`, `more_than_agreed` (details: `agreed`)."""
    amount = pending.amount if amount is None else amount
    if amount <= 0:
        raise Refusal("amount_not_positive")
    if amount > pending.amount:
        raise Refusal("more_than_agreed", {"agreed": pending.amount}, agreed=pending.amount)
    return _resolve(transfer_id, pending, debit, credit, amount, **extra)


def void_pending(
    transfer_id: UUID, pending: Transfer, debit: Account, credit: Account, **extra
) -> Posting:
    """Release a reservation; nothing moves. Never refused: releasing only lowers what an
    account uses."""
    return _resolve(transfer_id, pending, debit, credit, 0, **extra)


def post_direct(
    transfer_id: UUID, debit: Account, credit: Account, amount: int, kind: str, **extra
) -> Posting:
    """Move `amount` at once (a donation, an award, a payout), within both accounts' limits.
    Refused as `reserve` is."""
    return _move(transfer_id, debit, credit, amount, "posted", kind, **extra)


def reverse(
    transfer_id: UUID,
    original: Transfer,
    already_reversed: int,
    debit: Account,
    credit: Account,
    amount: int | None,
    reason: str,
    recorded_by: str,
    at: datetime | None = None,
) -> Posting:
    """Correct a posted transfer by moving (part of) its amount back; the original stays.
    `debit` is the original's credit account (who received pays back), `credit` its debit
    account; `already_reversed` what earlier reversals took back (read under the accounts'
    locks). Refused: `not_reversible` (not posted, itself a reversal, nothing or less left;
    details: `left`), or as `post_direct` is."""
    if original.phase != "posted":
        raise Refusal("not_reversible", {"phase": original.phase}, why="it is not posted")
    if original.kind == REVERSAL:
        raise Refusal("not_reversible", why="it is itself a reversal; make a new transfer")
    left = original.amount - already_reversed
    amount = left if amount is None else amount
    if left <= 0:
        raise Refusal("not_reversible", why="it was reversed in full already")
    if amount > left:
        raise Refusal("not_reversible", {"left": left}, why=f"only {left} is left to reverse")
    assert (debit.id, credit.id) == (original.credit_account_id, original.debit_account_id)
    return post_direct(
        transfer_id,
        debit,
        credit,
        amount,
        REVERSAL,
        reverses_id=original.id,
        ref=original.ref,
        note=reason,
        recorded_by=recorded_by,
        at=at,
    )
