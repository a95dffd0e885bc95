"""Every incoming channel event, stored once before anything else happens to it."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class WebhookEvent(SQLModel, table=True):
    __tablename__ = "webhook_event"

    id: int | None = Field(default=None, primary_key=True)
    # LINE's webhookEventId (or a web-chat message id): a redelivery hits this unique key
    event_id: str = Field(unique=True, index=True, max_length=64)
    channel: str = Field(max_length=8)
    user_key: str = Field(index=True, max_length=64)
    payload: dict = json_field()
    reply_token: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = time_field(default_factory=utcnow)
    received_at: datetime = time_field(default_factory=utcnow)
    processed_at: datetime | None = time_field(default=None, index=True)
    # quarantine: an event that kept failing is set aside (failed_at) so the resident's later
    # events go through; admins see it in the console and may retry it
    attempts: int = 0
    failed_at: datetime | None = time_field(default=None, index=True)
    error: str | None = Field(default=None, max_length=64)  # exception type only, never text
