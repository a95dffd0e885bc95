"""Chart geometry for server-side SVG (templates/console/_charts.html draws it).

Why SVG from the server: the console must work offline and print, and no chart library or
CDN is needed; each chart is followed by a table with the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 190  # room for the longest checklist label at 12px
BAR_HEIGHT = 18
GAP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    series: int = 0  # 0: the main value, 1: a second value drawn inside it (◎ within 〇)


def _scale(values, length: float) -> float:
    top = max([v for v in values if v] or [1])
    return length / top


def horizontal(rows, width: int = 640, second: str | None = None) -> dict:
    """One bar per row (label on the left); `second` names a row.extra value drawn inside."""
    room = width - LABEL_WIDTH - 50
    scale = _scale([r.value for r in rows], room)
    bars = []
    for n, row in enumerate(rows):
        y = n * (BAR_HEIGHT + GAP)
        bars.append(Bar(row.label, row.value, LABEL_WIDTH, y, row.value * scale, BAR_HEIGHT))
        if second:
            inner = row.extra.get(second, 0)
            bars.append(Bar(row.label, inner, LABEL_WIDTH, y + 4, inner * scale, BAR_HEIGHT - 8, 1))
    return {"bars": bars, "width": width, "height": max(1, len(rows)) * (BAR_HEIGHT + GAP),
            "label_width": LABEL_WIDTH}


def columns(rows, width: int = 640, height: int = 180) -> dict:
    """Vertical bars over time (months of a year, days of a month), labels below."""
    count = max(1, len(rows))
    slot = (width - 40) / count
    scale = _scale([r.value for r in rows], height - 20)
    bars = []
    for n, row in enumerate(rows):
        h = row.value * scale
        bars.append(Bar(row.label, row.value, 30 + n * slot + slot * 0.15, height - h, slot * 0.7, h))
    return {"bars": bars, "width": width, "height": height, "axis": height, "slot": slot}
