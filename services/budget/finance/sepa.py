"""SEPA credit-transfer files (ISO 20022 pain.001.001.03, as the EPC's SEPA Credit Transfer
implementation guidelines and every Dutch bank accept) built with `sepaxml`.

`sepaxml` validates every file it writes against the XSD it ships; the same official schema is
kept in `schemas/pain.001.001.03.xsd` (from the ISO 20022 message archive, via sepaxml's
package) and the tests validate against it independently. Each payout is booked on its own
(`BtchBookg` false: one payment-information block per payout), so the bank's statement shows
it as its own line with its end-to-end id; charges shared (`SLEV`); amounts integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

from schwifty import IBAN
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError

from .payouts import Payout

SCHEMA = "pain.001.001.03"
XSD = Path(__file__).parent / "schemas" / f"{SCHEMA}.xsd"
"""The official XML schema of the files written here."""


class SepaError(ValueError):
    """The batch cannot be written as a valid pain.001 file (e.g. the debtor's data)."""


@dataclass(frozen=True)
class DebtorAccount:
    """The fund's own account the batch pays from."""

    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True)
class SepaFile:
    message_id: str
    file_name: str
    xml: str
    payouts: int
    total: int


def check_debtor(debtor: DebtorAccount) -> None:
    """Raise `SepaError` unless the fund's account can pay SEPA credit transfers: its IBAN in
    the SEPA zone, and a BIC, when given, of the IBAN's own bank (schwifty knows both)."""
    iban = IBAN(debtor.iban)
    if not iban.in_sepa_zone:
        raise SepaError(f"IBAN {iban.compact} is outside the SEPA zone")
    known = iban.bic
    if debtor.bic and known is not None and str(known)[:6] != debtor.bic[:6]:
        raise SepaError(f"BIC {debtor.bic} is not of the IBAN's bank ({known})")


def remittance(payout: Payout, fund_name: str) -> str:
    """The text the recipient sees on their statement (at most 140 characters)."""
    return f"{fund_name} termijn {payout.instalment} toekenning {payout.application_id}"[:140]


def build_credit_transfer(
    batch_id: UUID,
    debtor: DebtorAccount,
    payouts: list[Payout],
    fund_name: str,
    execution_date: date,
) -> SepaFile:
    """A pain.001.001.03 file paying `payouts` from `debtor` on `execution_date`; each
    payout's end-to-end id is its own id, so the bank's statement names it. Raises
    `SepaError` when the debtor cannot pay SEPA transfers or the library cannot write a valid
    file from these values."""
    check_debtor(debtor)
    config = {
        "name": debtor.name,
        "IBAN": debtor.iban,
        "batch": False,
        "currency": "EUR",
    }
    if debtor.bic:
        config["BIC"] = debtor.bic
    try:
        transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
        for payout in payouts:
            transfer.add_payment(
                {
                    "name": payout.account_holder,
                    "IBAN": payout.iban,
                    "amount": payout.amount,
                    "execution_date": execution_date,
                    "description": remittance(payout, fund_name),
                    "endtoend_id": payout.end_to_end_id,
                }
            )
        xml = transfer.export(validate=True).decode("utf-8")
    except ValidationError as exc:
        raise SepaError(str(exc.__cause__ or exc)) from None
    return SepaFile(
        message_id=transfer.msg_id,
        file_name=f"sepa-{execution_date.isoformat()}-{batch_id.hex[:8]}.xml",
        xml=xml,
        payouts=len(payouts),
        total=sum(p.amount for p in payouts),
    )
