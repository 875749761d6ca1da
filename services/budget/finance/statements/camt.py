"""CAMT.053 bank-to-customer statements (ISO 20022 camt.053.001.02 to .12), read with `pycamt`.

pycamt (MIT; lxml with external entities and the network off) turns a transaction into a dict
of texts. On a whole file it is quadratic: every entry searches the whole statement for the
account (measured: 99 lines/s at 1,000 lines, 32 lines/s at 4,000; bench/finance_statement.py).
So the file is streamed with lxml's `iterparse` and pycamt reads one entry at a time, in a
statement that holds only the account and that entry: linear time, and memory bounded by one
entry. This adapter then makes `StatementLine`s: amounts exactly into cents (Decimal, never a
float), dates checked, the counterparty the creditor of a debit and the debtor of a credit.
A transaction that cannot be read is kept as a `BadLine` naming the field and its XML line; a
file that is not XML, or has no statement in it, raises `StatementError` with the file's line.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree
from pycamt.parser import Camt053Parser

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

_TAGS = ("{*}Acct", "{*}FrToDt", "{*}Ntry")
"""The elements the adapter needs; lxml hands out only these (and the root)."""


class _OneEntry(Camt053Parser):
    """pycamt over a statement holding one entry at a time (`tree`, `namespaces`, `version`
    are the attributes pycamt documents)."""

    def __init__(self, namespace: str, account: str):
        ns = f"{{{namespace}}}"
        self.tree = etree.Element(f"{ns}Document", nsmap={None: namespace})
        self.statement = etree.SubElement(
            etree.SubElement(self.tree, f"{ns}BkToCstmrStmt"), f"{ns}Stmt"
        )
        acct = etree.SubElement(self.statement, f"{ns}Acct")
        etree.SubElement(etree.SubElement(acct, f"{ns}Id"), f"{ns}IBAN").text = account
        self.namespaces = self.tree.nsmap
        self.version = self._detect_version()

    def read(self, entry: etree._Element) -> list[dict]:
        self.statement.append(entry)
        try:
            return self.get_transactions()
        finally:
            self.statement.remove(entry)


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
        booked=tx.get("Status") in (None, "BOOK"),
        reversal=(tx.get("ReversalIndicator") or "").lower() == "true",
    )


def camt_entries(content: bytes) -> Iterator[tuple[str, object]]:
    """Stream the file: ('account', (Acct, Stmt)), ('period', FrToDt) and ('entry', Ntry)
    elements in file order; each entry is dropped once the next is read. Raises
    `StatementError`."""
    parser = etree.iterparse(
        io.BytesIO(content),
        events=("start", "end"),
        tag=("{*}Document", *_TAGS),
        resolve_entities=False,
        no_network=True,
    )
    try:
        for event, element in parser:
            name = etree.QName(element)
            if event == "start":
                if name.localname == "Document" and "camt.053" not in (name.namespace or ""):
                    raise StatementError(
                        f"not a camt.053 document ({name.namespace})", element.sourceline
                    )
                continue
            if name.localname == "Ntry":
                yield "entry", element
                element.clear()
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]
                continue
            parent = element.getparent()
            if parent is not None and etree.QName(parent).localname == "Stmt":
                kind = "account" if name.localname == "Acct" else "period"
                yield kind, ((element, parent) if kind == "account" else element)
    except etree.XMLSyntaxError as exc:
        raise StatementError(f"not well-formed XML: {exc.msg}", exc.lineno) from None


def read_camt053(content: bytes) -> Statement:
    """The statement in a CAMT.053 file (its first account; entries of another statement in the
    same file must be of that account). Raises `StatementError` when the file is not XML, not a
    statement, or names no account."""
    account: str | None = None
    period = None
    reader: _OneEntry | None = None
    lines: list[StatementLine] = []
    bad: list[BadLine] = []
    number = 0
    for kind, value in camt_entries(content):
        if kind == "account":
            acct, stmt = value
            iban = compact_iban(acct.findtext("{*}Id/{*}IBAN"))
            if account is None and iban:
                account = iban
                reader = _OneEntry(etree.QName(stmt).namespace, iban)
            elif iban != account:
                raise StatementError(f"statements of two accounts ({account}, {iban})")
        elif kind == "period":
            period = period or _period(value)
        else:
            if reader is None:
                raise StatementError("an entry before its statement's account", value.sourceline)
            where = value.sourceline
            for tx in reader.read(value):
                number += 1
                try:
                    lines.append(_line(number, tx))
                except ValueError as exc:
                    bad.append(BadLine(number, f"{exc} (XML line {where})"))
    if account is None:
        raise StatementError("no bank statement (Stmt) with an account IBAN in the file")
    period = period or period_of_lines(lines)
    if period is None:
        raise StatementError("the statement has no period (FrToDt) and no readable line")
    return Statement(account, period[0], period[1], lines, bad)


def _period(element: etree._Element):
    try:
        return (
            parse_day(element.findtext("{*}FrDtTm") or element.findtext("{*}FrDt"), "from"),
            parse_day(element.findtext("{*}ToDtTm") or element.findtext("{*}ToDt"), "to"),
        )
    except ValueError:
        return None
