"""SEPA credit-transfer files: valid against the official pain.001.001.03 XSD shipped in the
repository (checked with lxml, independently of the library's own check), every payout once
with its end-to-end id and exact amount; a debtor that cannot pay SEPA is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from contracts import new_id
from services.budget.finance import XSD, DebtorAccount, SepaError, build_credit_transfer
from tests.support.finance import OTHER, allocation, payout

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DEBTOR = DebtorAccount("Gemeente Wageningen — Fonds Samen", OTHER, "ABNANL2A")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_batch_is_valid_pain001_with_each_payout_once(schema):
    a = allocation()
    payouts = [
        payout(a, 12_345, account_holder='Stichting Ŝpeeltuin "De Brink" & Zn'),
        payout(a, 1, instalment=2),
        payout(a, 99_999_999, iban="DE89370400440532013000", account_holder="Verein"),
    ]
    made = build_credit_transfer(new_id(), DEBTOR, payouts, "Fonds Samen", date(2027, 3, 5))
    doc = etree.fromstring(made.xml.encode())
    schema.assertValid(doc)
    txs = doc.findall(".//p:CdtTrfTxInf", NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in txs] == [
        p.id.hex for p in payouts
    ]
    amounts = [Decimal(t.findtext("p:Amt/p:InstdAmt", namespaces=NS)) for t in txs]
    assert amounts == [Decimal("123.45"), Decimal("0.01"), Decimal("999999.99")]
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert Decimal(doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)) == Decimal("1000123.45")
    assert made.total == 100_012_345 and made.payouts == 3
    assert doc.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == made.message_id
    assert {e.text for e in doc.findall(".//p:ReqdExctnDt", namespaces=NS)} == {"2027-03-05"}
    assert doc.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == OTHER
    # booked one by one, so that each payout is its own statement line
    assert {e.text for e in doc.findall(".//p:BtchBookg", namespaces=NS)} == {"false"}


def test_the_shipped_xsd_refuses_a_broken_file(schema):
    a = allocation()
    made = build_credit_transfer(new_id(), DEBTOR, [payout(a, 500)], "F", date(2027, 3, 5))
    broken = made.xml.replace("<EndToEndId>", "<EndToEndId>" + "x" * 40)
    assert not schema.validate(etree.fromstring(broken.encode()))


def test_debtor_outside_sepa_or_with_another_banks_bic_is_refused():
    a = allocation()
    with pytest.raises(SepaError, match="BIC"):
        build_credit_transfer(
            new_id(), DebtorAccount("F", OTHER, "INGBNL2A"), [payout(a, 1)], "F", date.today()
        )
    with pytest.raises(SepaError, match="SEPA zone"):
        build_credit_transfer(
            new_id(),
            DebtorAccount("F", "BR1800360305000010009795493C1"),
            [payout(a, 1)],
            "F",
            date.today(),
        )
