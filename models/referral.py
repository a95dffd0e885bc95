"""A referral (つなぎ) of a case to one agency, and its answer.

The status moves only through console/referral_flow.py (依頼中 → 受理 / 辞退 / つなぎ戻し →
完了); each change is also an event on the case timeline (models.case.CaseEvent).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    status: str = Field(default="requested", max_length=16, index=True)  # referral_flow.STATUSES
    categories: list = json_field(default_factory=list)  # checklist ids the referral is about
    request_note: str = ""  # the coordinator's words to the agency (what is asked)
    reason: str | None = None  # 辞退 / 取り下げ: why
    proposal: str | None = None  # つなぎ戻し: what the agency proposes instead (提案)
    result_note: str | None = None  # 完了: what was done
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = time_field(default_factory=utcnow)
    answered_by: int | None = Field(default=None, foreign_key="staff_user.id")
    answered_at: datetime | None = time_field(default=None)
    updated_at: datetime = time_field(default_factory=utcnow)
    remind_after: datetime | None = time_field(default=None, index=True)  # N business days after sending
    reminded_at: datetime | None = time_field(default=None)
