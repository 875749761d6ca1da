"""Amounts as people read them."""

from __future__ import annotations


def euros(cents: int) -> str:
    """`123456` → `€ 1.234,56` (Dutch notation, the platform's currency)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"
