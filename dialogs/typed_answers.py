"""Typed answers to button questions, understood from data (flow.yaml + each language's
`typed:` words): 「70歳です」 / "I'm 30" → the age band, 「半年くらい前から」 → the since band,
「孫です」 / 「手紙でお願いします」 → the offered choice whose typed words match once polite
endings are taken off. Returns a button value that is on offer, or None (then the buttons
are shown again and the words kept, as before)."""
from __future__ import annotations

import re

from .messages import Choice
from .texts import load_yaml, normalise, short_forms

KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def understood(raw: str, offered: list[Choice], question: str) -> str | None:
    """The value of an offered button for `question` (its state's name) the text means."""
    values = {c.value for c in offered}
    band = None
    if question == "age":
        band = _band(_age(raw), "age_bands")
    elif question == "since":
        band = _band(_months(raw), "since_bands")
    if band is not None:
        value = f"{question}:{band}"
        return value if value in values else None
    return _by_typed_words(raw, offered)


def _config() -> dict:
    return load_yaml("flow.yaml")


def _text(raw: str) -> str:
    return normalise(raw).translate(KANJI_DIGITS).replace("十", "10")


def _age(raw: str) -> float | None:
    text = _text(raw)
    numbers = [float(n) for n in NUMBER.findall(text)]
    if len(numbers) != 1 or not 0 <= numbers[0] <= 120:
        return None  # none, or a range / a phone number: not for us to guess
    age = numbers[0]
    if re.search(r"\d+代", text):  # 「30代」: only when the whole decade is one band
        bands = {_band(age, "age_bands"), _band(age + 9, "age_bands")}
        return age if len(bands) == 1 else None
    return age


def _months(raw: str) -> float | None:
    text = _text(raw)
    units = _config()["since_units"]
    for unit in sorted(units, key=len, reverse=True):
        found = re.search(r"(\d+(?:\.\d+)?)" + re.escape(normalise(unit)), text)
        if found:
            months = float(found.group(1)) * units[unit]
            return months + (6 if unit == "年" and "年半" in text else 0)
    words = _config()["since_words"]
    for word in sorted(words, key=len, reverse=True):
        if normalise(word) in text:
            return float(words[word])
    return None


def _band(value: float | None, table: str) -> str | None:
    if value is None:
        return None
    reached = [band for band, lower in _config()[table].items() if value >= lower]
    return reached[-1] if reached else None


def _stripped(raw: str) -> list[str]:
    """The text, then the text with known prefixes / polite endings taken off, step by step."""
    config = _config()
    prefixes = sorted({normalise(p) for p in config["typed_prefixes"]} - {""}, key=len, reverse=True)
    endings = sorted({normalise(e) for e in config["typed_endings"]} - {""}, key=len, reverse=True)
    forms, text = [], normalise(raw)
    while text and text not in forms:
        forms.append(text)
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
                break
        else:
            for ending in endings:
                if text.endswith(ending) and len(text) > len(ending):
                    text = text[: -len(ending)]
                    break
    return forms


def _by_typed_words(raw: str, offered: list[Choice]) -> str | None:
    forms = _stripped(raw)
    matches = []
    for choice in offered:
        suffix = choice.value.split(":", 1)[-1]
        label = normalise(choice.label.removeprefix("✓ "))
        words = short_forms().get(suffix, frozenset()) | {label}
        if any(form in words for form in forms):
            matches.append(choice.value)
    return matches[0] if len(set(matches)) == 1 else None


def name_in(raw: str) -> str:
    """The name in 「民生委員の鈴木です」 / 「鈴木と申します」: the courtesy and a role before
    「の」 are taken off (flow.yaml `name_endings`, `name_prefix`); "" when nothing is left or
    what is left is a reply word (そう, はい …), not a name."""
    config = _config()
    name = raw.strip().rstrip("。.！!、 　")
    for ending in config["name_endings"]:
        if name.endswith(ending) and len(name) > len(ending):
            name = name[: -len(ending)]
            break
    name = re.sub(config["name_prefix"], "", name).strip()
    return "" if name in config["not_names"] else name
