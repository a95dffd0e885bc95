"""POST /callback: verify the signature over the raw body, store each event once, enqueue, 200.

No LINE API call happens on this path; the worker answers.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app
from flask import request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models import WebhookEvent
from models.db import session_scope
from workers import runtime
from workers.events import process_line_events

from .inputs import user_id

log = logging.getLogger(__name__)
bp = Blueprint("line", __name__)


@bp.post("/callback")
def callback():
    signature = request.headers.get("X-Line-Signature")
    if not signature:
        abort(400, "missing X-Line-Signature")
    body = request.get_data(as_text=True)
    parser = WebhookParser(current_app.config["TSUNAGU"].line_channel_secret)
    try:
        parser.parse(body, signature)
    except InvalidSignatureError:
        abort(403, "bad signature")
    except (ValueError, KeyError, TypeError):
        abort(400, "malformed webhook body")
    try:
        events = json.loads(body).get("events") or []
    except (ValueError, AttributeError):
        abort(400, "malformed webhook body")
    users = store_events(events)
    enqueue_users(users)
    return "OK", 200


def store_events(events: list[dict]) -> dict[str, int]:
    """Insert each event keyed by webhookEventId; a redelivered one is skipped.
    Returns {LINE user id: row id of one new event of theirs}."""
    users: dict[str, int] = {}
    for event in events:
        event_id = event.get("webhookEventId")
        if not event_id:
            continue
        key = user_id(event)
        try:
            with session_scope() as session:
                if session.exec(select(WebhookEvent.id).where(WebhookEvent.event_id == event_id)).first():
                    log.info("event %s already stored (redelivery)", event_id)
                    continue
                row = WebhookEvent(
                    event_id=event_id,
                    channel="line",
                    user_key=key or "-",
                    payload=event,
                    reply_token=event.get("replyToken"),
                    occurred_at=_event_time(event),
                )
                session.add(row)
                session.flush()
                row_id = row.id
        except IntegrityError:  # the same event arriving twice at the same moment
            log.info("event %s already stored (concurrent redelivery)", event_id)
            continue
        if key and key not in users:
            users[key] = row_id
    return users


def enqueue_users(users: dict[str, int]) -> None:
    jobs = runtime.current().jobs
    for row_id in users.values():
        try:
            jobs.enqueue(process_line_events, row_id)
        except Exception:
            # the events are stored: the inbox sweep will pick them up when the queue is back
            log.exception("could not enqueue a job; the stored events wait for the inbox sweep")


def _event_time(event: dict) -> datetime:
    millis = event.get("timestamp")
    if isinstance(millis, (int, float)):
        return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
    return datetime.now(timezone.utc)
