"""The web chat: the same conversation as LINE, for residents without a LINE account.

A browser is request/response, so each message is stored, stepped and answered in one
request. A message id from the page makes a double-click or a retried request harmless.
"""
from __future__ import annotations

import re
import secrets

from flask import Blueprint, current_app, jsonify, render_template, request, session
from sqlmodel import select

from dialogs.messages import Input, InputKind
from models import OutboxMessage, WebhookEvent
from models.base import utcnow
from models.db import session_scope
from workers.conversation import handle_input
from workers.locks import user_lock

bp = Blueprint("web_chat", __name__)
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
MAX_TEXT = 5000


@bp.get("/chat")
def page():
    return render_template("chat/index.html")


def _visitor() -> str:
    if "chat_visitor" not in session:
        session["chat_visitor"] = secrets.token_hex(16)
        session.permanent = True
    return session["chat_visitor"]


def _input(body: dict) -> Input | None:
    kind = body.get("type")
    if kind == "start":
        return Input(InputKind.START)
    if kind == "text" and isinstance(body.get("text"), str) and body["text"].strip():
        return Input(InputKind.TEXT, text=body["text"][:MAX_TEXT])
    if kind == "choice" and isinstance(body.get("value"), str) and body["value"]:
        return Input(InputKind.CHOICE, value=body["value"][:300])
    return None


@bp.post("/chat/api/messages")
def send():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="JSON body expected"), 400
    message_id = body.get("id")
    if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
        return jsonify(error="id: 8-40 letters, digits, - or _"), 400
    inp = _input(body)
    if inp is None:
        return jsonify(error="type must be start, text (with text) or choice (with value)"), 400
    visitor = _visitor()
    event_id = f"web-{visitor[:8]}-{message_id}"
    settings = current_app.config["TSUNAGU"]
    with user_lock("web", visitor):
        with session_scope() as db:
            done = db.exec(select(OutboxMessage).where(OutboxMessage.event_id == event_id)).first()
            if done is not None:  # the same message again: answer as before, change nothing
                return jsonify(messages=done.messages)
            now = current_app.config.get("CLOCK", utcnow)()
            db.add(WebhookEvent(event_id=event_id, channel="web", user_key=visitor,
                                payload=body, occurred_at=now, received_at=now, processed_at=now))
            replies = handle_input(db, "web", visitor, inp, now, settings.coordinator_label)
            payload = [m.to_dict() for m in replies]
            db.add(OutboxMessage(channel="web", user_key=visitor, event_id=event_id, messages=payload,
                                 status="sent", sent_via="web", sent_at=now))
    return jsonify(messages=payload)

