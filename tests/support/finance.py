"""Finance values for tests: allocations and payouts from a few numbers."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from contracts import new_id
from services.budget.finance import COMMITTED, Allocation, Payout

FUND = UUID("01890000-0000-7000-8000-000000000001")
RECIPIENT = "NL20INGB0001234567"
OTHER = "NL91ABNA0417164300"


def allocation(committed: int = 100_000, state: str = COMMITTED, **kw) -> Allocation:
    return Allocation(
        id=kw.pop("id", new_id()),
        application_id=kw.pop("application_id", new_id()),
        fund_id=kw.pop("fund_id", FUND),
        earmark_id=kw.pop("earmark_id", new_id()),
        state=state,
        committed=committed,
        **kw,
    )


def payout(a: Allocation, amount: int, **kw) -> Payout:
    values = {
        "id": new_id(),
        "allocation_id": a.id,
        "application_id": a.application_id,
        "fund_id": a.fund_id,
        "earmark_id": a.earmark_id,
        "amount": amount,
        "iban": RECIPIENT,
        "account_holder": "Buurtvereniging De Linde",
        "instalment": 1,
        "due_on": date(2027, 3, 1),
    }
    values.update(kw)
    return Payout(**values)
