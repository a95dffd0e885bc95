"""Account lockout after repeated wrong passwords, counted from the audit trail itself
(login_failed rows since the last successful login), so every web process agrees."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from models import AuditEvent

LOCK_AFTER = 5  # wrong passwords in a row
LOCK_FOR = timedelta(minutes=15)


def is_locked(db: Session, staff_id: int, now: datetime) -> bool:
    last_login = db.exec(select(func.max(AuditEvent.id)).where(
        AuditEvent.actor_id == staff_id, AuditEvent.action == "login")).one()
    failures = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == staff_id, AuditEvent.action == "login_failed",
        AuditEvent.at > now - LOCK_FOR)
    if last_login is not None:
        failures = failures.where(AuditEvent.id > last_login)
    return db.exec(failures).one() >= LOCK_AFTER
