"""Who is chatting: a random visitor id in the signed session cookie, short-lived on purpose.

Web chat runs on shared devices (a library PC, a family tablet). The cookie ends with the
browser session and the id is dropped after `RESUME_WINDOW` without a message, so whoever
picks up the browser later starts a new conversation instead of being offered 続きから with
the previous resident's words.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, session

from dialogs.office_hours import web_session_hours
from dialogs.messages import Message
from models.base import utcnow

# 続きから is offered after the dialog's resume_after_minutes (30) of silence; past this
# window the browser is a stranger. Partial answers left behind are wiped by the expiry sweep.
# The resident is told this span at the end of the intake (dialogs/data/flow.yaml).
RESUME_WINDOW = timedelta(hours=web_session_hours())


def _now() -> float:
    return current_app.config.get("CLOCK", utcnow)().timestamp()


def current() -> str:
    now = _now()
    seen = session.get("chat_seen")
    fresh = not isinstance(seen, (int, float)) or now - seen > RESUME_WINDOW.total_seconds()
    if fresh or not isinstance(session.get("chat_visitor"), str):
        session["chat_visitor"] = secrets.token_hex(16)
        g.chat_new_visitor = True  # counted against the address's new-conversation limit
    session["chat_seen"] = now
    session.permanent = False  # a browser-session cookie, never the 31-day default
    return session["chat_visitor"]


def is_new() -> bool:
    """Whether this request started a new conversation (no or an expired chat cookie)."""
    return bool(g.get("chat_new_visitor"))


def forget() -> None:
    """This browser is nobody yet: its next message counts as a new conversation again."""
    session.pop("chat_visitor", None)
    session.pop("chat_seen", None)


def apology(lang: str) -> Message:
    """The same apology LINE residents get when their message could not be handled."""
    from workers import runtime
    from workers.quarantine import apology as failed_message_apology

    return failed_message_apology(lang, runtime.current().settings.office_phone)
