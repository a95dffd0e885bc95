"""The emergency-numbers answer to a crisis, as one neutral message.

Kept apart from the step function so a channel can still answer a crisis with the numbers
when anything after it (storing the intake, the conversation state) fails.
"""
from __future__ import annotations

import re

from .messages import Message
from .texts import load_yaml, text


def about_someone_else(raw: str) -> bool:
    """A report of someone else's danger (「母が 死にたいと 言っています」), before the
    resident said who they are."""
    return any(re.search(pattern, raw) for pattern in load_yaml("reporting.yaml")["about_other"])


def crisis_message(kinds: list[str], lang: str, about_other: bool = False, counter: dict | None = None) -> Message:
    """Numbers for every kind found, most urgent kind first, each number once; for a reporter,
    how to stay with the person and when to call. `counter`: {number, operator} of the
    counter itself, shown last with its hours."""
    numbers = load_yaml("emergency_numbers.yaml")
    keys = list(dict.fromkeys(key for kind in kinds for key in numbers["kinds"].get(kind, ())))
    lines = [_line(numbers["numbers"][key], lang) for key in keys if key in numbers["numbers"]]
    if counter:
        office = load_yaml("office.yaml")
        lines.append(text(lang, "messages.crisis_line", number=counter["number"], name=text(
            lang, "messages.counter_name", operator=counter["operator"], open=office["open"], close=office["close"])))
    suffix = "_other" if about_other else ""
    body = "\n".join([text(lang, f"messages.crisis_header{suffix}"), *lines,
                      text(lang, f"messages.crisis_footer{suffix}")])
    return Message(body, (), "crisis")


def _line(entry: dict, lang: str) -> str:
    """「☎ number  name（hours）」; a number that is not open around the clock says when it is."""
    name = entry.get(lang) or entry["ja"]
    hours = entry.get("hours")
    if isinstance(hours, dict) and (hours.get(lang) or hours.get("ja")):
        name = f"{name}（{hours.get(lang) or hours['ja']}）" if lang == "ja" else f"{name} ({hours.get(lang) or hours['ja']})"
    return text(lang, "messages.crisis_line", number=entry["number"], name=name)


def emergency_reply(raw: str, lang: str = "ja") -> list[Message]:
    """The crisis answer for a text on its own (no conversation), or [] when it is no crisis.
    For fallbacks: when a step cannot complete, a resident in danger still gets the numbers."""
    from .understanding import classify

    found = classify(raw)
    return [crisis_message(list(found.crisis_kinds), lang)] if found.crisis else []
