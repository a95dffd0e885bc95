"""What a resident is told at the end, matching what they answered (no promise of a call to
someone who wants none or said calling is unsafe, no consent hint to a resident who was never
asked for consent), and the buttons offered while staff have their intake open."""
from __future__ import annotations

from datetime import datetime

from .messages import Choice
from .office_hours import office_hours_sentence
from .prompts import nav
from .texts import load_yaml, text

METHODS = ("line", "chat", "phone", "office", "visit", "letter", "none")
# consents a resident gives by answering a consent question (not by choosing how to be reached)
ASKED_CONSENTS = ("share", "meeting")


def _reach_keys(payload: dict) -> list[str]:
    contact = payload.get("contact") or {}
    method = contact.get("method")
    if method not in METHODS:
        return ["reach_web" if payload.get("channel") == "web" else "reach_line_unasked"]
    if contact.get("safety") == "unsafe":  # no call, visit or letter to the home
        keys = ["reach_unsafe"]
    else:
        keys = [f"reach_{method}"]
    if contact.get("arrange"):
        keys.append("reach_arrange_phone" if contact["arrange"] == "phone" else "reach_arrange_here")
    elif contact.get("safety") == "unsafe":  # asked for a person before saying how: staff will wait
        keys.append("reach_arrange_here")
    return keys


def web_session_hours() -> int:
    """How long a web-chat browser can still see staff replies after its last message."""
    return load_yaml("flow.yaml")["web_session_hours"]


def closing_text(payload: dict, now: datetime, receipt_no: str) -> str:
    lang = payload["lang"]
    head = "wants_person_done" if payload["wants_person"] else "done"
    lines = [
        text(lang, f"messages.{head}", receipt_no=receipt_no),
        office_hours_sentence(now, lang),
        *(text(lang, f"messages.{key}") for key in _reach_keys(payload)),
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
