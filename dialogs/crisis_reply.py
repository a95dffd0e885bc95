"""The emergency-numbers answer to a crisis, as one neutral message.

Kept apart from the step function so a channel can still answer a crisis with the numbers
when anything after it (storing the intake, the conversation state) fails.
"""
from __future__ import annotations

from .messages import Message
from .texts import load_yaml, text


def crisis_message(kinds: list[str], lang: str) -> Message:
    """Numbers for every kind found, most urgent kind first, each number once."""
    numbers = load_yaml("emergency_numbers.yaml")
    keys = list(dict.fromkeys(key for kind in kinds for key in numbers["kinds"].get(kind, ())))
    lines = [
        text(lang, "messages.crisis_line", number=numbers["numbers"][key]["number"],
             name=numbers["numbers"][key].get(lang) or numbers["numbers"][key]["ja"])
        for key in keys
    ]
    body = "\n".join([text(lang, "messages.crisis_header"), *lines, text(lang, "messages.crisis_footer")])
    return Message(body, (), "crisis")


def emergency_reply(raw: str, lang: str = "ja") -> list[Message]:
    """The crisis answer for a text on its own (no conversation), or [] when it is no crisis.
    For fallbacks: when a step cannot complete, a resident in danger still gets the numbers."""
    from .understanding import classify

    found = classify(raw)
    return [crisis_message(list(found.crisis_kinds), lang)] if found.crisis else []
