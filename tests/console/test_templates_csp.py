"""Every template keeps to the console's CSP (script-src 'self' 'nonce-…'): no inline event
handlers (onclick=, onchange=, ...), no javascript: links, and every <script> carries the nonce.
A browser silently ignores what the CSP blocks, so nobody would notice the control is dead."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates").rglob("*.html"))
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_inline_event_handlers_or_unnonced_scripts(path):
    html = path.read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(html), f"{path.name}: use a nonce'd script, not an inline handler"
    assert "javascript:" not in html.lower()
    for tag in SCRIPT_TAG.findall(html):
        assert "nonce=" in tag, f"{path.name}: {tag}"
    assert "<noscript>" not in html or "button" not in html.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
