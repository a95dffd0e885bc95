"""A finished (or crisis-opened) intake and the people it is about."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class Reporter(SQLModel, table=True):
    """Who wrote: the person themself, or a family member / neighbour / professional."""

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=16)  # self/family/neighbor/minsei/professional/anonymous
    relation: str | None = Field(default=None, max_length=16)  # the person is the reporter's ...
    contact: dict = json_field()  # method, phone, address, contact_time, safety, voicemail, name
    organisation: str | None = Field(default=None, max_length=100)  # a professional's agency
    person_knows: str | None = Field(default=None, max_length=16)  # does the person know of the report
    keep_identity: bool | None = None  # the reporter asks to be kept from the household


class Person(SQLModel, table=True):
    """The person the worry is about."""

    id: int | None = Field(default=None, primary_key=True)
    age_band: str | None = Field(default=None, max_length=16)
    area: str | None = Field(default=None, max_length=200)


class Household(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    composition: str | None = Field(default=None, max_length=32)  # one value, from releases before members
    members: list = json_field(default_factory=list)  # alone, elderly_parent, adult_child (8050), care_needs...


class Intake(SQLModel, table=True):
    # the queue's indexes (crisis DESC, urgent DESC, received_at, id) are in migration 0030; the open
    # cases' flags and (PostgreSQL) the checklist ids in 0070

    id: int | None = Field(default=None, primary_key=True)
    receipt_no: str = Field(unique=True, index=True, max_length=16)
    channel: str = Field(max_length=8)
    user_key: str = Field(index=True, max_length=64)
    received_at: datetime = time_field(default_factory=utcnow, index=True)
    after_hours: bool = False
    lang: str = Field(default="ja", max_length=4)
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    reporter_role: str = Field(max_length=16)
    anonymous: bool = False  # gave no name (any writer, 本人 included)
    categories: list = json_field(default_factory=list)
    suggested: list = json_field(default_factory=list)
    primary: str | None = Field(default=None, max_length=24)
    free_text: str = ""
    details: str | None = None
    since: str | None = Field(default=None, max_length=16)
    crisis: bool = Field(default=False, index=True)
    crisis_kinds: list = json_field(default_factory=list)
    crisis_evidence: list = json_field(default_factory=list)
    urgent: bool = Field(default=False, index=True)
    wants_person: bool = False
    complete: bool = False  # False while a crisis-opened intake waits for the rest of the dialog
    # staff replies without a sound or banner (LINE notificationDisabled); None: decided by the
    # case (DV / violence -> silent), see console/replies.py
    silent_replies: bool | None = None
    status: str = Field(default="new", index=True, max_length=16)  # console/lifecycle.py STATES
    # the case, kept beside its timeline (models/case.py) and changed only by console/cases.py
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    assigned_at: datetime | None = time_field(default=None)
    touched_at: datetime | None = time_field(default=None)  # last staff action (claim timeout)
    # the resident wrote again after the intake; cleared when the assignee opens the case
    resident_wrote_at: datetime | None = time_field(default=None)
    team: str | None = Field(default=None, max_length=16, index=True)
    triage_class: str | None = Field(default=None, max_length=2)
    triage_reason: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=16)
    closed_at: datetime | None = time_field(default=None)
