"""The agency directory: who a case can be referred to, and what each agency handles.

Staff edit it in the admin screens; `tsunagu demo` seeds the 八王子 directory
(console/data/directory.yaml). Routing rules (console/data/routing.yaml) name agencies by
their stable `code`, so renaming an agency never breaks a rule.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import json_field, time_field, utcnow


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(max_length=100)
    categories: list = json_field(default_factory=list)  # checklist ids (domain.md) it handles
    contact: str = Field(default="", max_length=300)  # phone, address, hours: shown to coordinators
    note: str = Field(default="", max_length=1000)
    active: bool = True
    created_at: datetime = time_field(default_factory=utcnow)
