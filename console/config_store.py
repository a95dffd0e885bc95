"""Settings stored in the database (管理 → 設定), with defaults from the environment.

Declared in console/data/settings.yaml: each key's type, limits and default. `get()` reads
one value; `set_value()` validates, stores and audits. `cached()` is for hot paths (every
page shows the coordinator label) and re-reads at most every few seconds, so a change made
in one process reaches the others soon without a query per request.
"""
from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import yaml
from sqlmodel import Session

from models import AppSetting
from models.audit import record_event
from models.base import utcnow
from models.db import session_scope

CACHE_SECONDS = 10.0
_cache: dict[str, tuple[float, object]] = {}


class SettingError(ValueError):
    """A value staff typed that cannot be stored, with the message they see."""


@cache
def spec() -> dict:
    with open(Path(__file__).parent / "data" / "settings.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def keys() -> list[str]:
    return list(spec()["settings"])


def _error(key: str, **values) -> SettingError:
    return SettingError(spec()["errors"][key].format(**values))


def default(key: str):
    item = spec()["settings"][key]
    env_field = item.get("env")
    if env_field:
        try:
            from workers import runtime

            value = getattr(runtime.current().settings, env_field, None)
        except RuntimeError:  # no app in this process (a unit test of the parser)
            value = None
        if value not in (None, ""):
            return value
    return parse(key, str(item["default"]))


def parse(key: str, raw: str):
    """The typed value of `raw` for `key`, or SettingError with the staff message."""
    if key not in spec()["settings"]:
        raise _error("unknown", key=key)
    item = spec()["settings"][key]
    raw = (raw or "").strip()
    if not raw:
        raise _error("required", label=item["label"])
    if item["type"] == "text":
        if len(raw) > item["max"]:
            raise _error("too_long", label=item["label"], max=item["max"])
        return raw
    try:
        value = int(raw) if item["type"] == "integer" else float(raw)
    except ValueError:
        raise _error("not_number", label=item["label"]) from None
    if not item["min"] <= value <= item["max"] or value != value:
        raise _error("range", label=item["label"], min=item["min"], max=item["max"])
    return value


def get(session: Session, key: str):
    row = session.get(AppSetting, key)
    if row is None:
        return default(key)
    try:
        return parse(key, row.value)
    except SettingError:  # stored by an older release with other limits: fall back, never fail a page
        return default(key)


def all_values(session: Session) -> dict:
    return {key: get(session, key) for key in keys()}


def set_value(session: Session, key: str, raw: str, actor_id: int | None) -> object:
    """Store a changed value with one audit row saying old → new; an unchanged one writes nothing."""
    value = parse(key, raw)
    old = get(session, key)
    if value == old:
        return value
    row = session.get(AppSetting, key) or AppSetting(key=key, value="")
    row.value, row.updated_by, row.updated_at = str(value), actor_id, utcnow()
    session.add(row)
    record_event(session, "admin.setting", actor_id=actor_id, target_type="setting", target_id=key,
                 detail={"old": old, "new": value})
    _cache.pop(key, None)
    return value


def cached(key: str):
    """The value, read from the database at most every CACHE_SECONDS in this process."""
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    with session_scope() as session:
        value = get(session, key)
    _cache[key] = (now, value)
    return value


def clear_cache() -> None:
    _cache.clear()
