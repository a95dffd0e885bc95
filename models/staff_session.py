"""Server-side staff sessions: the signed cookie only names a row here, so logging out,
a password change or an idle half hour ends the session even for a copied cookie."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from .base import time_field, utcnow
from .staff import StaffUser


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    id: str = Field(primary_key=True, max_length=64)  # random; the cookie carries it
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: datetime = time_field(default_factory=utcnow)
    last_seen_at: datetime = time_field(default_factory=utcnow)
    ended_at: datetime | None = time_field(default=None)


@event.listens_for(Session, "before_flush")
def _end_sessions_on_password_change(session, _flush_context, _instances) -> None:
    """Whoever changes a password (admin reset, the staff member, a rehash) ends every
    open session of that account, in the same transaction."""
    from sqlalchemy import inspect

    for row in session.dirty:
        if isinstance(row, StaffUser) and inspect(row).attrs.password_hash.history.has_changes():
            session.execute(update(StaffSession)
                            .where(StaffSession.staff_id == row.id, StaffSession.ended_at.is_(None))
                            .values(ended_at=utcnow()))
