"""Messages decided by a step, stored in the same transaction, sent afterwards."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=8)
    user_key: str = Field(index=True, max_length=64)
    event_id: str = Field(index=True, max_length=64)  # the event that caused it
    seq: int = 0  # order within that event's reply
    # neutral messages (dialogs.messages.Message.to_dict()); rendered per channel when sent
    messages: list = json_field(default_factory=list)
    reply_token: str | None = Field(default=None, max_length=64)
    # LINE's X-Line-Retry-Key: the same key on every push attempt makes a retry a no-op
    retry_key: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=36)
    status: str = Field(default="pending", index=True, max_length=16)  # pending/sent/failed
    attempts: int = 0
    # LINE notificationDisabled: the resident's phone does not ring or show it (DV: someone may watch)
    silent: bool = False
    sent_via: str | None = Field(default=None, max_length=8)  # reply / push / web
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = time_field(default_factory=utcnow)
    sent_at: datetime | None = time_field(default=None)
