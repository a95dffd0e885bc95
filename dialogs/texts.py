"""Wording lookup. All resident-facing text lives in data/<lang>.yaml."""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import yaml

from .messages import Choice

DATA = Path(__file__).parent / "data"
# choice lists that steer the conversation (their labels say nothing about the worry)
CONTROL_LISTS = ("confirm", "quit_confirm", "resume", "consent", "voicemail", "edit", "withdraw_confirm")


# libyaml's loader when the wheel has it: the same safe subset, about ten times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_yaml(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as f:
        return yaml.load(f, Loader=_LOADER)  # noqa: S506 - a safe loader


def preload() -> None:
    """Read every wording file now (a worker at start-up), not in the first resident's reply."""
    for entry in language_table():
        load_yaml(entry["file"])
    for path in sorted(DATA.glob("*.yaml")):
        load_yaml(path.name)


def language_table() -> list[dict]:
    """data/languages.yaml: code, own name, file, other names; the menu order."""
    return load_yaml("languages.yaml")["languages"]


# every language a resident can choose (data: a city adds one by adding a file)
LANGUAGES = tuple(entry["code"] for entry in language_table())


def wording(lang: str) -> dict:
    files = {entry["code"]: entry["file"] for entry in language_table()}
    return load_yaml(files.get(lang, "ja.yaml"))


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


def _hiragana(value: str) -> str:
    """カタカナ -> ひらがな, so ﾓﾄﾞﾙ / モドル / もどる compare equal."""
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in value)


def normalise(raw: str) -> str:
    """Fold width, case, kana and spaces so typed commands and button labels compare equal."""
    folded = _hiragana(unicodedata.normalize("NFKC", raw).casefold())
    return "".join(folded.split()).strip("。.!！?？、,")


@cache
def command_words() -> dict[str, frozenset[str]]:
    """Commands work whatever language the conversation is in."""
    merged: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for command, words in wording(lang)["commands"].items():
            merged.setdefault(command, set()).update(normalise(w) for w in words)
        merged.setdefault("human", set()).add(normalise(wording(lang)["nav"]["human"]))
        merged.setdefault("back", set()).add(normalise(wording(lang)["nav"]["back"]))
    for entry in language_table():  # a language's own name typed alone switches to it
        names = [entry["name"], *entry.get("also", ())]
        merged.setdefault(f"language_{entry['code']}", set()).update(normalise(n) for n in names)
    return {k: frozenset(v) for k, v in merged.items()}


def command_for(raw: str) -> str | None:
    norm = normalise(raw)
    for command, words in command_words().items():
        if norm in words:
            return command
    return None


@cache
def short_forms() -> dict[str, frozenset[str]]:
    """Button value -> the short words residents type for it (はい, 送信, つぎへ, 本人 …)."""
    merged: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for value, words in wording(lang)["typed"].items():
            merged.setdefault(str(value), set()).update(normalise(w) for w in words)
    return {k: frozenset(v) for k, v in merged.items()}


@cache
def control_words() -> frozenset[str]:
    """Every button label, short form and command word: typed alone, it is never a worry."""
    words: set[str] = set()
    for lang in LANGUAGES:
        w = wording(lang)
        for name in CONTROL_LISTS:
            words.update(normalise(c["label"]) for c in w["choices"][name])
        words.update(normalise(label) for label in w["nav"].values())
    for group in (command_words(), short_forms()):
        for forms in group.values():
            words.update(forms)
    return frozenset(words - {""})


@cache
def choice_labels() -> frozenset[str]:
    """Every button label of every question, in every language (「40〜64歳」, 「本人（自分のこと）」)."""
    office = load_yaml("office.yaml")
    words: set[str] = set()
    for lang in LANGUAGES:
        w = wording(lang)
        for items in w["choices"].values():
            words.update(normalise(c["label"].format(open=office["open"], close=office["close"])) for c in items)
        words.update(normalise(label) for label in w["nav"].values())
    return frozenset(words - {""})


def is_a_label(raw: str) -> bool:
    """A button's label typed (or pasted) where words were asked: an answer to another question."""
    norm = normalise(raw)
    return norm in choice_labels() or norm in control_words()


def is_control_word(raw: str) -> bool:
    return normalise(raw) in control_words()


def typed_choice(raw: str, offered: list[Choice]) -> str | None:
    """The value of the offered button the resident typed, by its label or a short form."""
    typed = normalise(raw)
    if not typed:
        return None
    for choice in offered:
        label = normalise(choice.label.removeprefix("✓ "))
        suffix = choice.value.split(":", 1)[-1]
        if typed in (label, normalise(suffix)) or typed in short_forms().get(suffix, ()):
            return choice.value
    return None
