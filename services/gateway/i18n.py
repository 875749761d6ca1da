"""Dutch by default, English on request: message ids are English, `translations/nl.po` holds
the Dutch. Read with babel when the process starts (no compile step); the language of the
request in hand lives in a context variable that the templates' `_()` reads."""

from __future__ import annotations

import io
from contextvars import ContextVar
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
FOLDER = Path(__file__).parent / "translations"

current: ContextVar[str] = ContextVar("language", default=DEFAULT)


def _load(language: str) -> NullTranslations:
    path = FOLDER / f"{language}.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = pofile.read_po(f, locale=language)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


_CATALOGS = {language: _load(language) for language in LANGUAGES}


def gettext(message: str, **params: object) -> str:
    """`message` in the current language, with `%(name)s` placeholders filled from params."""
    text = _CATALOGS[current.get()].gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = _CATALOGS[current.get()].ngettext(singular, plural, n)
    return text % {"num": n, **params}


def choose(cookie: str | None, preferred: str | None, accept_language: str | None) -> str:
    """The account's language, else the visitor's choice (cookie), else the browser's first
    language we speak, else Dutch."""
    for candidate in (preferred, cookie):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
