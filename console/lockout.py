"""Account lockout after repeated wrong passwords, counted from the audit trail itself
(login_failed rows since the last successful login), so every web process agrees.

Counted by the username typed (normalised), for accounts that exist and for names that do
not alike: the answer after five misses is the same either way, so the login page never tells
whether a username exists."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app

from sqlalchemy import func
from sqlmodel import Session, select

from models import AuditEvent

LOCK_AFTER = 5  # wrong passwords in a row
LOCK_FOR = timedelta(minutes=15)


UNKNOWN = "不明:"  # prefix of a name that is no account, as the audit log shows it


def recorded_name(username: str, known: bool) -> str:
    """What the audit row keeps of the username typed: the account's name, or for a name that
    is no account a keyed digest (same name, same digest: the lockout still counts it)."""
    if known:
        return username
    key = (current_app.secret_key or "").encode() if current_app else b""
    return UNKNOWN + hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:16]


def is_locked(db: Session, username: str, staff_id: int | None, now: datetime) -> bool:
    failures = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "login_failed", AuditEvent.target_type == "username",
        AuditEvent.target_id == username[:64], AuditEvent.at > now - LOCK_FOR)
    if staff_id is not None:
        last_login = db.exec(select(func.max(AuditEvent.id)).where(
            AuditEvent.actor_id == staff_id, AuditEvent.action == "login")).one()
        if last_login is not None:
            failures = failures.where(AuditEvent.id > last_login)
    return db.exec(failures).one() >= LOCK_AFTER
