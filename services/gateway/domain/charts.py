"""Charts drawn on the server as SVG: no script, readable by screen readers (a title and a
description naming every value), and scaled to the width of a phone or a desktop.

Colours meet WCAG 2.1 AA contrast against white (bars 3:1 as graphics, 1.4.11; text 4.5:1)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

BAR = "#1f5f8b"  # 6.6:1 on white
TEXT = "#222222"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    shown: str
    """The value as people read it (e.g. `12:30` hours)."""


def bar_chart(chart_id: str, title: str, bars: list[Bar], empty: str) -> str:
    """Horizontal bars, one per item, longest = full width; `empty` when there is nothing.

    Returns SVG markup (safe to embed: every text is escaped)."""
    if not bars:
        return f'<p class="empty">{escape(empty)}</p>'
    row, label_w, width = 28, 130, 420
    height = row * len(bars) + 8
    top = max((b.value for b in bars), default=0) or 1
    desc = "; ".join(f"{b.label}: {b.shown}" for b in bars)
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
    ]
    for i, b in enumerate(bars):
        y = 4 + i * row
        w = max(0, round((width - label_w - 60) * max(b.value, 0) / top))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" fill="{TEXT}" '
            f'font-size="13">{escape(b.label[:18])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{BAR}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 17}" fill="{TEXT}" font-size="13">'
            f"{escape(b.shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
