"""Jobs: process a user's stored events in order, then send what the dialog decided."""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import bindparam, false, literal, update
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.line import profile
from bot.line.inputs import group_text, to_input
from bot.line.render import render_batches
from dialogs import languages
from dialogs.crisis_reply import group_crisis_message
from dialogs.messages import InputKind
from dialogs.understanding import classify
from models import OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.limits import fitted_values
from models.db import on_driver, redoable_commit, session_scope, writer_turn

from . import locks, runtime
from .conversation import adopt_conversation, handle_input, load_conversation, never_heard_from, write_adopted
from .delivery import deliver_pending, send_one
from .errors import describe
from .jobs import queued_mark
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

    One transaction for a user with one new message: it finds the user's oldest waiting
    event, claims it, steps the dialog and sends the answer. Without `lock_key` (the inbox
    sweep, a retry from the console) one more first finds whose event it is."""
    if lock_key is None:
        with session_scope() as session:
            user_key = session.exec(select(WebhookEvent.user_key).where(WebhookEvent.id == event_row_id)).first()
        if not user_key:
            return
        lock_key = locks.lock_key(user_key)
    rt = runtime.current()
    redis = getattr(rt.jobs, "connection", None)
    sender = rt.line_sender_factory() if rt.line_sender_factory is not None else None
    # an event stored from now on gets a job of its own (queued behind this lock): this job's
    # "waiting" mark goes as the lock is first tried, and the events before it are this job's
    mark = queued_mark(lock_key) if redis is not None else None
    with user_lock("line", None, redis, key=lock_key, clearing=mark):
        while True:
            turn = _take_turn(event_row_id, rt.settings, sender)
            # unsent: what an earlier job could not send goes before the next event is stepped
            if turn.unsent or turn.left_pending:
                deliver_pending("line", turn.user_key, sender)  # raises DeliveryDeferred: retried later
            if not (turn.unsent or turn.more):
                return


@dataclass
class _Turn:
    """What one transaction of the job did. `user_key` None: the job's event row is gone."""
    user_key: str | None = None
    unsent: bool = False  # nothing was claimed: the user's unsent messages must go first
    more: bool = False  # further events of the user were waiting after the one handled
    left_pending: bool = False  # the answer could not all be sent (LINE asked us to wait)
    row_id: int | None = None  # the event claimed


def _take_turn(event_row_id: int, settings, sender) -> _Turn:
    """Handle the oldest waiting event of the user who sent `event_row_id`, trying it up to
    MAX_ATTEMPTS times (counted on the row, so across jobs too), then quarantining it.
    Faults of the infrastructure (database or Redis unreachable) are not the event's fault:
    they go up, and the job is retried later with nothing counted."""
    while True:
        turn = _Turn()
        try:
            return _process_next(event_row_id, settings.coordinator_label, sender, turn)
        except TRANSIENT:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is the claimed event's
            if turn.row_id is None:
                raise  # it failed before any event was claimed: not an event's fault
            attempts = _count_failure(turn.row_id)
            log.warning("event row %s failed (attempt %d): %s", turn.row_id, attempts, type(exc).__name__)
            if attempts >= MAX_ATTEMPTS:
                quarantine(turn.row_id, type(exc).__name__, settings.office_phone)
                return replace(turn, more=True, left_pending=False)  # its apology is sent next turn
            time.sleep(PAUSES[min(attempts, len(PAUSES)) - 1])


def _count_failure(row_id: int) -> int:
    with session_scope() as session:
        event = session.get(WebhookEvent, row_id)
        event.attempts += 1
        session.add(event)
        return event.attempts


def _process_next(event_row_id: int, coordinator: str, sender, turn: _Turn) -> _Turn:
    """One event in one transaction: finding and claiming it, the dialog step, the sending of
    its answer, and the answer's outbox rows with what became of them. Fills in `turn`.

    The event is claimed by marking it processed first: the row stays locked until the
    commit, so a second worker (e.g. after a per-user lock expired under load) waits and then
    finds it done, instead of answering it twice; a failure rolls the mark back with the rest.

    The answer is sent before the commit, and its outbox rows are written after the send
    with their outcome: one INSERT where an INSERT before and an UPDATE after were two (and
    each through the ORM's unit of work). A crash between the send and the commit loses the
    rows and the step together, so the event is stepped again and answered with the same
    retry keys, which the reply marks and LINE's retry keys make a no-op."""
    with writer_turn(), session_scope() as session:
        redoable_commit(session)
        claim = _claim_next(session, event_row_id, with_unsent=sender is not None)
        if claim is None:
            return turn
        turn.user_key, turn.unsent, turn.more = claim.user_key, claim.unsent, claim.waiting > 1
        if claim.row_id is None:
            turn.more = turn.more or (claim.waiting > 0 and not claim.unsent)  # taken by another worker
            return turn
        turn.row_id = claim.row_id
        user_key = claim.user_key
        messages: list = []
        inp = to_input(claim.payload)
        if inp is None:
            messages = group_crisis_answer(claim.payload)  # nothing, unless a crisis in a group chat
        else:
            adopted = claim.conversation is not None  # read and locked by the claim (PostgreSQL)
            conv = (adopt_conversation(session, "line", user_key, *claim.conversation) if adopted
                    else load_conversation(session, "line", user_key))
            inp = _with_profile_language(conv, user_key, inp, sender)
            now = as_utc(claim.occurred_at)
            messages = handle_input(session, "line", user_key, inp, now, coordinator, conv=conv)
            if adopted:
                write_adopted(session, conv)
        rows = [Outgoing(
            channel="line", user_key=user_key, event_id=claim.event_id, seq=seq,
            messages=batch, reply_token=claim.reply_token if seq == 0 else None,
            # the same key when a killed worker's step is done again: LINE drops a repeat push
            retry_key=answer_retry_key(claim.event_id, seq),
        ) for seq, batch in enumerate(render_batches(messages))]
        session.flush()  # the step's own writes (state, intake) are valid before anything is sent
        left = False  # LINE asked us to wait (without a sender nothing is tried: all stays pending)
        for row in rows if sender is not None else ():
            if left:
                break  # the rest stays pending, in order, behind it
            left = send_one(row, sender, token_received_at=claim.received_at) == "retry_later"
        if rows:
            _write_outbox(session, rows)
        turn.left_pending = left
        log.info("processed event %s", claim.event_id)
        return turn


@dataclass
class Outgoing:
    """An outbox row the worker writes after sending it, with the outcome (`send_one` fills
    it in as it does an OutboxMessage): a plain object, as building the ORM row cost more
    than writing it. Its fields are the table's columns; `id` is never read back."""
    channel: str
    user_key: str
    event_id: str
    seq: int
    messages: list
    reply_token: str | None
    retry_key: str
    status: str = "pending"
    attempts: int = 0
    silent: bool = False
    sent_via: str | None = None
    last_error: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    sent_at: datetime | None = None
    id: None = None


def _write_outbox(session, rows: list[Outgoing]) -> None:
    """One INSERT for the answer's rows, their values made to fit the columns as the ORM's
    flush would (it does not see these). PostgreSQL: on the driver (models.db.on_driver)."""
    values = [fitted_values(OutboxMessage, {name: getattr(row, name) for name in _OUTBOX_COLUMNS}) for row in rows]
    if session.get_bind().dialect.name != "postgresql":
        session.connection().execute(_INSERT_OUTBOX, values)
        return
    on_driver(session, _INSERT_OUTBOX_SQL, values[0] if len(values) == 1 else values)


_OUTBOX_COLUMNS = [c.name for c in OutboxMessage.__table__.columns if c.name != "id"]
_INSERT_OUTBOX = OutboxMessage.__table__.insert()
_INSERT_OUTBOX_SQL = (f"INSERT INTO outbox_message ({', '.join(_OUTBOX_COLUMNS)}) "
                      f"VALUES ({', '.join(f'%({name})s' for name in _OUTBOX_COLUMNS)})")


class _Claim(NamedTuple):
    user_key: str  # who sent the job's event
    unsent: bool  # they have outbox rows still to send: nothing was claimed
    waiting: int  # their waiting events, the claimed one included (counted up to 2)
    row_id: int | None  # the event claimed: their oldest waiting one
    event_id: str | None
    payload: dict | None
    reply_token: str | None
    occurred_at: datetime | None
    received_at: datetime | None
    # PostgreSQL: the user's conversation row, read and locked by the same statement
    # (id, state, open_intake_id, updated_at; id None: they have none yet). SQLite: not read.
    conversation: tuple | None = None


def _claim_next(session, event_row_id: int, with_unsent: bool) -> _Claim | None:
    """In the caller's transaction: for the user who sent `event_row_id`, claim their oldest
    waiting event (not processed, not set aside), unless messages of theirs are still unsent
    (`with_unsent`; those go first). None when the event row is gone. On PostgreSQL this is
    one statement; on SQLite (no data-modifying WITH) a SELECT and an UPDATE."""
    params = {"row_id": event_row_id, "now": utcnow(), "with_unsent": with_unsent}
    if session.get_bind().dialect.name == "postgresql":
        rows = on_driver(session, _CLAIM_NEXT, params)
        return _Claim(*rows[0][:9], conversation=tuple(rows[0][9:])) if rows else None
    found = session.execute(_WAITING_WITH_UNSENT if with_unsent else _WAITING, params).all()
    if not found or found[0][0] is None:
        return None
    user_key, unsent = found[0][0], any(u for _, _, u in found)
    waiting = [row_id for _, row_id, _ in found if row_id is not None]
    claimed = None if unsent or not waiting else session.execute(_CLAIM, {**params, "row_id": waiting[0]}).first()
    return _Claim(user_key, bool(unsent), min(len(waiting), 2), *(claimed or (None,) * 6))


_events, _outbox = WebhookEvent.__table__, OutboxMessage.__table__
_CLAIMED = (_events.c.id, _events.c.event_id, _events.c.payload, _events.c.reply_token, _events.c.occurred_at,
            _events.c.received_at)
_CLAIM = (
    update(_events)
    .where(_events.c.id == bindparam("row_id"), _events.c.processed_at.is_(None), _events.c.failed_at.is_(None))
    .values(processed_at=bindparam("now"))
    .returning(*_CLAIMED)
)

# PostgreSQL: the sender of the job's event, whether they have unsent messages, their first
# two waiting events (on the partial indexes of migration 0130), and the first of those
# claimed unless messages are unsent, in one round trip. The UPDATE re-checks processed_at
# after waiting for a row another worker holds, so an event is never claimed twice.
# Run on the driver (models.db.on_driver), which reads JSON as JSON and the times as aware
# datetimes, as the tables' column types would.
_CLAIM_NEXT = """
WITH sender AS (
    SELECT user_key FROM webhook_event WHERE id = %(row_id)s
), unsent AS (
    SELECT %(with_unsent)s AND EXISTS (
        SELECT 1 FROM outbox_message o
        WHERE o.channel = 'line' AND o.user_key = (SELECT user_key FROM sender) AND o.status = 'pending') AS pending
), waiting AS (
    SELECT w.id, w.occurred_at FROM webhook_event w
    WHERE w.channel = 'line' AND w.user_key = (SELECT user_key FROM sender)
      AND w.processed_at IS NULL AND w.failed_at IS NULL
    ORDER BY w.occurred_at, w.id LIMIT 2
), claimed AS (
    UPDATE webhook_event e SET processed_at = %(now)s
    WHERE e.id = (SELECT id FROM waiting ORDER BY occurred_at, id LIMIT 1)
      AND NOT (SELECT pending FROM unsent)
      AND coalesce(e.processed_at, e.failed_at) IS NULL  -- not in the partial index's words, so the row is found by its key
    RETURNING e.id, e.event_id, e.payload, e.reply_token, e.occurred_at, e.received_at
), conv AS MATERIALIZED (
    SELECT v.id, v.state, v.open_intake_id, v.updated_at FROM conversation v
    WHERE v.channel = 'line' AND v.user_key = (SELECT user_key FROM sender)
    FOR UPDATE
)
SELECT s.user_key, (SELECT pending FROM unsent), (SELECT count(*) FROM waiting),
       c.id, c.event_id, c.payload, c.reply_token, c.occurred_at, c.received_at,
       v.id, v.state, v.open_intake_id, v.updated_at
FROM sender s LEFT JOIN claimed c ON true LEFT JOIN conv v ON true
"""


def _waiting_statement(with_unsent: bool):
    """SQLite: SELECT k, w.id, EXISTS(pending outbox rows of k)
       FROM (one row) LEFT JOIN the waiting events w of k ORDER BY w.occurred_at, w.id
    where k = (the user_key of the event row). One row with w.id NULL when nothing is
    waiting, and with k NULL too when the event row is gone."""
    sender = select(_events.c.user_key).where(_events.c.id == bindparam("row_id")).scalar_subquery()
    one_row = select(literal(1).label("one")).subquery("one_row")
    waiting = _events.alias("waiting")
    unsent = (select(_outbox.c.id).where(_outbox.c.channel == "line", _outbox.c.user_key == sender,
                                         _outbox.c.status == "pending").exists())
    return (
        select(sender, waiting.c.id, unsent if with_unsent else false())
        .select_from(one_row.outerjoin(waiting, (waiting.c.channel == "line") & (waiting.c.user_key == sender)
                                       & waiting.c.processed_at.is_(None) & waiting.c.failed_at.is_(None)))
        .order_by(waiting.c.occurred_at, waiting.c.id)
    )


_WAITING, _WAITING_WITH_UNSENT = _waiting_statement(False), _waiting_statement(True)


def answer_retry_key(event_id: str, seq: int) -> str:
    """X-Line-Retry-Key of the seq-th batch answering a LINE event: derived, not random."""
    return str(uuid.uuid5(_ANSWER_KEYS, f"{event_id}:{seq}"))


_ANSWER_KEYS = uuid.UUID("5b0c6c1e-2f5e-4b7a-9d0a-7473756e6167")  # namespace of answer retry keys


def group_crisis_answer(payload: dict) -> list:
    """A message in a group chat the account is in (events of no one-to-one user that are
    stored as waiting): no dialog there, but a crisis in it is answered with the numbers, by
    reply (there is no one to push to). Anything else: nothing."""
    words = group_text(payload)
    if words is None:
        return []
    found = classify(words)
    if not found.crisis:
        return []
    log.info("crisis in a group chat answered with the numbers (%s)", ",".join(found.crisis_kinds))
    return [group_crisis_message(found.crisis_kinds, "ja", runtime.current().settings.city_numbers)]


def _with_profile_language(conv, user_key: str, inp, sender):
    """At first contact (the follow, or a first message), LINE's profile language is the
    dialog's hint; one profile request per resident, none afterwards. None for a first message
    written in a language we can tell: the dialog goes by that language (dialogs.engine), and
    the request cost as much as the rest of the step (most first messages are Japanese)."""
    if sender is None or inp.lang or not never_heard_from(conv):
        return inp
    if inp.kind is InputKind.TEXT and languages.written_in(inp.text):
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
                                          [locks.lock_key(u) for u in one_event_per_user], once=False)
    return len(one_event_per_user)
