"""Shared column helpers. Times are stored in UTC; SQLite hands them back naive."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def time_field(**kwargs):
    return Field(sa_type=DateTime(timezone=True), **kwargs)


def json_field(default_factory=dict, **kwargs):
    return Field(default_factory=default_factory, sa_type=JSON, **kwargs)
