"""Messages staff send to a resident (replies, reporter notices) go through the same outbox
as the bot's: a row per LINE request, sent after the transaction commits by a job (push with
X-Line-Retry-Key), or picked up by the web chat page the next time the resident looks.

A LINE resident who blocked the account (an unfollow event newer than any follow) is not
sent anything: the console shows them as blocked instead of an error.
"""
from __future__ import annotations

import uuid

from sqlalchemy import event as sa_event
from sqlmodel import Session, select

from bot.line.render import render_batches
from dialogs.messages import Message
from models import OutboxMessage, WebhookEvent


def is_blocked(session: Session, channel: str, user_key: str) -> bool:
    """True when the newest follow/unfollow event of this LINE user is an unfollow."""
    if channel != "line":
        return False
    for row in session.exec(select(WebhookEvent).where(WebhookEvent.channel == "line",
                                                       WebhookEvent.user_key == user_key)
                            .order_by(WebhookEvent.occurred_at.desc(), WebhookEvent.id.desc())):
        kind = (row.payload or {}).get("type")
        if kind in ("follow", "unfollow"):
            return kind == "unfollow"
    return False


def queue_text(session: Session, channel: str, user_key: str, text: str, event_id: str | None = None,
               silent: bool = False, kind: str = "staff") -> list[OutboxMessage]:
    """Outbox rows for one text, delivered after the caller's transaction commits."""
    event_id = event_id or f"staff-{uuid.uuid4().hex[:24]}"
    message = Message(text=text, kind=kind)
    batches = render_batches([message]) if channel == "line" else [[message.to_dict()]]
    rows = [OutboxMessage(channel=channel, user_key=user_key, event_id=event_id, seq=seq, messages=batch,
                          silent=silent) for seq, batch in enumerate(batches)]
    session.add_all(rows)
    session.flush()
    if channel == "line":
        _deliver_after_commit(session, rows[0].id)
    return rows


def _deliver_after_commit(session: Session, outbox_id: int) -> None:
    def enqueue(_session) -> None:
        from workers import runtime
        from workers.staff_messages import deliver_staff_message

        try:
            runtime.current().jobs.enqueue(deliver_staff_message, outbox_id)
        except Exception:  # noqa: BLE001 - Redis down: the sweep sends it later
            import logging

            logging.getLogger(__name__).warning("outbox %s: could not enqueue; the sweep will send it", outbox_id)

    sa_event.listen(session, "after_commit", enqueue, once=True)
