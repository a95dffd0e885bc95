"""Send stored LINE replies: reply token first, then push with X-Line-Retry-Key.

Each outbox row is one LINE request (<= 5 messages). Rows of a user go out in order;
on a temporary failure we stop and raise, so the job is retried and nothing is skipped.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlmodel import select

from bot.line.inputs import NO_USER
from bot.line.sender import SendResult
from models import OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.db import session_scope

from . import runtime

log = logging.getLogger(__name__)


# seconds after the event reached us: LINE keeps an unused reply token valid for about a
# minute. A reply tried within this window and then called invalid was used by that try.
TOKEN_FRESH = 50.0
MARK_TTL = 24 * 3600  # as long as LINE remembers a retry key


class ReplyMarks:
    """What became of each reply attempt, kept apart from the database transaction (which a
    killed worker loses): in Redis (shared by every worker) or, for the in-process default,
    in memory. Keyed by the message's retry key; only states are stored, no words or ids.

    A mark is "trying:fresh" / "trying:stale" while the request is out (fresh: the token was
    still within TOKEN_FRESH), then LINE's outcome ("sent", "reply_token_invalid", ...)."""

    def __init__(self):
        self._local: dict[str, tuple[str, float]] = {}

    def begin(self, key: str, fresh: bool) -> str | None:
        """Record a try starting now, unless one was recorded before; return that earlier mark."""
        mark = "trying:fresh" if fresh else "trying:stale"
        redis = getattr(runtime.current().jobs, "connection", None)
        if redis is None:
            now = time.time()
            if len(self._local) > 10_000:  # the newest half: a killed try is retried within minutes
                newest = sorted(self._local.items(), key=lambda kv: kv[1][1])[5_000:]
                self._local = dict(newest)
            earlier = self._local.get(key)
            if earlier is None:
                self._local[key] = (mark, now)
            return earlier[0] if earlier else None
        try:
            name = f"tsunagu:reply:{key}"
            with redis.pipeline() as pipe:
                earlier, _ = pipe.get(name).set(name, mark, nx=True, ex=MARK_TTL).execute()
            return earlier.decode() if earlier is not None else None
        except Exception:  # noqa: BLE001 - without marks: reply, then push (at least once)
            return None

    def finish(self, key: str, outcome: str) -> None:
        redis = getattr(runtime.current().jobs, "connection", None)
        if redis is None:
            self._local[key] = (outcome, time.time())
            return
        try:
            redis.set(f"tsunagu:reply:{key}", outcome, ex=MARK_TTL)
        except Exception:  # noqa: BLE001
            pass


reply_marks = ReplyMarks()


class DeliveryDeferred(Exception):
    """LINE answered 429/5xx or could not be reached; try again later."""


def _received_at(event_id: str) -> datetime | None:
    with session_scope() as session:
        return session.exec(select(WebhookEvent.received_at).where(WebhookEvent.event_id == event_id)).first()


def pending_rows(session, channel: str, user_key: str) -> list[OutboxMessage]:
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.user_key == user_key,
               OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
    ).all()


def deliver_pending(channel: str, user_key: str, sender, rows: list[OutboxMessage] | None = None) -> int:
    """Send this user's pending outbox rows in order (`rows`: already read by the caller)."""
    if rows is None:
        with session_scope() as session:
            rows = pending_rows(session, channel, user_key)
    sent = 0
    for row in rows:
        outcome = send_one(row, sender)
        with session_scope() as session:
            session.add(row)
        if outcome == "retry_later":
            raise DeliveryDeferred(f"outbox {row.id}: LINE asked us to retry")
        sent += outcome == "sent"
    return sent


def send_one(row: OutboxMessage, sender, token_received_at: datetime | None = None) -> str:
    """Send one row: by its reply token if it has one, else (or when the token is spent or
    LINE is busy) by push with the row's retry key. A row's retry key stays the same when a
    killed worker's step is done again (workers.events), so a second push is a no-op at LINE.

    A killed worker may have used the reply token without recording it; its mark tells:
    LINE had answered "sent" -> done; the try was cut off while the token was fresh and LINE
    now calls the token invalid -> that try used it, LINE delivered it -> done."""
    result = None
    if row.reply_token:
        received = token_received_at or _received_at(row.event_id)
        fresh = received is not None and (utcnow() - as_utc(received)).total_seconds() < TOKEN_FRESH
        earlier = reply_marks.begin(row.retry_key, fresh)
        if earlier == "sent" or earlier in ("reply_token_invalid", "retry_later"):
            result = SendResult(earlier)  # decided by that try: done, or on to push
        else:
            result = sender.reply(row.reply_token, row.messages)
            reply_marks.finish(row.retry_key, result.outcome)
        # a reply token is single-use: after any attempt, further tries go by push with the retry key
        row.reply_token = None
        if result.outcome == "sent":
            row.sent_via = "reply"
        elif result.outcome == "reply_token_invalid" and earlier == "trying:fresh":
            result = SendResult("sent")
            row.sent_via = "reply"
            log.info("%s: reply already delivered by an interrupted attempt", _named(row))
    if row.user_key == NO_USER and (result is None or result.outcome in ("reply_token_invalid", "retry_later")):
        result = SendResult("failed", result and result.status, "group chat: reply only")  # no one to push to
    if result is None or result.outcome in ("reply_token_invalid", "retry_later"):
        result = sender.push(row.user_key, row.messages, row.retry_key, silent=row.silent)
        if result.outcome == "sent":
            row.sent_via = "push"
    row.attempts += 1
    if result.outcome == "sent":
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    elif result.outcome == "failed":
        row.status, row.last_error = "failed", (result.detail or "")[:200]
        log.error("%s failed permanently: status=%s", _named(row), result.status)
    else:
        row.last_error = (result.detail or "")[:200]
        log.warning("%s deferred: status=%s", _named(row), result.status)
    return result.outcome


def _named(row) -> str:
    """For logs: the outbox row, or (not yet written: the worker writes it after the send) the
    event it answers; ids only, never words or LINE user ids."""
    return f"outbox {row.id}" if row.id is not None else f"answer {row.seq} to event {row.event_id}"
