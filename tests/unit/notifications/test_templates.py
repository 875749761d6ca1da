"""Every kind of message renders in Dutch and English, as text and HTML; what people typed is
escaped in HTML; numbers, money and times read as people write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain import KINDS
from services.notifications.render import LANGUAGES, Renderer, email_message, euros, quantity

SAMPLE = {
    "exchange_id": "x",
    "community": "west",
    "unit": "hour",
    "amount": 90,
    "side": "receiver",
    "other_name": "Mo <script>",
    "confirm_by": "2025-10-03T12:00:00+00:00",
    "confirmed_by": "auto",
    "reason": "te laat",
    "outcome": "reversed",
    "note": "samen besproken",
    "disputed_by_name": "Ria",
    "provider_name": "Mo",
    "receiver_name": "Ria",
    "member_id": "m",
    "member_name": "Sanne",
    "needs_vog": True,
    "received": True,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_every_language(kind, language):
    renderer = Renderer("https://portal.example")
    text = renderer.render(kind, language, SAMPLE)
    assert text.subject and text.paragraphs
    assert all(len(p.split(". ")) <= 4 for p in text.paragraphs)  # short and plain
    mail = renderer.mail([text], language, "Anouk")
    assert "<script>" not in mail.html
    assert "<p>" not in mail.text
    message = email_message(mail, "v <n@x.nl>", "a@x.nl", "<1@x>", datetime.now(UTC))
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_dutch_and_english_wording_of_times_amounts_and_money():
    assert quantity(90, "hour", "nl") == "1 uur en 30 minuten"
    assert quantity(120, "hour", "en") == "2 hours"
    assert quantity(1, "hour", "nl") == "1 minuut"
    assert quantity(5, "steerk", "nl") == "5 steerk"
    assert euros(123456, "nl") == "€ 1.234,56" and euros(-5, "en") == "-€0.05"
    text = Renderer().render("exchange_agreed", "nl", SAMPLE)
    # 12:00 UTC is 14:00 in Amsterdam in October (summer time)
    assert "vrijdag 3 oktober 2025 om 14:00" in text.paragraphs[1]
