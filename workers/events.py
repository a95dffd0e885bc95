"""Jobs: process a user's stored events in order, then send what the dialog decided."""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import bindparam, false, literal, update
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.line import profile
from bot.line.inputs import to_input
from bot.line.render import render_batches
from models import OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.limits import fitted_values
from models.db import get_engine, session_scope

from . import locks, runtime
from .conversation import handle_input, load_conversation, never_heard_from
from .delivery import deliver_pending, pending_rows, send_one
from .errors import describe
from .locks import user_lock
from .quarantine import quarantine

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PAUSES = (0.2, 1.0)  # between attempts: a one-off conflict passes, a bad event is set aside in ~1 s
# not the event's fault: the job is retried later (RQ Retry / in-process timer), nothing counted
TRANSIENT = (OperationalError, RedisConnectionError, RedisTimeoutError, LockError)


def run_event(event_row_id: int, lock_key: str | None = None) -> None:
    """The worker's event loops call this for each row id popped from the events list: the
    job, and if it fails, the same job again later through RQ's retries (LINE 429/5xx, a lock
    held too long, the database away). If even that cannot be queued (Redis away), the event
    is still waiting in the database and the inbox sweep queues it again."""
    try:
        process_line_events(event_row_id, lock_key)
    except Exception as exc:  # type and place only: the message may quote a resident
        log.warning("event row %s: job failed, retrying later: %s", event_row_id, describe(exc))
        try:
            runtime.current().jobs.retry_later(process_line_events, event_row_id, lock_key)
        except Exception as again:  # noqa: BLE001
            log.warning("event row %s: could not queue the retry (%s); the inbox sweep will",
                        event_row_id, type(again).__name__)


def process_line_events(event_row_id: int, lock_key: str | None = None) -> None:
    """Job for the user who sent the stored event `event_row_id`: handle all of their
    waiting events in order, then send. The job carries a row id (and the digest naming the
    user's lock), not the LINE user id, so queue logs hold no personal data. Idempotent: done
    work is skipped on a retry.

    Two transactions for a user with one new message (what is waiting, the event itself):
    each is a pool checkout and a commit. Without `lock_key` (the inbox sweep, a retry from
    the console) a third one first finds whose event it is."""
    if lock_key is None:
        with session_scope() as session:
            user_key = session.exec(select(WebhookEvent.user_key).where(WebhookEvent.id == event_row_id)).first()
        if not user_key:
            return
        lock_key = locks.lock_key(user_key)
    rt = runtime.current()
    redis = getattr(rt.jobs, "connection", None)
    sender = rt.line_sender_factory() if rt.line_sender_factory is not None else None
    # an event stored while this runs has a job of its own, queued behind this lock
    with user_lock("line", None, redis, key=lock_key):
        user_key, unsent, waiting = _waiting(event_row_id, with_unsent=sender is not None)
        if user_key is None:
            return
        if unsent:
            deliver_pending("line", user_key, sender, unsent)  # what an earlier job could not send goes first
        left_pending = False
        for row_id in waiting:
            left_pending |= _process_or_set_aside(row_id, user_key, rt.settings, sender)
        if sender is not None and left_pending:
            deliver_pending("line", user_key, sender)  # raises DeliveryDeferred: the job is retried


def _waiting_statement(with_unsent: bool):
    """SELECT k, w.id, EXISTS(pending outbox rows of k)
       FROM (one row) LEFT JOIN the waiting events w of k ORDER BY w.occurred_at, w.id
    where k = (the user_key of the event row), evaluated once: the partial indexes of
    migration 0130 are then searched by user_key. One row with w.id NULL when nothing is
    waiting, and with k NULL too when the event row is gone."""
    events, outbox = WebhookEvent.__table__, OutboxMessage.__table__
    sender = select(events.c.user_key).where(events.c.id == bindparam("row_id")).scalar_subquery()
    one_row = select(literal(1).label("one")).subquery("one_row")
    waiting = events.alias("waiting")
    unsent = (select(outbox.c.id).where(outbox.c.channel == "line", outbox.c.user_key == sender,
                                        outbox.c.status == "pending").exists())
    return (
        select(sender, waiting.c.id, unsent if with_unsent else false())
        .select_from(one_row.outerjoin(waiting, (waiting.c.channel == "line") & (waiting.c.user_key == sender)
                                       & waiting.c.processed_at.is_(None) & waiting.c.failed_at.is_(None)))
        .order_by(waiting.c.occurred_at, waiting.c.id)
    )


_WAITING, _WAITING_WITH_UNSENT = _waiting_statement(False), _waiting_statement(True)


def _waiting(event_row_id: int, with_unsent: bool) -> tuple[str | None, list[OutboxMessage], list[int]]:
    """For the user who sent the event `event_row_id`: their LINE user id, their outbox rows
    still to send (oldest first), and their events still waiting (not processed, not set
    aside), oldest first. Nearly always nothing is left to send: one statement tells what is
    waiting and whether anything is unsent, on a Core connection (the ORM's query handling was
    a third of this step's CPU); the unsent rows, if any, are read in a second transaction."""
    with get_engine().connect() as conn:
        rows = conn.execute(_WAITING_WITH_UNSENT if with_unsent else _WAITING, {"row_id": event_row_id}).all()
        conn.commit()
    user_key = rows[0][0] if rows else None
    waiting = [row_id for _, row_id, _ in rows if row_id is not None]
    if user_key is None or not any(unsent for _, _, unsent in rows):
        return user_key, [], waiting
    with session_scope() as session:
        return user_key, list(pending_rows(session, "line", user_key)), waiting


def _process_or_set_aside(row_id: int, user_key: str, settings, sender) -> bool:
    """Try the event up to MAX_ATTEMPTS times (counted on the row, so across jobs too), then
    quarantine it. Faults of the infrastructure (database or Redis unreachable) are not the
    event's fault: they go up, and the job is retried later with nothing counted.
    Returns True if messages are left to send."""
    while True:
        try:
            return _process_event(row_id, user_key, settings.coordinator_label, sender)
        except TRANSIENT:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is this event's
            attempts = _count_failure(row_id)
            log.warning("event row %s failed (attempt %d): %s", row_id, attempts, type(exc).__name__)
            if attempts >= MAX_ATTEMPTS:
                quarantine(row_id, type(exc).__name__, settings.office_phone)
                return True
            time.sleep(PAUSES[min(attempts, len(PAUSES)) - 1])


def _count_failure(row_id: int) -> int:
    with session_scope() as session:
        event = session.get(WebhookEvent, row_id)
        event.attempts += 1
        session.add(event)
        return event.attempts


def _process_event(row_id: int, user_key: str, coordinator: str, sender) -> bool:
    """One event in one transaction: the dialog step, the sending of its answer, and the
    answer's outbox rows with what became of them.

    The answer is sent before the commit, and its outbox rows are written after the send
    with their outcome: one INSERT where an INSERT before and an UPDATE after were two (and
    each through the ORM's unit of work). A crash between the send and the commit loses the
    rows and the step together, so the event is stepped again and answered with the same
    retry keys, which the reply marks and LINE's retry keys make a no-op. Returns True if
    messages are left to send."""
    with session_scope() as session:
        # Claimed by marking it processed first: the row stays locked until the commit, so a
        # second worker (e.g. after a per-user lock expired under load) waits and then finds
        # it done, instead of answering it twice; a failure rolls the mark back with the rest.
        # One statement where a SELECT … FOR UPDATE and a later UPDATE were two.
        event = session.execute(_CLAIM, {"row_id": row_id, "now": utcnow()}).first()
        if event is None:
            return False
        rows: list[OutboxMessage] = []
        inp = to_input(event.payload)
        if inp is not None:
            conv = load_conversation(session, "line", user_key)  # once: for the language hint and the step
            inp = _with_profile_language(conv, user_key, inp, sender)
            now = as_utc(event.occurred_at)
            messages = handle_input(session, "line", user_key, inp, now, coordinator, conv=conv)
            rows = [OutboxMessage(
                channel="line", user_key=user_key, event_id=event.event_id, seq=seq,
                messages=batch, reply_token=event.reply_token if seq == 0 else None,
                # the same key when a killed worker's step is done again: LINE drops a repeat push
                retry_key=answer_retry_key(event.event_id, seq),
            ) for seq, batch in enumerate(render_batches(messages))]
        session.flush()  # the step's own writes (state, intake) are valid before anything is sent
        left = bool(rows)
        if sender is not None:
            left = False
            for row in rows:
                if left:
                    break  # LINE asked us to wait: the rest stays pending, in order, behind it
                left = send_one(row, sender, token_received_at=event.received_at) == "retry_later"
        if rows:
            session.connection().execute(_INSERT_OUTBOX, [_outbox_values(row) for row in rows])
        log.info("processed event %s", event.event_id)
        return left


def _outbox_values(row: OutboxMessage) -> dict:
    """The row as INSERT values, made to fit its columns (as the ORM's flush would)."""
    return fitted_values(OutboxMessage, {column: getattr(row, column) for column in _OUTBOX_COLUMNS})


_OUTBOX_COLUMNS = [c.name for c in OutboxMessage.__table__.columns if c.name != "id"]
_INSERT_OUTBOX = OutboxMessage.__table__.insert()


_events = WebhookEvent.__table__
_CLAIM = (
    update(_events)
    .where(_events.c.id == bindparam("row_id"), _events.c.processed_at.is_(None), _events.c.failed_at.is_(None))
    .values(processed_at=bindparam("now"))
    .returning(_events.c.event_id, _events.c.payload, _events.c.reply_token, _events.c.occurred_at,
               _events.c.received_at)
)


def answer_retry_key(event_id: str, seq: int) -> str:
    """X-Line-Retry-Key of the seq-th batch answering a LINE event: derived, not random."""
    return str(uuid.uuid5(_ANSWER_KEYS, f"{event_id}:{seq}"))


_ANSWER_KEYS = uuid.UUID("5b0c6c1e-2f5e-4b7a-9d0a-7473756e6167")  # namespace of answer retry keys


def _with_profile_language(conv, user_key: str, inp, sender):
    """At first contact (the follow, or a first message), LINE's profile language is the
    dialog's hint; one profile request per resident, none afterwards."""
    if sender is None or inp.lang or not never_heard_from(conv):
        return inp
    code = profile.language(sender, user_key)
    return replace(inp, lang=code) if code else inp


def sweep_inbox(older_than: timedelta = timedelta(seconds=30)) -> int:
    """Re-enqueue users whose events were stored but never processed (e.g. Redis was down),
    and whose messages are still waiting to be sent."""
    cutoff: datetime = utcnow() - older_than
    with session_scope() as session:
        waiting_events = session.exec(
            select(WebhookEvent.user_key, WebhookEvent.id).where(
                WebhookEvent.channel == "line", WebhookEvent.processed_at.is_(None),
                WebhookEvent.failed_at.is_(None), WebhookEvent.received_at <= cutoff)
        ).all()
        waiting_sends = session.exec(
            select(WebhookEvent.user_key, WebhookEvent.id)
            .join(OutboxMessage, OutboxMessage.event_id == WebhookEvent.event_id)
            .where(OutboxMessage.channel == "line", OutboxMessage.status == "pending",
                   OutboxMessage.created_at <= cutoff)
        ).all()
    one_event_per_user = {user_key: row_id for user_key, row_id in [*waiting_events, *waiting_sends]}
    runtime.current().jobs.enqueue_events(list(one_event_per_user.values()),
                                          [locks.lock_key(u) for u in one_event_per_user])
    return len(one_event_per_user)
