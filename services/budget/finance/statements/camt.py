"""CAMT.053 bank-to-customer statements (ISO 20022 camt.053.001.02 to .12), read with `pycamt`.

pycamt (MIT, lxml, external entities and network off) turns each transaction into a dict of
texts; this adapter makes them `StatementLine`s: amounts exactly into cents (Decimal, never a
float), dates checked, the counterparty the creditor of a debit and the debtor of a credit.
A transaction that cannot be read is kept as a `BadLine` naming the field; a file that is not
XML, or has no statement in it, raises `StatementError` with the file's line.
"""

from __future__ import annotations

from datetime import date

from lxml import etree
from pycamt.parser import Camt053ParseError, Camt053Parser

from ..amounts import AmountError, cents_of
from .model import (
    BadLine,
    Statement,
    StatementError,
    StatementLine,
    compact_iban,
    parse_day,
    period_of_lines,
)


def _line(number: int, tx: dict) -> StatementLine:
    indicator = tx.get("CreditDebitIndicator")
    if indicator not in ("DBIT", "CRDT"):
        raise ValueError(f"credit/debit indicator {indicator!r} is not DBIT or CRDT")
    try:
        amount = cents_of(tx.get("Amount"))
    except AmountError as exc:
        raise ValueError(f"amount: {exc}") from None
    if amount <= 0:
        raise ValueError(f"amount {tx.get('Amount')!r} is not positive")
    currency = tx.get("Currency")
    if not currency:
        raise ValueError("amount has no currency (Ccy)")
    debit = indicator == "DBIT"
    status = tx.get("Status")
    return StatementLine(
        number=number,
        amount=amount,
        debit=debit,
        currency=currency,
        booked_on=parse_day(tx.get("BookingDate") or tx.get("ValueDate"), "booking date"),
        end_to_end_id=(tx.get("EndToEndId") or "").strip() or None,
        counterparty_iban=compact_iban(tx.get("CreditorIBAN" if debit else "DebtorIBAN")),
        counterparty_name=tx.get("CreditorName" if debit else "DebtorName"),
        remittance=tx.get("RemittanceInformationFull"),
        bank_ref=tx.get("TransactionID"),
        booked=status in (None, "BOOK"),
        reversal=(tx.get("ReversalIndicator") or "").lower() == "true",
    )


def transactions(content: bytes) -> tuple[Camt053Parser, list[dict]]:
    """The library's own reading of the file (its transactions, as dicts of texts). Raises
    `StatementError`."""
    try:
        parser = Camt053Parser(content)
        return parser, parser.get_transactions()
    except etree.XMLSyntaxError as exc:
        raise StatementError(f"not well-formed XML: {exc.msg}", exc.lineno) from None
    except Camt053ParseError:
        raise StatementError("no bank statement (Stmt) in the file") from None
    except (AttributeError, TypeError) as exc:  # the library meets a required element missing
        raise StatementError(f"incomplete statement: {exc}") from None


def read_camt053(content: bytes) -> Statement:
    """The statement in a CAMT.053 file. Raises `StatementError` when the file is not XML, is
    not a statement, or names no account."""
    parser, found = transactions(content)
    if not parser.tree.tag.endswith("Document") or "camt.053" not in (parser.tree.tag or ""):
        raise StatementError(f"not a camt.053 document (root {parser.tree.tag!r})")
    infos = parser.get_statement_info()
    account = compact_iban(infos[0].get("IBAN")) if infos else None
    if not account:
        raise StatementError("the statement names no account IBAN")
    lines: list[StatementLine] = []
    bad: list[BadLine] = []
    for number, tx in enumerate(found, 1):
        other = compact_iban(tx.get("AccountIBAN"))
        try:
            if other != account:
                raise ValueError(f"of another account ({other})")
            lines.append(_line(number, tx))
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
    period = _period(parser) or period_of_lines(lines)
    if period is None:
        raise StatementError("the statement has no period (FrToDt) and no readable line")
    return Statement(account, period[0], period[1], lines, bad)


def _period(parser: Camt053Parser) -> tuple[date, date] | None:
    ns = {"c": parser.tree.nsmap.get(None, "")}
    start = parser.tree.findtext(".//c:Stmt/c:FrToDt/c:FrDtTm", namespaces=ns)
    end = parser.tree.findtext(".//c:Stmt/c:FrToDt/c:ToDtTm", namespaces=ns)
    try:
        return parse_day(start, "from"), parse_day(end, "to")
    except ValueError:
        return None
