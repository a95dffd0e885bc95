"""One conversation per channel user: the dialog state lives here, not in memory."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class Conversation(SQLModel, table=True):
    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=8)
    user_key: str = Field(max_length=64)
    state: dict = json_field()
    # the intake opened early by a crisis; the finished conversation updates it
    open_intake_id: int | None = Field(default=None, foreign_key="intake.id")
    updated_at: datetime = time_field(default_factory=utcnow)
