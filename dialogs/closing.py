"""What a resident is told at the end, matching what they answered (no promise of a call to
someone who wants none or said calling is unsafe, no consent hint to a resident who was never
asked for consent), and the buttons offered while staff have their intake open."""
from __future__ import annotations

from datetime import datetime

from .messages import Choice
from .office_hours import office_hours_sentence, web_chat_reaches_staff, web_session_hours
from .prompts import nav
from .texts import text

METHODS = ("line", "chat", "phone", "office", "visit", "letter", "none")
# consents a resident gives by answering a consent question (not by choosing how to be reached)
ASKED_CONSENTS = ("share", "meeting")


def _reach_keys(payload: dict, now: datetime) -> list[str]:
    contact = payload.get("contact") or {}
    method = contact.get("method")
    web_too_late = payload.get("channel") == "web" and not web_chat_reaches_staff(now)
    if method not in METHODS:
        if payload.get("channel") == "web":
            return ["reach_arrange_self" if web_too_late else "reach_web"]
        return ["reach_line_unasked"]
    if contact.get("safety") == "unsafe":  # no call, visit or letter to the home
        keys = ["reach_unsafe"]
    else:
        keys = [f"reach_{method}"]
    if contact.get("arrange") in ("phone", "self"):
        keys.append(f"reach_arrange_{contact['arrange']}")
    elif contact.get("arrange") or contact.get("safety") == "unsafe":
        # here (this LINE / this chat), or asked for a person before saying how: staff will wait
        keys.append("reach_arrange_self" if web_too_late else "reach_arrange_here")
    elif method == "chat" and web_too_late:
        keys = ["reach_arrange_self"]
    return keys


def closing_text(payload: dict, now: datetime, receipt_no: str) -> str:
    lang = payload["lang"]
    head = "wants_person_done" if payload["wants_person"] else "done"
    lines = [
        text(lang, f"messages.{head}", receipt_no=receipt_no),
        office_hours_sentence(now, lang),
        *(text(lang, f"messages.{key}") for key in _reach_keys(payload, now)),
    ]
    if payload.get("channel") == "web":  # replies reach only this browser, for a while
        lines.append(text(lang, "messages.web_replies", hours=web_session_hours()))
    if payload.get("crisis"):
        lines.append(text(lang, "messages.done_crisis"))
    if any(payload["consents"].get(p, {}).get("granted") for p in ASKED_CONSENTS):
        lines.append(text(lang, "messages.withdraw_hint"))
    return "\n".join(lines)


def followup_buttons(lang: str) -> list[Choice]:
    return [nav(lang, "new"), nav(lang, "human")]
