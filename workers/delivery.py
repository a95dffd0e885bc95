"""Send stored LINE replies: reply token first, then push with X-Line-Retry-Key.

Each outbox row is one LINE request (<= 5 messages). Rows of a user go out in order;
on a temporary failure we stop and raise, so the job is retried and nothing is skipped.
"""
from __future__ import annotations

import logging
import os
import time

from sqlmodel import select

from models import OutboxMessage
from models.base import utcnow
from models.db import session_scope

from . import runtime

log = logging.getLogger(__name__)


# seconds: LINE reply tokens are good for about a minute (a fake LINE server may keep them longer)
TOKEN_FRESH = float(os.environ.get("TSUNAGU_REPLY_TOKEN_FRESH") or 50)


class ReplyMarks:
    """Which replies were attempted, and when: in Redis (shared by every worker, no fsync)
    or, for the in-process default, in memory. Only times and ids are stored."""

    def __init__(self):
        self._local: dict[str, float] = {}

    def seen_before(self, key: str) -> float | None:
        """Record an attempt now; return the time of an earlier one, if any."""
        now = time.time()
        redis = getattr(runtime.current().jobs, "connection", None)
        if redis is None:
            if len(self._local) > 10_000:  # only fresh marks matter
                self._local = {k: t for k, t in self._local.items() if now - t < TOKEN_FRESH}
            earlier = self._local.get(key)
            self._local[key] = earlier or now
            return earlier
        try:
            name = f"tsunagu:reply:{key}"
            with redis.pipeline() as pipe:
                earlier, _ = pipe.get(name).set(name, now, nx=True, ex=300).execute()
            return float(earlier) if earlier is not None else None
        except Exception:  # noqa: BLE001 - without the mark we fall back to push (at least once)
            return None


reply_marks = ReplyMarks()


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
        earlier = reply_marks.seen_before(f"{row.event_id}:{row.seq}")
        result = sender.reply(row.reply_token, row.messages)
        # a reply token is single-use: after any attempt, further tries go by push with the retry key
        row.reply_token = None
        if result.outcome == "sent":
            row.sent_via = "reply"
        elif result.outcome == "reply_token_invalid" and earlier is not None and time.time() - earlier < TOKEN_FRESH:
            # a worker killed in the middle of this reply had used the (still fresh) token: LINE
            # delivered it then. Pushing now would show the resident the same answer twice.
            row.status, row.sent_via, row.sent_at, row.last_error = "sent", "reply", utcnow(), None
            row.attempts += 1
            log.info("outbox %s: reply already delivered by an interrupted attempt", row.id)
            return "sent"
    if result is None or result.outcome in ("reply_token_invalid", "retry_later"):
        result = sender.push(row.user_key, row.messages, row.retry_key, silent=row.silent)
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
