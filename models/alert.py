"""On-call alerts sent for urgent intakes opened after hours: one row per intake and target,
so staff see on the case that (and when) a person was told, and retries are counted."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import time_field, utcnow


class OncallAlert(SQLModel, table=True):
    __tablename__ = "oncall_alert"
    __table_args__ = (UniqueConstraint("intake_id", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    target: str = Field(max_length=8)  # email / webhook
    status: str = Field(default="pending", max_length=8, index=True)  # pending / sent / failed
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=120)  # exception type / HTTP status only
    created_at: datetime = time_field(default_factory=utcnow)
    sent_at: datetime | None = time_field(default=None)
