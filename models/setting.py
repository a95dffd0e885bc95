"""Settings staff change in the admin screen (coordinator label, claim timeout, ...).

One row per key; console/config_store.py declares the keys, their types and defaults.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import time_field, utcnow


class AppSetting(SQLModel, table=True):
    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=200)  # parsed by console/config_store.py
    updated_by: int | None = Field(default=None, foreign_key="staff_user.id")
    updated_at: datetime = time_field(default_factory=utcnow)
