"""The invariants that hold at every moment, as pure functions over accounts and the journal:
what the property tests check after every step and the checker checks on a live database.

Per ledger and unit, posted debits equal posted credits and pending debits equal pending
credits; every account's totals equal what its journal implies; no account beyond its limits
or beyond `MAX_TOTAL`; every pending transfer resolved at most once; postings and voids match
their pending transfer; reversals run opposite to a posted transfer and never take back more
than it moved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from .accounts import Account
from .transfers import REVERSAL, Transfer


@dataclass(frozen=True)
class Totals:
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0


def totals_of(account: Account) -> Totals:
    return Totals(
        account.debits_posted,
        account.credits_posted,
        account.debits_pending,
        account.credits_pending,
    )


def recompute(journal: Iterable[Transfer]) -> dict[UUID, Totals]:
    """The account totals that the journal implies, computed the slow and obvious way."""
    journal = list(journal)
    resolved = {t.pending_id for t in journal if t.pending_id}
    totals: dict[UUID, list[int]] = {}
    for t in journal:
        d = totals.setdefault(t.debit_account_id, [0, 0, 0, 0])
        c = totals.setdefault(t.credit_account_id, [0, 0, 0, 0])
        if t.phase == "posted":
            d[0] += t.amount
            c[1] += t.amount
        elif t.phase == "pending" and t.id not in resolved:
            d[2] += t.amount
            c[3] += t.amount
    return {k: Totals(*v) for k, v in totals.items()}


def account_violations(accounts: Iterable[Account], recomputed: dict[UUID, Totals]) -> list[str]:
    """Every way the accounts can be wrong, each naming the account or the ledger and unit:
    totals that differ from the journal, an account beyond its limits or bounds, debits and
    credits that do not balance."""
    found: list[str] = []
    sums: dict[tuple[str, str], list[int]] = {}
    for account in accounts:
        name = f"account {account.id} ({account.ledger}/{account.unit})"
        journal = recomputed.get(account.id, Totals())
        stored = totals_of(account)
        if stored != journal:
            found.append(f"{name}: stored totals {stored} differ from the journal {journal}")
        if (why := account.limit_violation()) is not None:
            found.append(f"{name} is beyond its limits: {why}")
        if (why := account.bounds_violation()) is not None:
            found.append(f"{name} is out of bounds: {why}")
        s = sums.setdefault((account.ledger, account.unit), [0, 0, 0, 0])
        for i, value in enumerate(stored.__dict__.values()):
            s[i] += value
    for (ledger, unit), (dp, cp, dq, cq) in sorted(sums.items()):
        if dp != cp:
            found.append(f"{ledger}/{unit}: posted debits {dp} != posted credits {cp}")
        if dq != cq:
            found.append(f"{ledger}/{unit}: pending debits {dq} != pending credits {cq}")
    return found


NOT_POSITIVE = "a transfer with a zero or negative amount, or to its own account"
OTHER_LEDGER = "a transfer between accounts of another ledger or unit"
NOT_MATCHING = "a posting or void that does not match its pending transfer"
RESOLVED_TWICE = "a pending transfer resolved more than once"
NOT_OPPOSITE = "a reversal that does not run opposite to a posted transfer"
UNNAMED_REVERSAL = "a reversal that names no transfer it reverses"
REVERSED_TOO_MUCH = "reversals that take back more than the transfer moved"
JOURNAL_RULES = (
    NOT_POSITIVE,
    OTHER_LEDGER,
    NOT_MATCHING,
    RESOLVED_TWICE,
    NOT_OPPOSITE,
    UNNAMED_REVERSAL,
    REVERSED_TOO_MUCH,
)
"""The journal's own rules; each violation reads `transfer <id>: <rule>` (the pending
transfer resolved twice, the original reversed too much), from here and from the checker."""


def journal_violations(journal: Iterable[Transfer], accounts: dict[UUID, Account]) -> list[str]:
    """Every journal entry that breaks one of `JOURNAL_RULES`, naming the transfer."""
    journal = list(journal)
    by_id = {t.id: t for t in journal}
    found: list[tuple[UUID, str]] = []
    resolutions = Counter(t.pending_id for t in journal if t.pending_id)
    reversed_by: Counter[UUID] = Counter()
    for t in journal:
        if t.amount <= 0 or t.debit_account_id == t.credit_account_id:
            found.append((t.id, NOT_POSITIVE))
        legs = [accounts.get(t.debit_account_id), accounts.get(t.credit_account_id)]
        if any(a is None or (a.ledger, a.unit) != (t.ledger, t.unit) for a in legs):
            found.append((t.id, OTHER_LEDGER))
        if t.pending_id is not None:
            p = by_id.get(t.pending_id)
            if (
                p is None
                or p.phase != "pending"
                or (p.debit_account_id, p.credit_account_id, p.unit)
                != (t.debit_account_id, t.credit_account_id, t.unit)
                or t.amount > p.amount
            ):
                found.append((t.id, NOT_MATCHING))
        if t.reverses_id is not None:
            o = by_id.get(t.reverses_id)
            reversed_by[t.reverses_id] += t.amount
            if (
                o is None
                or o.phase != "posted"
                or (t.debit_account_id, t.credit_account_id)
                != (o.credit_account_id, o.debit_account_id)
            ):
                found.append((t.id, NOT_OPPOSITE))
        elif t.kind == REVERSAL:
            found.append((t.id, UNNAMED_REVERSAL))
    found += [(pending, RESOLVED_TWICE) for pending, n in resolutions.items() if n > 1]
    found += [
        (original, REVERSED_TOO_MUCH)
        for original, amount in reversed_by.items()
        if original in by_id and amount > by_id[original].amount
    ]
    return [f"transfer {transfer_id}: {rule}" for transfer_id, rule in found]


def violations(accounts: Iterable[Account], journal: Iterable[Transfer]) -> list[str]:
    """Every invariant over accounts and their whole journal; empty when all hold."""
    accounts, journal = list(accounts), list(journal)
    return account_violations(accounts, recompute(journal)) + journal_violations(
        journal, {a.id: a for a in accounts}
    )
