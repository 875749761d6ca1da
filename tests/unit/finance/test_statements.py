"""Reading bank statements: CAMT.053 (.02 and .08) through pycamt, the Dutch banks' CSV
exports; a file that is not a statement is refused with where it broke, a line that cannot be
read is reported by its number and the rest still read."""

from __future__ import annotations

from datetime import date

import pytest

from services.budget.finance import StatementError, read_statement
from tests.support.camt import Line, camt053
from tests.support.finance import OTHER, RECIPIENT

ACCOUNT = OTHER
CAMT = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def read(text: str, kind: str = "camt053"):
    return read_statement(kind, text.encode("utf-8"))


@pytest.mark.parametrize("version", ["02", "08"])
def test_camt_lines_with_exact_cents_parties_and_period(version):
    lines = [
        Line(12_550, date(2027, 3, 4), "a" * 32, RECIPIENT, remittance="termijn 1"),
        Line(7, date(2027, 3, 5), debit=False, counterparty_iban=RECIPIENT, bank_ref="R2"),
        Line(10_000, date(2027, 3, 6), currency="USD"),
    ]
    text = camt053(ACCOUNT, lines, period=(date(2027, 3, 1), date(2027, 3, 31)), version=version)
    statement = read(text)
    assert statement.account_iban == ACCOUNT
    assert (statement.period_from, statement.period_to) == (date(2027, 3, 1), date(2027, 3, 31))
    first, second, third = statement.lines
    assert (first.number, first.amount, first.debit, first.currency) == (1, 12_550, True, "EUR")
    assert (first.end_to_end_id, first.counterparty_iban) == ("a" * 32, RECIPIENT)
    assert first.booked_on == date(2027, 3, 4) and first.remittance == "termijn 1"
    assert (second.amount, second.debit, second.counterparty_iban) == (7, False, RECIPIENT)
    assert (third.currency, third.amount) == ("USD", 10_000)
    assert statement.bad == []


def test_unreadable_lines_are_named_and_the_rest_is_read():
    lines = [
        Line(100, date(2027, 3, 4)),
        Line(0, date(2027, 3, 4), raw_amount="12,50"),
        Line(0, date(2027, 3, 4), raw_amount="1.005"),
        Line(200, date(2027, 3, 5)),
    ]
    text = camt053(ACCOUNT, lines).replace(
        "<Dt>2027-03-05</Dt></BookgDt>", "<Dt>5 maart</Dt></BookgDt>"
    )
    statement = read(text)
    assert [line.number for line in statement.lines] == [1]
    assert [(bad.number, bad.detail[:12]) for bad in statement.bad] == [
        (2, "amount: '12,"),
        (3, "amount: '1.0"),
        (4, "booking date"),
    ]
    assert statement.bad[2].detail.endswith("is not a date (XML line 2)")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f'<Document xmlns="{CAMT}"><BkToCstmrStmt><Stmt>', "line 1: not well-formed XML"),
        (f'<Document xmlns="{CAMT}"><BkToCstmrStmt/></Document>', "no bank statement"),
        ("not xml at all", "not well-formed XML"),
        (
            '<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            'pain.001.001.03"><CstmrCdtTrfInitn/></Document>',
            "line 2: not a camt.053 document (urn:iso:std:iso:20022:tech:xsd:pain.001.001.03)",
        ),
        ("", "not well-formed XML"),
    ],
)
def test_a_file_that_is_not_a_statement_is_refused_saying_where(text, says):
    with pytest.raises(StatementError) as caught:
        read(text)
    assert says in caught.value.problem


def test_entities_are_not_expanded():
    text = (
        camt053(ACCOUNT, [Line(100, date(2027, 3, 4), remittance="x")])
        .replace(
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        )
        .replace("<Ustrd>x</Ustrd>", "<Ustrd>&e;</Ustrd>")
    )
    statement = read(text)
    assert "root:" not in (statement.lines[0].remittance or "")


def test_same_entry_has_the_same_key_in_any_file_and_twins_are_told_apart():
    twin = Line(100, date(2027, 3, 4), counterparty_iban=RECIPIENT, bank_ref="SAME")
    one = read(camt053(ACCOUNT, [twin, twin, Line(5, date(2027, 3, 4))]))
    again = read(camt053(ACCOUNT, [twin], statement_id="OTHER"))
    keys = one.line_keys()
    assert len(set(keys)) == 3
    assert again.line_keys()[0] == keys[0]


RABOBANK = (
    '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn",'
    '"Tegenrekening IBAN/BBAN","Naam tegenpartij","Naam uiteindelijke partij",'
    '"Naam initiërende partij","BIC tegenpartij","Code","Batch ID","Transactiereferentie",'
    '"Machtigingskenmerk","Incassant ID","Betalingskenmerk","Omschrijving-1","Omschrijving-2",'
    '"Omschrijving-3","Reden retour","Oorspr bedrag","Oorspr munt","Koers"\n'
    f'"{ACCOUNT}","EUR","ABNANL2A","000000000000007001","2027-03-04","2027-03-04","-1.250,50",'
    f'"+10.000,00","{RECIPIENT}","De Linde","","","INGBNL2A","cb","","{"b" * 32}","","","",'
    '"termijn 1","","","","","",""\n'
    f'"{ACCOUNT}","EUR","ABNANL2A","000000000000007002","2027-03-05","2027-03-05","+25,00",'
    '"+10.025,00","","Gemeente","","","","cb","","","","","","storting","","","","","",""\n'
    f'"{ACCOUNT}","EUR","ABNANL2A","000000000000007003","2027-03-05","2027-03-05","12.5",'
    '"","","","","","","cb","","","","","","","","","","","",""\n'
)
ING = (
    '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";'
    '"Mutatiesoort";"Mededelingen";"Saldo na mutatie";"Tag"\n'
    f'"20270304";"De Linde";"{ACCOUNT}";"{RECIPIENT}";"OV";"Af";"1250,50";"Overschrijving";'
    f'"Naam: De Linde Omschrijving: termijn 1 IBAN: {RECIPIENT} Kenmerk: {"c" * 32}";"8749,50";""\n'
    f'"20270305";"Gemeente";"{ACCOUNT}";"";"GT";"Bij";"25,00";"Online bankieren";"";"8774,50";""\n'
    f'"20270306";"X";"{ACCOUNT}";"";"GT";"Op";"1,00";"";"";"";""\n'
)
ABN = (
    f"{ACCOUNT}\tEUR\t20270304\t10000,00\t8749,50\t20270304\t-1250,50\t"
    f"/TRTP/SEPA OVERBOEKING/IBAN/{RECIPIENT}/BIC/INGBNL2A/NAME/De Linde/REMI/termijn 1/"
    f"EREF/{'d' * 32}\n"
    f"{ACCOUNT}\tEUR\t20270305\t8749,50\t8774,50\t20270305\t25,00\tStorting\n"
)


@pytest.mark.parametrize(("text", "ref"), [(RABOBANK, "b"), (ING, "c"), (ABN, "d")])
def test_dutch_bank_exports(text, ref):
    statement = read(text, "bank_csv")
    assert statement.account_iban == ACCOUNT
    out, back = statement.lines[:2]
    assert (out.amount, out.debit, out.counterparty_iban) == (125_050, True, RECIPIENT)
    assert out.end_to_end_id == ref * 32 and out.booked_on == date(2027, 3, 4)
    assert (back.amount, back.debit) == (2_500, False)
    assert statement.period_from == date(2027, 3, 4)


def test_a_bad_csv_row_is_named_and_an_unknown_layout_refused():
    assert [b.number for b in read(RABOBANK, "bank_csv").bad] == [3]
    assert [b.number for b in read(ING, "bank_csv").bad] == [3]
    with pytest.raises(StatementError, match="not recognised"):
        read('"Date","Amount"\n"2027-03-04","1.00"\n', "bank_csv")
