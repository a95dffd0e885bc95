"""Clean what arrives from outside at the edge, before anything stores it.

PostgreSQL refuses U+0000 in text and lone surrogates in UTF-8; other control characters
only confuse staff screens and exports. Line breaks and tabs are kept: residents use them.
"""
from __future__ import annotations

import json
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


# LINE's events nest about six levels (body, events, event, message, emojis, emoji); the
# cleaning and storing that follow recurse once per level, so a body far deeper is refused
MAX_JSON_DEPTH = 64


def loads(text: str):
    """json.loads for a body from outside, raising ValueError like any malformed JSON also when
    it nests deeper than MAX_JSON_DEPTH: thousands of '[' make the parser itself give up with a
    RecursionError, a few hundred make clean_json do so later; either is a clear 400, never a 500."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    stack = [(value, 1)]  # walked without recursion, containers only
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return value
