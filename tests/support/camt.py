"""CAMT.053 statements for tests and the benchmark, written as the Dutch banks write them
(camt.053.001.02, one `Ntry` per transaction with its `TxDtls`), from plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from services.budget.finance.amounts import decimal_text

NS = {
    "02": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "08": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
}


@dataclass(frozen=True)
class Line:
    amount: int
    booked_on: date
    end_to_end_id: str | None = None
    counterparty_iban: str | None = None
    counterparty_name: str = "Ontvanger"
    debit: bool = True
    currency: str = "EUR"
    bank_ref: str | None = None
    remittance: str = "Voorelkaar toekenning"
    status: str = "BOOK"
    raw_amount: str | None = None  # written as is, to make a malformed line


def _entry(line: Line, number: int, version: str) -> str:
    indicator = "DBIT" if line.debit else "CRDT"
    amount = line.raw_amount if line.raw_amount is not None else decimal_text(line.amount)
    party, account = ("Cdtr", "CdtrAcct") if line.debit else ("Dbtr", "DbtrAcct")
    refs = f"<EndToEndId>{escape(line.end_to_end_id)}</EndToEndId>" if line.end_to_end_id else ""
    iban = (
        f"<{account}><Id><IBAN>{line.counterparty_iban}</IBAN></Id></{account}>"
        if line.counterparty_iban
        else ""
    )
    status = (
        f"<Sts><Cd>{line.status}</Cd></Sts>" if version == "08" else f"<Sts>{line.status}</Sts>"
    )
    tx_amount = (
        f'<Amt Ccy="{line.currency}">{amount}</Amt>'
        if version == "08"
        else f'<AmtDtls><TxAmt><Amt Ccy="{line.currency}">{amount}</Amt></TxAmt></AmtDtls>'
    )
    return (
        f'<Ntry><Amt Ccy="{line.currency}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"{status}<BookgDt><Dt>{line.booked_on.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{line.booked_on.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{line.bank_ref or f'REF{number:09d}'}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
        "</BkTxCd>"
        f"<NtryDtls><TxDtls><Refs>{refs}</Refs>{tx_amount}"
        f"<RltdPties><{party}><Nm>{escape(line.counterparty_name)}</Nm></{party}>{iban}"
        f"</RltdPties><RmtInf><Ustrd>{escape(line.remittance)}</Ustrd></RmtInf>"
        "</TxDtls></NtryDtls></Ntry>"
    )


def camt053(
    account_iban: str,
    lines: list[Line],
    *,
    period: tuple[date, date] | None = None,
    currency: str = "EUR",
    statement_id: str = "STMT-1",
    version: str = "02",
) -> str:
    """A whole statement of `account_iban` with `lines` (in order)."""
    days = [line.booked_on for line in lines] or [date(2027, 1, 1)]
    start, end = period or (min(days), max(days))
    entries = "".join(_entry(line, i, version) for i, line in enumerate(lines, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NS[version]}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm>"
        "</GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><ElctrncSeqNb>1</ElctrncSeqNb>"
        f"<CreDtTm>{end.isoformat()}T18:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>{start.isoformat()}T00:00:00</FrDtTm>"
        f"<ToDtTm>{end.isoformat()}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{account_iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
        f"{entries}</Stmt></BkToCstmrStmt></Document>\n"
    )
