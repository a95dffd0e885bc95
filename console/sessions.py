"""Staff sessions kept on the server (models.StaffSession): the cookie names a row; the row
decides. Ended by logout, by a password change, or after `IDLE` without a request."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session

from models import StaffSession
from models.base import as_utc, utcnow

IDLE = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)  # write last_seen at most once a minute, not per request


def now() -> datetime:
    return current_app.config.get("CLOCK", utcnow)()


def start(db: Session, staff_id: int) -> str:
    token = secrets.token_urlsafe(32)
    at = now()
    db.add(StaffSession(id=token, staff_id=staff_id, created_at=at, last_seen_at=at))
    return token


def is_live(db: Session, staff_id: int, token: object) -> bool:
    """True if the session is this staff member's, not ended and not idle; keeps it alive."""
    if not isinstance(token, str):
        return False
    row = db.get(StaffSession, token)
    if row is None or row.staff_id != staff_id or row.ended_at is not None:
        return False
    at = now()
    idle = at - as_utc(row.last_seen_at)
    if idle > IDLE:
        row.ended_at = at
        db.add(row)
        return False
    if idle > TOUCH_EVERY:
        row.last_seen_at = at
        db.add(row)
    return True


def end(db: Session, token: object) -> None:
    row = db.get(StaffSession, token) if isinstance(token, str) else None
    if row is not None and row.ended_at is None:
        row.ended_at = now()
        db.add(row)
