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


def process_line_events(event_row_id: int) -> None:
    """RQ job for the user who sent the stored event `event_row_id`: handle all of their
    waiting events in order, then send. The job carries a row id, not the LINE user id, so
    RQ's own logs hold no personal data. Idempotent: done work is skipped on a retry."""
    with session_scope() as session:
        event = session.get(WebhookEvent, event_row_id)
        user_key = event.user_key if event else None
    if user_key:
        process_line_user(user_key)


def process_line_user(user_key: str) -> None:
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
            select(WebhookEvent.user_key, WebhookEvent.id).where(
                WebhookEvent.channel == "line", WebhookEvent.processed_at.is_(None),
                WebhookEvent.received_at <= cutoff)
        ).all()
        waiting_sends = session.exec(
            select(WebhookEvent.user_key, WebhookEvent.id)
            .join(OutboxMessage, OutboxMessage.event_id == WebhookEvent.event_id)
            .where(OutboxMessage.channel == "line", OutboxMessage.status == "pending",
                   OutboxMessage.created_at <= cutoff)
        ).all()
    one_event_per_user = {user_key: row_id for user_key, row_id in [*waiting_events, *waiting_sends]}
    jobs = runtime.current().jobs
    for row_id in one_event_per_user.values():
        jobs.enqueue(process_line_events, row_id)
    return len(one_event_per_user)
