"""Jobs: process a user's stored events in order, then send what the dialog decided."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import select

from bot.line.inputs import to_input
from bot.line.render import render_batches
from models import OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.db import session_scope

from . import runtime
from .conversation import handle_input
from .delivery import deliver_pending
from .locks import user_lock

log = logging.getLogger(__name__)


def process_line_user(user_key: str) -> None:
    """RQ job. Idempotent: already processed events and sent messages are skipped."""
    rt = runtime.current()
    redis = getattr(rt.jobs, "connection", None)
    with user_lock("line", user_key, redis):
        while _process_next_event(user_key, rt.settings.coordinator_label):
            pass
        if rt.line_sender_factory is not None:
            deliver_pending("line", user_key, rt.line_sender_factory())


def _process_next_event(user_key: str, coordinator: str) -> bool:
    with session_scope() as session:
        event = session.exec(
            select(WebhookEvent)
            .where(WebhookEvent.channel == "line", WebhookEvent.user_key == user_key,
                   WebhookEvent.processed_at.is_(None))
            .order_by(WebhookEvent.occurred_at, WebhookEvent.id)
        ).first()
        if event is None:
            return False
        inp = to_input(event.payload)
        if inp is not None:
            now = as_utc(event.occurred_at)
            messages = handle_input(session, "line", user_key, inp, now, coordinator)
            for seq, batch in enumerate(render_batches(messages)):
                session.add(OutboxMessage(
                    channel="line", user_key=user_key, event_id=event.event_id, seq=seq,
                    messages=batch, reply_token=event.reply_token if seq == 0 else None,
                ))
        event.processed_at = utcnow()
        session.add(event)
        log.info("processed event %s", event.event_id)
        return True


def sweep_inbox(older_than: timedelta = timedelta(seconds=30)) -> int:
    """Re-enqueue users whose events were stored but never processed (e.g. Redis was down),
    and whose messages are still waiting to be sent."""
    cutoff: datetime = utcnow() - older_than
    with session_scope() as session:
        waiting_events = session.exec(
            select(WebhookEvent.user_key).where(WebhookEvent.channel == "line",
                                                WebhookEvent.processed_at.is_(None),
                                                WebhookEvent.received_at <= cutoff).distinct()
        ).all()
        waiting_sends = session.exec(
            select(OutboxMessage.user_key).where(OutboxMessage.channel == "line",
                                                 OutboxMessage.status == "pending",
                                                 OutboxMessage.created_at <= cutoff).distinct()
        ).all()
    users = sorted(set(waiting_events) | set(waiting_sends))
    jobs = runtime.current().jobs
    for user_key in users:
        jobs.enqueue(process_line_user, user_key)
    return len(users)
