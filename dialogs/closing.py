"""What a resident is told at the end, matching what they answered (no promise of a call to
someone who wants none, no consent hint to a reporter who was never asked), and the buttons
offered while staff have their intake open."""
from __future__ import annotations

from datetime import datetime

from .messages import Choice
from .office_hours import office_hours_sentence
from .prompts import nav
from .texts import text


def _reach_key(payload: dict) -> str:
    method = (payload.get("contact") or {}).get("method")
    if method in ("line", "phone", "office", "visit", "none"):
        return f"reach_{method}"
    return "reach_web" if payload.get("channel") == "web" else "reach_line_unasked"


def closing_text(payload: dict, now: datetime, receipt_no: str) -> str:
    lang = payload["lang"]
    head = "wants_person_done" if payload["wants_person"] else "done"
    lines = [
        text(lang, f"messages.{head}", receipt_no=receipt_no),
        office_hours_sentence(now, lang),
        text(lang, f"messages.{_reach_key(payload)}"),
    ]
    if payload.get("crisis"):
        lines.append(text(lang, "messages.done_crisis"))
    if any(c.get("granted") for c in payload["consents"].values()):
        lines.append(text(lang, "messages.withdraw_hint"))
    return "\n".join(lines)


def followup_buttons(lang: str) -> list[Choice]:
    return [nav(lang, "new"), nav(lang, "human")]
