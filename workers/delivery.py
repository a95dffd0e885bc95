"""Send stored LINE replies: reply token first, then push with X-Line-Retry-Key.

Each outbox row is one LINE request (<= 5 messages). Rows of a user go out in order;
on a temporary failure we stop and raise, so the job is retried and nothing is skipped.
"""
from __future__ import annotations

import logging

from sqlmodel import select

from models import OutboxMessage
from models.base import utcnow
from models.db import session_scope

log = logging.getLogger(__name__)


class DeliveryDeferred(Exception):
    """LINE answered 429/5xx or could not be reached; try again later."""


def deliver_pending(channel: str, user_key: str, sender) -> int:
    with session_scope() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.user_key == user_key,
                   OutboxMessage.status == "pending")
            .order_by(OutboxMessage.id)
        ).all()
    sent = 0
    for row in rows:
        outcome = send_one(row, sender)
        with session_scope() as session:
            session.add(row)
        if outcome == "retry_later":
            raise DeliveryDeferred(f"outbox {row.id}: LINE asked us to retry")
        sent += outcome == "sent"
    return sent


def send_one(row: OutboxMessage, sender) -> str:
    result = None
    if row.reply_token:
        result = sender.reply(row.reply_token, row.messages)
        # a reply token is single-use: after any attempt, further tries go by push with the retry key
        row.reply_token = None
        if result.outcome == "sent":
            row.sent_via = "reply"
    if result is None or result.outcome in ("reply_token_invalid", "retry_later"):
        result = sender.push(row.user_key, row.messages, row.retry_key)
        if result.outcome == "sent":
            row.sent_via = "push"
    row.attempts += 1
    if result.outcome == "sent":
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    elif result.outcome == "failed":
        row.status, row.last_error = "failed", (result.detail or "")[:200]
        log.error("outbox %s failed permanently: status=%s", row.id, result.status)
    else:
        row.last_error = (result.detail or "")[:200]
        log.warning("outbox %s deferred: status=%s", row.id, result.status)
    return result.outcome
