"""Choosing the resident's language: the menu behind the language button, a channel's hint
(LINE profile language, the browser's Accept-Language), and the one-tap offer when a resident
writes in another language than the conversation's. The list itself is data/languages.yaml."""
from __future__ import annotations

from .messages import Choice, Message
from .texts import LANGUAGES, language_table, normalise, wording

CHOICE_PREFIX = "lang:"  # button value of a language in the menu or an offer: lang:zh


def known(code: str | None) -> str | None:
    """The language code we have wording for, from a hint such as "zh-TW", "pt_BR" or "EN"."""
    if not code or not isinstance(code, str):
        return None
    base = normalise(code).replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def own_name(code: str) -> str:
    return next(entry["name"] for entry in language_table() if entry["code"] == code)


def button(code: str) -> Choice:
    return Choice(own_name(code), CHOICE_PREFIX + code)


def picked(value: str) -> str | None:
    """The language of a tapped menu or offer button (lang:vi), or None."""
    return known(value.removeprefix(CHOICE_PREFIX)) if value.startswith(CHOICE_PREFIX) else None


def menu(current: str) -> Message:
    """One line per language, each in its own words (the resident may not read the current
    one), and one button per language: fits a LINE quick reply (13)."""
    order = [current, *(c for c in LANGUAGES if c != current)]
    prompt = "\n".join(wording(code)["prompts"]["language"] for code in order)
    return Message(prompt, tuple(button(code) for code in LANGUAGES))


def offer_text(code: str) -> str:
    """「中文で続けられます」 in the language the resident wrote in."""
    return wording(code)["messages"]["language_offer"]


def written_in(raw: str) -> str | None:
    """The language a message is written in, when it is one we have wording for."""
    try:
        from .understanding import detect_language
    except ImportError:  # the classifier's language detection is not there yet
        return None
    return known(detect_language(raw)) if raw and raw.strip() else None
