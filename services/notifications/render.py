"""Messages from Jinja2 templates, in the recipient's language.

Each kind has one template per language (`templates/<lang>/<kind>.j2`) with two blocks:
`subject` and `body` (paragraphs separated by a blank line). A kind's template is rendered as
plain text; the layouts then make the e-mail's text part (`_layout.txt.j2`) and its HTML part
(`_layout.html.j2`, autoescaped: names and reasons people typed are escaped there). The inbox
keeps the subject and the paragraphs.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from .domain import DEFAULT_TIME_ZONE, KINDS, zone

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("nl", "en")

_DAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
}


def quantity(amount: int, unit: str, language: str) -> str:
    """Minutes of the unit `hour` as hours and minutes ("1 uur en 30 minuten"); other units
    (a local token) as "<amount> <unit>"."""
    if unit != "hour":
        return f"{amount} {unit}"
    hours, minutes = divmod(int(amount), 60)
    nl = language == "nl"
    parts = []
    if hours:
        parts.append(f"{hours} uur" if nl else f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        word = (
            ("minuut" if minutes == 1 else "minuten")
            if nl
            else ("minute" if minutes == 1 else "minutes")
        )
        parts.append(f"{minutes} {word}")
    return (" en " if nl else " and ").join(parts)


def euros(cents: int, language: str) -> str:
    """Euro cents as "€ 1.234,56" (Dutch) or "€1,234.56" (English)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}"
    if language == "nl":
        return f"{sign}€ {grouped.replace(',', '.')},{rest:02d}"
    return f"{sign}€{grouped}.{rest:02d}"


def moment(value: str | datetime, language: str, time_zone: str, with_time: bool = True) -> str:
    """A UTC time in the reader's time zone: "vrijdag 3 oktober 2025 om 14:00"."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = at.astimezone(zone(time_zone))
    day = f"{_DAYS[language][local.weekday()]} {local.day} {_MONTHS[language][local.month - 1]}"
    day += f" {local.year}"
    if not with_time:
        return day
    return f"{day} {'om' if language == 'nl' else 'at'} {local:%H:%M}"


@pass_context
def _quantity(ctx, amount: int, unit: str = "hour") -> str:
    return quantity(amount, unit, ctx["language"])


@pass_context
def _euros(ctx, cents: int) -> str:
    return euros(cents, ctx["language"])


@pass_context
def _when(ctx, value) -> str:
    return moment(value, ctx["language"], ctx["time_zone"])


@pass_context
def _day(ctx, value) -> str:
    return moment(value, ctx["language"], ctx["time_zone"], with_time=False)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(quantity=_quantity, euros=_euros, when=_when, day=_day)
    return env


@dataclass(frozen=True)
class Rendered:
    """One message's words: its subject and paragraphs (for the inbox and the digest)."""

    kind: str
    language: str
    subject: str
    paragraphs: tuple[str, ...]
    for_name: str | None = None
    """Set when the reader stands in for someone who is not online (whom to pass it on to)."""


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


class UnknownTemplate(ValueError):
    """No template for this kind and language."""


class Renderer:
    """Renders messages; `portal_url` (optional) is linked from every e-mail."""

    def __init__(self, portal_url: str | None = None):
        self.portal_url = portal_url
        self._text = _environment(autoescape=False)
        self._html = _environment(autoescape=True)

    def render(
        self,
        kind: str,
        language: str,
        params: dict[str, Any],
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> Rendered:
        """Subject and paragraphs of one message; raises UnknownTemplate or a Jinja2 error
        naming the missing value."""
        if language not in LANGUAGES:
            raise UnknownTemplate(f"no language {language!r}")
        try:
            template = self._text.get_template(f"{language}/{kind}.j2")
        except Exception as exc:
            raise UnknownTemplate(f"no template for {kind} in {language}") from exc
        values = {"for_name": None, **params, "language": language, "time_zone": time_zone}
        context = template.new_context(values)
        subject = " ".join("".join(template.blocks["subject"](context)).split())
        body = "".join(template.blocks["body"](context))
        paragraphs = tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip())
        return Rendered(kind, language, subject, paragraphs, params.get("for_name"))

    def mail(
        self, items: list[Rendered], language: str, name: str | None, digest: bool = False
    ) -> Mail:
        """The e-mail around one message, or around the day's messages for the digest
        (`digest`): a text part and an HTML part. `name` greets the reader."""
        values = {
            "items": items,
            "name": name,
            "portal_url": self.portal_url,
            "language": language,
            "digest": digest,
        }
        subject = self.digest_subject(language, len(items)) if digest else items[0].subject
        text = self._text.get_template(f"{language}/_layout.txt.j2").render(values)
        text = "\n".join(
            textwrap.fill(line, 72, break_long_words=False, break_on_hyphens=False) or line
            for line in text.split("\n")
        )
        html = self._html.get_template(f"{language}/_layout.html.j2").render(
            {**values, "subject": subject}
        )
        return Mail(subject, text.strip() + "\n", html)

    def digest_subject(self, language: str, count: int) -> str:
        template = self._text.get_template(f"{language}/digest.j2")
        context = template.new_context({"count": count, "language": language})
        return " ".join("".join(template.blocks["subject"](context)).split())


def email_message(
    mail: Mail, sender: str, to: str, message_id: str, sent_at: datetime
) -> EmailMessage:
    """A MIME message: multipart/alternative with the text part first, then HTML (RFC 2046:
    the last part is the richest). `message_id` is stable per message, so a re-send after a
    crash carries the same Message-ID and a mail store can recognise it (RFC 5322 3.6.4)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(sent_at)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to these
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


def known_kinds() -> list[str]:
    return sorted(KINDS)
