"""Wording lookup. All resident-facing text lives in data/<lang>.yaml."""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import yaml

from .messages import Choice

DATA = Path(__file__).parent / "data"
LANGUAGES = ("ja", "en")


@cache
def load_yaml(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def wording(lang: str) -> dict:
    return load_yaml(f"{lang if lang in LANGUAGES else 'ja'}.yaml")


def text(lang: str, dotted_key: str, **values) -> str:
    node = wording(lang)
    for part in dotted_key.split("."):
        node = node[part]
    return node.format(**values) if values else node


def choices(lang: str, name: str, exclude: tuple[str, ...] = ()) -> list[Choice]:
    return [Choice(c["label"], str(c["value"])) for c in wording(lang)["choices"][name] if str(c["value"]) not in exclude]


def choice_label(lang: str, name: str, value: str | None) -> str:
    for c in wording(lang)["choices"][name]:
        if str(c["value"]) == value:
            return c["label"]
    return text(lang, "summary.unknown")


def normalise(raw: str) -> str:
    """Fold width, case and spaces so typed commands and button labels compare equal."""
    folded = unicodedata.normalize("NFKC", raw).casefold()
    return "".join(folded.split()).strip("。.!！?？")


@cache
def command_words() -> dict[str, frozenset[str]]:
    """Commands work whatever language the conversation is in."""
    merged: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for command, words in wording(lang)["commands"].items():
            merged.setdefault(command, set()).update(normalise(w) for w in words)
        merged.setdefault("human", set()).add(normalise(wording(lang)["nav"]["human"]))
        merged.setdefault("back", set()).add(normalise(wording(lang)["nav"]["back"]))
    return {k: frozenset(v) for k, v in merged.items()}


def command_for(raw: str) -> str | None:
    norm = normalise(raw)
    for command, words in command_words().items():
        if norm in words:
            return command
    return None
