"""The web chat: the same conversation as LINE, for residents without a LINE account.

A browser is request/response, so each message is stored, stepped and answered in one
request. A message id from the page makes a double-click or a retried request harmless.

A crisis is answered with the emergency numbers even when handling the message fails:
the answer comes from the text alone, the words are kept, and the next message of the same
visitor tries them again first.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime

from flask import Blueprint, current_app, jsonify, render_template, request, session
from sqlmodel import select
from werkzeug.exceptions import TooManyRequests

from bot.sanitize import clean_text, json_body
from console import ratelimit
from dialogs.crisis_reply import emergency_reply
from dialogs.messages import Input, InputKind, Message
from dialogs.texts import LANGUAGES, wording
from models import Conversation, OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.db import get_engine, session_scope
from workers.conversation import handle_input
from workers.errors import describe
from workers.locks import user_lock

from . import visitor as visitors

log = logging.getLogger(__name__)
bp = Blueprint("web_chat", __name__)
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
MAX_TEXT = 5000  # the page's textarea holds as much; LINE allows the same
MAX_VALUE = 64  # button values are short ids like "checklist:caregiving"


@bp.get("/chat")
def page():
    # a reload keeps the language the resident chose (read only: a page view starts no conversation)
    known = session.get("chat_visitor")
    lang = _language(known) if isinstance(known, str) else "ja"
    return render_template("chat/index.html", frame=wording(lang)["web_frame"], lang=lang)


def _input(body: dict) -> Input | None:
    kind = body.get("type")
    if kind == "start":  # the browser's language, used if this is the visitor's first contact
        return Input(InputKind.START, lang=request.accept_languages.best_match(LANGUAGES) or "")
    if kind == "text" and isinstance(body.get("text"), str):
        words = clean_text(body["text"])[:MAX_TEXT]
        return Input(InputKind.TEXT, text=words) if words.strip() else None
    if kind == "choice" and isinstance(body.get("value"), str):
        value = clean_text(body["value"])[:MAX_VALUE]
        return Input(InputKind.CHOICE, value=value) if value else None
    return None


def _stored(inp: Input) -> dict:
    """Only the fields we use are kept: never the rest of whatever JSON a client sent."""
    if inp.kind is InputKind.TEXT:
        return {"type": "text", "text": inp.text}
    if inp.kind is InputKind.CHOICE:
        return {"type": "choice", "value": inp.value}
    return {"type": "start"}


def _from_stored(payload: dict) -> Input | None:
    return _input(payload) if isinstance(payload, dict) else None


def event_key(visitor: str, message_id: str) -> str:
    """The inbox key of one visitor's message: the same id from another visitor is another key."""
    # 4 + 16 + 1 + 40 characters: fits the 64 of the inbox key; the lookup also checks the visitor
    return f"web-{hashlib.sha256(visitor.encode()).hexdigest()[:16]}-{message_id}"


@bp.post("/chat/api/messages")
def send():
    visitor = visitors.current()
    try:
        # 429 with a kind message (and the numbers for a crisis): a flood never reaches the queue
        with ratelimit.chat_message(new_visitor=visitors.is_new()):
            return _send(visitor)
    except TooManyRequests:
        _keep_refused_crisis(visitor)
        if visitors.is_new():
            visitors.forget()  # a refused new conversation must not open later in the same cookie
        raise


def _keep_refused_crisis(visitor: str) -> None:
    """A crisis refused by a limit is still answered with the numbers (console/hardening.py)
    and kept for staff as a message that could not be handled (処理できなかったメッセージ),
    where an admin can put it back in line; a budget per address keeps a flood bounded."""
    body = json_body(request)
    inp = _input(body) if isinstance(body, dict) else None
    if inp is None or inp.kind is not InputKind.TEXT or not emergency_reply(inp.text):
        return
    message_id = body.get("id") if isinstance(body.get("id"), str) and MESSAGE_ID.match(body["id"]) else None
    event_id = event_key(visitor, message_id or secrets.token_hex(8))
    if not ratelimit.room_to_keep_refused_crisis():
        log.warning("refused crisis message %s not kept: budget for its address spent", event_id)
        return
    _keep_unprocessed(visitor, event_id, inp, utcnow(), error="rate_limited")


def _send(visitor: str):
    body = json_body(request)
    if not isinstance(body, dict):
        return jsonify(error="JSON body expected"), 400
    message_id = body.get("id")
    if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
        return jsonify(error="id: 8-40 letters, digits, - or _"), 400
    inp = _input(body)
    if inp is None:
        return jsonify(error="type must be start, text (with text) or choice (with value)"), 400
    event_id = event_key(visitor, message_id)
    now = current_app.config.get("CLOCK", utcnow)()
    # several web processes serve one visitor: the lock must be shared, not per process
    with user_lock("web", visitor, engine=get_engine(), timeout=20):
        try:
            payload = _handle(visitor, event_id, inp, now)
        except Exception as exc:  # the resident still gets an answer; the words wait for a retry
            log.error("web chat event %s failed: %s", event_id, describe(exc))
            payload = _answer_anyway(visitor, event_id, inp, now)
    lang = _language(visitor)  # the page's header, placeholder and button follow the resident's language
    return jsonify(messages=payload, lang=lang, frame=wording(lang)["web_frame"])


def _language(visitor: str) -> str:
    try:
        with session_scope() as db:
            conv = db.exec(select(Conversation).where(Conversation.channel == "web",
                                                      Conversation.user_key == visitor)).first()
        lang = (conv.state or {}).get("lang") if conv is not None else None
    except Exception as exc:  # the answer matters more than the frame's language
        log.error("web chat language could not be read: %s", describe(exc))
        lang = None
    return lang if lang in LANGUAGES else "ja"


def _handle(visitor: str, event_id: str, inp: Input, now: datetime) -> list[dict]:
    settings = current_app.config["TSUNAGU"]
    retry_waiting(visitor, settings.coordinator_label)
    with session_scope() as db:
        done = db.exec(select(OutboxMessage).where(
            OutboxMessage.event_id == event_id, OutboxMessage.user_key == visitor)).first()
        if done is not None:  # the same message again: answer as before, change nothing
            return done.messages
        db.add(WebhookEvent(event_id=event_id, channel="web", user_key=visitor, payload=_stored(inp),
                            occurred_at=now, received_at=now, processed_at=now))
        replies = handle_input(db, "web", visitor, inp, now, settings.coordinator_label)
        payload = [m.to_dict() for m in replies]
        db.add(OutboxMessage(channel="web", user_key=visitor, event_id=event_id, messages=payload,
                             status="sent", sent_via="web", sent_at=now))
    return payload


def retry_waiting(visitor: str, coordinator: str) -> None:
    """Messages of this visitor that failed before are handled first, in order, each once
    more; one that fails again is set aside (kept for staff) so it cannot block the chat."""
    with session_scope() as db:
        waiting = db.exec(select(WebhookEvent.id).where(
            WebhookEvent.channel == "web", WebhookEvent.user_key == visitor,
            WebhookEvent.processed_at.is_(None)).order_by(WebhookEvent.id)).all()
    for row_id in waiting:
        try:
            with session_scope() as db:
                event = db.get(WebhookEvent, row_id)
                inp = _from_stored(event.payload)
                if inp is not None:
                    handle_input(db, "web", visitor, inp, as_utc(event.occurred_at), coordinator)
                event.processed_at = utcnow()
                db.add(event)
        except Exception as exc:
            log.error("web chat event row %s failed again: %s", row_id, describe(exc))
            with session_scope() as db:
                event = db.get(WebhookEvent, row_id)
                event.processed_at = utcnow()
                db.add(event)


def _answer_anyway(visitor: str, event_id: str, inp: Input, now: datetime) -> list[dict]:
    """Numbers first when the text is a crisis, then an apology with the counter's number;
    the words are stored unprocessed so the next message retries them."""
    lang = _language(visitor)
    messages: list[Message] = []
    if inp.kind is InputKind.TEXT:
        try:
            messages.extend(emergency_reply(inp.text, lang))
        except Exception as exc:
            log.error("crisis check for web chat event %s raised %s", event_id, describe(exc))
    messages.append(visitors.apology(lang))
    _keep_unprocessed(visitor, event_id, inp, now)
    return [m.to_dict() for m in messages]


def _keep_unprocessed(visitor: str, event_id: str, inp: Input, now: datetime, error: str | None = None) -> None:
    """Store the words once, unprocessed, for a later try (`error` set: set aside for staff
    under 処理できなかったメッセージ); a failure to store is logged, never raised."""
    try:
        with session_scope() as db:
            if db.exec(select(WebhookEvent.id).where(WebhookEvent.event_id == event_id)).first() is None:
                db.add(WebhookEvent(event_id=event_id, channel="web", user_key=visitor, payload=_stored(inp),
                                    occurred_at=now, received_at=now, processed_at=None,
                                    failed_at=now if error else None, error=error))
    except Exception as exc:
        log.error("web chat event %s could not be kept: %s", event_id, describe(exc))
