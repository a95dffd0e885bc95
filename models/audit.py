"""Append-only audit trail: who did what to which record, and when.

Rows name staff and record ids only: never a resident's words or personal data.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, event
from sqlmodel import Field, SQLModel

from .base import time_field, utcnow
from .staff import StaffUser  # audit rows point at staff_user; importing one registers both

__all__ = ["ACTIONS", "AuditEvent", "StaffUser"]

# A closed list, so a typo cannot create a new kind of event.
ACTIONS = (
    "login",
    "login_failed",
    "login_locked",
    "logout",
    "queue.view",
    "queue.search",
    "intake.view",
    "intake.view_denied",
    "export",
    "retention",
    "events.view_failed",
    "event.retry",
    # referrals, replies and administration (console/referrals.py, replies.py, views/admin.py)
    "referral.list",
    "referral.view",
    "referral.view_denied",
    "referral.reminder",
    "admin.staff_create",
    "admin.staff_update",
    "admin.staff_password",
    "admin.agency_create",
    "admin.agency_update",
    "admin.setting",
    "audit.view",
    "staff.cli_add",
    "staff.password_change",  # a staff member changed their own password
    "staff.password_change_failed",  # ... with a wrong current password
    "export",  # a download of records or statistics (target_type says which)
    # the case (console/cases.py): one row per change, the details are on the case timeline
    "case.view",
    "case.event",
    "case.claim",
    "case.release",
    "case.auto_release",
    "case.reassign",
    "case.triage",
    "case.refer",
    "case.return",
    "case.collaborate",
    "case.convene",
    "case.plan",
    "case.start_support",
    "case.monitor",
    "case.resume_support",
    "case.close",
    "case.reopen",
    "case.contact",
    "case.consent_override",
    "case.refused",  # a change refused by a permission check
    "counts.view",
)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = time_field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    action: str = Field(max_length=32, index=True)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    # staff data only, never a resident's: a setting's old and new value (admin.setting)
    detail: dict | None = Field(default=None, sa_type=JSON)

    def __init__(self, **data):
        if data.get("action") not in ACTIONS:
            raise ValueError(f"unknown audit action {data.get('action')!r}")
        super().__init__(**data)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"audit events are append-only (event {target.id})")


event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)


def record_event(session, action: str, actor_id: int | None = None,
                 target_type: str | None = None, target_id: object = None, detail: dict | None = None) -> AuditEvent:
    """Add one audit row to the caller's transaction (it commits or rolls back with the change)."""
    row = AuditEvent(action=action, actor_id=actor_id, target_type=target_type,
                     target_id=None if target_id is None else str(target_id)[:64], detail=detail)
    session.add(row)
    return row
