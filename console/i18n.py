"""The staff console in Japanese (the default) or English, with Flask-Babel.

Japanese is the source language: templates keep their Japanese wording wrapped in `_()`
and `{% trans %}`, so a template still reads as the screen staff see. The English wording is
console/translations/en/LC_MESSAGES/messages.po; it is compiled in memory when the first app
starts, so there is no .mo to build or commit (a clean clone and `pip install -e .` work).

Wording that reaches a template as data (console/data/*.yaml, the label tables of
console/views/labels.py, flash messages) passes through the same catalog at the template
boundary: a printed value that is exactly a msgid is shown translated; anything else
(residents' words, names, agencies) is printed as it is.

Who reads English: a staff member who picked it with the header switch (a cookie of its own,
so the choice survives logging in, which starts a fresh session, and the 30-minute idle end);
without a pick, the browser's Accept-Language is a hint; otherwise Japanese. Only /console
pages follow it: the resident's web chat has its own language choice (dialogs/).
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Blueprint, Flask, abort, has_request_context, redirect, request, url_for
from flask_babel import Babel, Domain, get_locale
from flask_babel import gettext as _gettext
from markupsafe import Markup

from dialogs import checklist

LANGS = ("ja", "en")  # the console's languages; the first is the default
DEFAULT = LANGS[0]
COOKIE = "tsunagu_console_lang"
COOKIE_DAYS = 365
CATALOGS = Path(__file__).resolve().parent / "translations"
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

bp = Blueprint("console_lang", __name__, url_prefix="/console")


@lru_cache(maxsize=None)
def catalog(lang: str) -> NullTranslations:
    """The compiled catalog of one language (fuzzy and empty entries fall back to Japanese)."""
    po = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as f:
        messages = read_po(f, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    translations = Translations(compiled, domain="messages")
    # the checklist's items are translated once, for residents (dialogs/data/checklist.yaml)
    for item_id in checklist.item_ids():
        translations._catalog.setdefault(checklist.item_label(item_id, DEFAULT), checklist.item_label(item_id, lang))
    return translations


class _InMemoryDomain(Domain):
    def get_translations(self):
        locale = get_locale()
        return catalog(str(locale)) if locale is not None and str(locale) != DEFAULT else NullTranslations()


def current() -> str:
    """The language of the page being drawn: "ja" outside a request (exports, workers, CLI)."""
    if not has_request_context():
        return DEFAULT
    locale = get_locale()
    return str(locale) if locale is not None else DEFAULT


def select() -> str:
    if not request.path.startswith("/console"):
        return DEFAULT
    picked = request.cookies.get(COOKIE)
    if picked in LANGS:
        return picked
    return request.accept_languages.best_match(LANGS, default=DEFAULT) or DEFAULT


def t(text: str, **values) -> str:
    """Wording built in Python: translated, then filled with str.format (YAML's {name} style)."""
    translated = _gettext(text) if text else text
    return translated.format(**values) if values else translated


def _finalize(value):
    """Every printed value: a Japanese wording from data shown in the page's language."""
    if type(value) is str and value and not isinstance(value, Markup) and CJK.search(value):
        return _gettext(value)
    return value


@bp.post("/lang")
def choose():
    lang = request.form.get("lang", "")
    if lang not in LANGS:
        abort(400)
    from console.auth import safe_next  # a local path only: never an open redirect

    response = redirect(safe_next(request.form.get("next")) or url_for("auth.login"))
    response.set_cookie(COOKIE, lang, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=request.is_secure, path="/console")
    return response


def init_app(app: Flask) -> None:
    babel = Babel(app, default_locale=DEFAULT, locale_selector=select)
    babel.domain_instance = _InMemoryDomain()
    app.jinja_env.finalize = _finalize
    app.jinja_env.globals.update(console_langs=LANGS, console_lang=current)
    app.jinja_env.filters["tr"] = lambda value: t(value) if isinstance(value, str) else value
    app.register_blueprint(bp)
