"""Consent answers, append-only: a withdrawal is a new row, the original stays."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import time_field, utcnow


class ConsentRecord(SQLModel, table=True):
    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    purpose: str = Field(max_length=16)  # share / meeting
    action: str = Field(max_length=16)  # granted / declined / withdrawn
    wording_version: str = Field(max_length=32)
    wording: str = ""  # the exact text the resident answered
    lang: str = Field(default="ja", max_length=4)
    recorded_at: datetime = time_field(default_factory=utcnow)
    # consent by proxy: who obtained it from the person (a professional's organisation)
    obtained_by: str | None = Field(default=None, max_length=100)


def latest_by_purpose(records) -> dict[str, ConsentRecord]:
    """The newest record of each purpose, from records ordered oldest first; a withdrawal is
    a later row, so this is the answer in force now."""
    latest: dict[str, ConsentRecord] = {}
    for record in records:
        latest[record.purpose] = record
    return latest
