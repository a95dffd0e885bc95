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


CHILD_AGES = (None, "under_18", "unknown")


def crisis_message(kinds: list[str], lang: str, about_other: bool = False,
                   city_numbers: dict[str, str] | None = None, age: str | None = None) -> Message:
    """Numbers for every kind found, most urgent kind first, each number once; for a reporter,
    how to stay with the person (not when it is abuse: the abuser may be near; not when it is
    a welfare check: the reporter cannot reach them, so how to ask for a safety check) and
    when to call. A number that is the city's own (`setting` in the data) comes from `city_numbers`
    {setting name: number}; unset, it is left out. `age`: the person's age band, when known
    (lines for children are left out of an adult's answer, see `for_children`)."""
    lines = _number_lines(kinds, lang, city_numbers, adult=age not in CHILD_AGES)
    abuse = set(kinds) & set(load_yaml("emergency_numbers.yaml")["abuse_kinds"])
    # a welfare check is always about someone else, whoever the writer said they are
    welfare = "welfare_check" in kinds and not abuse and (about_other or kinds[0] == "welfare_check")
    suffix = "_other" if about_other or welfare else ""
    footer = "_other_danger" if about_other and abuse else "_other_welfare" if welfare else suffix
    body = "\n".join([text(lang, f"messages.crisis_header{suffix}"), *lines,
                      text(lang, f"messages.crisis_footer{footer}")])
    return Message(body, (), "crisis")


def group_crisis_message(kinds: list[str], lang: str, city_numbers: dict[str, str] | None = None) -> Message:
    """A crisis written in a group chat the account is in: the header and the numbers only (the
    usual footer offers to go on "here", and the dialog is for one-to-one chats)."""
    lines = _number_lines(kinds, lang, city_numbers)
    return Message("\n".join([text(lang, "messages.crisis_header"), *lines]), (), "crisis")


def directory_message(lang: str, city_numbers: dict[str, str] | None = None) -> Message:
    """Every number, for the rich menu's 緊急の連絡先: a directory, not an answer to a crisis."""
    kinds = list(load_yaml("emergency_numbers.yaml")["kinds"])
    body = "\n".join([text(lang, "messages.emergency_header"), *_number_lines(kinds, lang, city_numbers)])
    return Message(body, (), "crisis")


def _number_lines(kinds: list[str], lang: str, city_numbers: dict[str, str] | None,
                  adult: bool = False) -> list[str]:
    numbers = load_yaml("emergency_numbers.yaml")
    for_children = numbers.get("for_children", {})
    keys = list(dict.fromkeys(key for kind in kinds for key in numbers["kinds"].get(kind, ())
                              if not (adult and key in for_children.get(kind, ()))))
    lines = []
    for key in keys:
        entry = numbers["numbers"].get(key)
        if entry is None:
            continue
        number = (city_numbers or {}).get(entry["setting"]) if entry.get("setting") else entry.get("number")
        if number:
            lines.append(_line(entry, number, lang))
    return lines


def _line(entry: dict, number: str, lang: str) -> str:
    """「☎ number  name（hours）」: a number that does not answer around the clock says when it does."""
    name = entry.get(lang) or entry["ja"]
    hours = entry.get("hours")
    when = (hours.get(lang) or hours.get("ja")) if isinstance(hours, dict) else None
    if when:
        name = f"{name}（{when}）" if lang in ("ja", "zh") else f"{name} ({when})"
    return text(lang, "messages.crisis_line", number=number, name=name)


def emergency_reply(raw: str, lang: str = "ja") -> list[Message]:
    """The crisis answer for a text on its own (no conversation), or [] when it is no crisis.
    For fallbacks: when a step cannot complete, a resident in danger still gets the numbers."""
    from .understanding import classify

    found = classify(raw)
    return [crisis_message(list(found.crisis_kinds), lang)] if found.crisis else []
