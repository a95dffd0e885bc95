"""Send what staff wrote to a LINE resident (replies, reporter notices): the same delivery
as the bot's replies (workers/delivery.py), by push with the row's retry key, under the
resident's lock so it never overtakes a bot reply. Jobs carry outbox row ids only."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from models import OutboxMessage
from models.base import utcnow
from models.db import session_scope

from . import runtime
from .delivery import deliver_pending
from .locks import user_lock

log = logging.getLogger(__name__)
STAFF_PREFIXES = ("staff-", "notice-")


def deliver_staff_message(outbox_id: int) -> int:
    with session_scope() as session:
        row = session.get(OutboxMessage, outbox_id)
        user_key = row.user_key if row is not None and row.channel == "line" else None
    rt = runtime.current()
    if user_key is None or rt.line_sender_factory is None:
        return 0
    with user_lock("line", user_key, getattr(rt.jobs, "connection", None)):
        return deliver_pending("line", user_key, rt.line_sender_factory())


def sweep_staff_messages(older_than: timedelta = timedelta(seconds=30)) -> int:
    """Re-enqueue staff messages to LINE still waiting (the job was lost or Redis was down)."""
    cutoff = utcnow() - older_than
    with session_scope() as session:
        rows = session.exec(select(OutboxMessage.user_key, OutboxMessage.id, OutboxMessage.event_id).where(
            OutboxMessage.channel == "line", OutboxMessage.status == "pending",
            OutboxMessage.created_at <= cutoff).order_by(OutboxMessage.id)).all()
    one_per_user: dict[str, int] = {}
    for user_key, row_id, event_id in rows:
        if event_id.startswith(STAFF_PREFIXES):
            one_per_user.setdefault(user_key, row_id)
    jobs = runtime.current().jobs
    for row_id in one_per_user.values():
        jobs.enqueue(deliver_staff_message, row_id)
    return len(one_per_user)
