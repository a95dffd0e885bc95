"""The one place that knows how much text each column holds, and makes every write fit.

The sizes come from the SQLModel tables themselves (`Field(max_length=...)` becomes
`VARCHAR(n)`), so a model or migration change moves the limit with it. A `before_flush`
listener on every ORM session cuts each string attribute of new and changed rows to its
column's size, and drops the characters PostgreSQL cannot store (U+0000 in text or JSON,
lone surrogates, which are not UTF-8) wherever they hide, JSON columns included.

Why a flush listener rather than validators on each model: it covers every table and every
code path, including ones not written yet (a LINE worker, a console form, a migration
helper), with no model having to remember it. SQLite never enforces VARCHAR sizes, so
without this the demo would accept what production then refuses with a 500.
"""
from __future__ import annotations

import json
import re

from sqlalchemy import String, TypeDecorator, event, inspect
from sqlalchemy.orm import Session

# NUL and UTF-16 surrogates: PostgreSQL refuses the first, UTF-8 cannot encode the second.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """The text without characters no database here can store."""
    return _UNSTORABLE.sub("", value)


def limit(model, field: str) -> int | None:
    """The size of `model.field` in characters, or None when the column has no limit."""
    column = inspect(model).columns.get(field)
    if column is None:
        return None
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    return kind.length if isinstance(kind, String) else None  # SQLModel's AutoString wraps String


def fit(model, field: str, value):
    """`value` cleaned and cut to what `model.field` holds (None and non-text unchanged)."""
    if not isinstance(value, str):
        return value
    value = storable(value)
    size = limit(model, field)
    return value[:size] if size is not None else value


def storable_json(value):
    """The same JSON value with every string (keys too) stripped of unstorable characters."""
    if isinstance(value, (dict, list)) and _all_storable(value):
        return value  # nearly always: walking every string of it cost more than the row's INSERT
    return _storable_walk(value)


def _storable_walk(value):
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {_storable_walk(k): _storable_walk(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_walk(v) for v in value]
    return value


def _all_storable(value) -> bool:
    """Whether a JSON value holds no unstorable character, read from its JSON text (made in C):
    json.dumps writes NUL as the escape \\u0000 and keeps a lone surrogate as it is. A value it
    cannot write, or a backslash-u-0000 the resident typed, is looked at string by string."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return False
    return "\\u0000" not in text and _SURROGATE.search(text) is None


_SURROGATE = re.compile("[\ud800-\udfff]")


def fitted(model, field: str, value):
    """Any column's value made to fit: text cut and cleaned, JSON cleaned, the rest unchanged."""
    return storable_json(value) if isinstance(value, (dict, list)) else fit(model, field, value)


def fitted_values(model, values: dict) -> dict:
    """`values` for a Core INSERT into `model`'s table, made to fit as the flush listener makes
    an ORM row fit (the listener does not see Core statements)."""
    return {key: fitted(model, key, value) for key, value in values.items()}


def _fit_row(row) -> None:
    mapper = inspect(row).mapper
    for attr in mapper.column_attrs:
        value = getattr(row, attr.key, None)
        if isinstance(value, (str, dict, list)):
            new = fitted(mapper.class_, attr.key, value)
            if new != value:
                setattr(row, attr.key, new)


@event.listens_for(Session, "before_flush")
def _fit_before_flush(session, _flush_context, _instances) -> None:
    for row in list(session.new) + list(session.dirty):
        _fit_row(row)
