"""What the public may see of an applicant: an organisation's name, or a resident's initials
(the transparency register shows who got what, never a resident's name or contact)."""

from __future__ import annotations

import re

# Dutch name particles (tussenvoegsels) keep their lower case in initials: J.v.d.B.
_PARTICLES = frozenset(
    {"van", "de", "der", "den", "het", "ten", "ter", "te", "in", "op", "'t", "la", "le", "du"}
)
_WORD = re.compile(r"[^\W\d_]", re.UNICODE)


def initials(name: str) -> str:
    """`Anouk Janssen` → `A.J.`, `Jan van der Berg` → `J.v.d.B.`, `Smit-Jansen` → `S.J.`.

    The first letter of every part of the name (split at spaces and hyphens); particles stay
    lower case. A name with no letters becomes `?` (never the name itself)."""
    letters = []
    for part in re.split(r"[\s\-]+", name.strip()):
        found = _WORD.search(part)
        if not found:
            continue
        letter = found.group()
        is_particle = part.lower() in _PARTICLES and letters
        letters.append(letter.lower() if is_particle else letter.upper())
    return "".join(f"{letter}." for letter in letters) or "?"


def public_name(kind: str, name: str) -> str:
    """The name the public sees: an organisation's own name, or a resident's initials."""
    return name if kind == "organisation" else initials(name)
