"""Clean what arrives from outside at the edge, before anything stores it.

PostgreSQL refuses U+0000 in text and lone surrogates in UTF-8; other control characters
only confuse staff screens and exports. Line breaks and tabs are kept: residents use them.
"""
from __future__ import annotations

import re

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    return _UNWANTED.sub("", value)


def clean_json(value):
    """The same JSON value with every string (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


def json_body(request):
    """The request's JSON, or None when it is not JSON, and also when it nests so deeply that
    the parser gives up (a body of thousands of '[' is a clear 400, never a 500)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None
