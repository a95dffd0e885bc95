"""Mark crisis evidence phrases inside a resident's free text, escaping everything else."""
from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

OPEN = Markup('<mark class="evidence">')
CLOSE = Markup("</mark>")


def evidence_spans(text: str, phrases: Iterable[object]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of every phrase; overlapping or touching spans merged."""
    spans = []
    for phrase in {p for p in phrases if isinstance(p, str) and p}:
        start = text.find(phrase)
        while start != -1:
            spans.append((start, start + len(phrase)))
            start = text.find(phrase, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, phrases: Iterable[object]) -> Markup:
    """Safe HTML: `text` escaped, each evidence occurrence wrapped in <mark class="evidence">.

    Phrases that do not occur in the text are ignored (the list shows them separately).
    """
    text = text or ""
    parts: list[Markup] = []
    position = 0
    for start, end in evidence_spans(text, phrases):
        parts += [escape(text[position:start]), OPEN, escape(text[start:end]), CLOSE]
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
