"""Text that people type, with limits: a maximum length everywhere, and no control characters
where they make no sense.

`line(n)` is one line (a title, a name, a reason): no control characters at all, and no
bidirectional overrides (U+202A-U+202E, U+2066-U+2069), which can make a text read differently
from what it is ("Trojan Source", CVE-2021-42574). `text(n)` is free text with paragraphs: line
breaks and tabs are allowed, other control characters are not. Both strip surrounding spaces,
and refuse a value that is empty after stripping unless `min_length=0`.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints

_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _refuse(pattern: re.Pattern[str], what: str):
    def check(value: str) -> str:
        found = pattern.search(value)
        if found:
            raise ValueError(
                f"{what} may not contain the control character U+{ord(found.group()):04X} "
                f"(position {found.start() + 1})"
            )
        return value

    return check


def line(max_length: int, min_length: int = 1) -> type[str]:
    """One line of text, `min_length`..`max_length` characters after stripping spaces."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_refuse(_LINE_FORBIDDEN, "a single line")),
    ]


def text(max_length: int, min_length: int = 1) -> type[str]:
    """Free text with line breaks and tabs, `min_length`..`max_length` characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_refuse(_TEXT_FORBIDDEN, "text")),
    ]


def _web_link(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("a link must be a web address starting with https:// (or http://)")
    return value


Link = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=10, max_length=500),
    AfterValidator(_refuse(_LINE_FORBIDDEN, "a link")),
    AfterValidator(_web_link),
]
"""A web address (an attachment, a receipt): http(s) only, at most 500 characters."""

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
"""A telephone number as people write it: digits, spaces, brackets, dashes, a leading +."""

Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]
"""A category code chosen from a list (e.g. `sport`, `groen`, `ontmoeting`)."""


Title = line(120)
"""A title or the name of a thing (a fund, an earmark, a round, a panel)."""

Label = line(200)
"""A name of a person or organisation, a file name, a budget line's description."""

Reason = line(500)
"""A reason, a note, a detail: one line."""

__all__ = ["Category", "Label", "Link", "Phone", "Reason", "Title", "line", "text"]
