"""Describe an exception for a log line without its message.

Exception messages may quote what a resident typed (a ValueError about their text, a
database error with its row), so logs get the type and where it was raised: enough to find
the bug, nothing to leak.
"""
from __future__ import annotations

import traceback


def describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{type(exc).__module__}.{type(exc).__qualname__}" + (f" at {where}" if where else "")
