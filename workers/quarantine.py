"""Set aside an event that keeps failing, so one bad event never blocks a resident.

The event is marked failed (it stays stored for staff: console "処理できなかったメッセージ"),
and the resident is told at once: the emergency numbers first if their text was a crisis,
then a short apology with the counter's number. Their later events go through as usual.
"""
from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import yaml
from sqlmodel import select

from bot.line.inputs import NO_USER
from bot.line.render import render_batches
from dialogs.messages import Message
from models import Conversation, OutboxMessage, WebhookEvent
from models.base import utcnow
from models.db import session_scope

log = logging.getLogger(__name__)
APOLOGY = Path(__file__).parent / "data" / "apology.yaml"


@cache
def _wording() -> dict:
    return yaml.safe_load(APOLOGY.read_text(encoding="utf-8"))


def apology(lang: str, phone: str | None) -> Message:
    texts = _wording().get(lang) or _wording()["ja"]
    body = texts["with_phone"].format(phone=phone) if phone else texts["without_phone"]
    return Message(body, (), "info")


def answer_for(payload: dict, lang: str, phone: str | None) -> list[Message]:
    """What a resident whose message failed is told: numbers if it was a crisis, the apology."""
    messages: list[Message] = []
    message = payload.get("message") if isinstance(payload, dict) else None
    if isinstance(message, dict) and message.get("type") == "text" and isinstance(message.get("text"), str):
        try:
            from dialogs.crisis_reply import emergency_reply

            messages.extend(emergency_reply(message["text"], lang))
        except Exception as exc:  # the apology must go out even if the classifier cannot run
            log.error("crisis check for a failed event raised %s", type(exc).__name__)
    messages.append(apology(lang, phone))
    return messages


def quarantine(row_id: int, error: str, phone: str | None) -> None:
    """Mark the event failed and queue the answer; if even the answer cannot be stored, the
    event is still set aside (a later event must not wait behind it)."""
    try:
        _quarantine(row_id, error, phone, answer=True)
    except Exception as exc:
        log.error("event row %s: could not store the apology (%s); set aside without it", row_id, type(exc).__name__)
        _quarantine(row_id, error, phone, answer=False)


def _quarantine(row_id: int, error: str, phone: str | None, answer: bool) -> None:
    with session_scope() as session:
        event = session.get(WebhookEvent, row_id)
        if event is None or event.processed_at is not None:
            return
        event.failed_at, event.error = utcnow(), error[:64]
        session.add(event)
        log.warning("event %s set aside after %d attempts (%s)", event.event_id, event.attempts, event.error)
        if not answer or event.user_key == NO_USER:
            return
        lang = _language(session, event)
        for seq, batch in enumerate(render_batches(answer_for(event.payload, lang, phone))):
            session.add(OutboxMessage(
                channel=event.channel, user_key=event.user_key, event_id=event.event_id, seq=seq,
                messages=batch, reply_token=event.reply_token if seq == 0 else None,
            ))


def _language(session, event: WebhookEvent) -> str:
    conv = session.exec(select(Conversation).where(
        Conversation.channel == event.channel, Conversation.user_key == event.user_key)).first()
    state = conv.state if conv is not None and isinstance(conv.state, dict) else {}
    return state.get("lang") if state.get("lang") in ("ja", "en") else "ja"


def release(row_id: int) -> bool:
    """Put a failed event back in line (the console's retry button). True if it was failed."""
    with session_scope() as session:
        event = session.get(WebhookEvent, row_id)
        if event is None or event.failed_at is None or event.processed_at is not None:
            return False
        event.failed_at, event.error, event.attempts = None, None, 0
        session.add(event)
    return True
