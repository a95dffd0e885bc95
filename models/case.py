"""What happens to a case after the intake: the timeline, contacts, meetings, plans and
consent overrides. The case itself is the Intake row (status, assignee, triage, outcome).

Timeline rows are append-only, like the audit trail: a correction is a new event.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, event
from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class CaseEvent(SQLModel, table=True):
    """One entry of a case's timeline: who, when, what kind, and its data."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    at: datetime = time_field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    kind: str = Field(max_length=32)  # a lifecycle move name, or contact / note / consent_override ...
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    data: dict = json_field()


class ContactLog(SQLModel, table=True):
    """One contact with the person or household (対応回数 counts these; 件 counts cases)."""

    __tablename__ = "contact_log"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    happened_at: datetime = time_field(default_factory=utcnow, index=True)
    method: str = Field(max_length=16)  # phone / visit / office / message / accompany
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    agency_id: int | None = None  # set when agency staff log their own contact (referrals)
    note: str = ""
    created_at: datetime = time_field(default_factory=utcnow)


class Meeting(SQLModel, table=True):
    """A 重層的支援会議, a 支援会議 or an アウトリーチ, with members and their 守秘義務 pledges."""

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    kind: str = Field(max_length=16)  # jusoteki / shien / outreach
    held_on: date = Field(sa_type=Date)
    # [{"name": ..., "organisation": ..., "pledged": bool}]
    members: list = json_field(default_factory=list)
    outcome: str = ""
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = time_field(default_factory=utcnow)


class SupportPlan(SQLModel, table=True):
    """支援プラン: the person's goals in their own words, who does what, the next review."""

    __tablename__ = "support_plan"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    goals: str
    tasks: list = json_field(default_factory=list)  # [{"who": ..., "what": ...}]
    review_on: date | None = Field(default=None, sa_type=Date)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = time_field(default_factory=utcnow)
    approved_by: int | None = Field(default=None, foreign_key="staff_user.id")
    approved_at: datetime | None = time_field(default=None)


class ConsentOverride(SQLModel, table=True):
    """Sharing decided without (or against) the person's answer, e.g. by a 支援会議: who, why."""

    __tablename__ = "consent_override"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    purpose: str = Field(max_length=16)  # share / meeting
    reason: str
    actor_id: int = Field(foreign_key="staff_user.id")
    at: datetime = time_field(default_factory=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{type(target).__name__} rows are append-only ({target.id})")


for _table in (CaseEvent, ConsentOverride):
    event.listen(_table, "before_update", _refuse_change)
    event.listen(_table, "before_delete", _refuse_change)
