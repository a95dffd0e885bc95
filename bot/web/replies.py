"""Staff replies for a web-chat resident: the chat page asks for them when it opens and now
and then while open. Rows wait in the outbox (channel "web", status "pending") until the
visitor's page fetches them; then they are marked sent. Read-only about the visitor: no
cookie is created here, and a visitor id past the chat's resume window gets nothing (a shared
device: whoever sits down later must not see the previous resident's replies)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, session
from sqlalchemy import update
from sqlmodel import select

from models import OutboxMessage
from models.base import utcnow
from models.db import session_scope

from .visitor import RESUME_WINDOW  # past it the browser is a stranger

bp = Blueprint("web_replies", __name__)


def _known_visitor() -> str | None:
    visitor = session.get("chat_visitor")
    if not isinstance(visitor, str):
        return None
    seen = session.get("chat_seen")
    now = current_app.config.get("CLOCK", utcnow)().timestamp()
    if isinstance(seen, (int, float)) and now - seen > RESUME_WINDOW.total_seconds():
        return None
    return visitor


@bp.get("/chat/api/replies")
def pending():
    visitor = _known_visitor()
    if visitor is None:
        return jsonify(messages=[])
    now = utcnow()
    with session_scope() as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.channel == "web", OutboxMessage.user_key == visitor,
                                                   OutboxMessage.status == "pending")
                       .order_by(OutboxMessage.id)).all()
        messages = [m for row in rows for m in row.messages]
        if rows:
            # compare-and-set: two open tabs never both show (and mark) the same reply
            taken = db.execute(update(OutboxMessage)
                               .where(OutboxMessage.id.in_([r.id for r in rows]), OutboxMessage.status == "pending")
                               .values(status="sent", sent_via="web", sent_at=now, attempts=OutboxMessage.attempts + 1)
                               .execution_options(synchronize_session=False))
            if taken.rowcount != len(rows):
                db.rollback()
                return jsonify(messages=[])
    return jsonify(messages=messages)
