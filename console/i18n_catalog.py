"""Keep the console's translation files in step with the Japanese wording.

    python -m console.i18n_catalog          # add new wording to every .po, mark removed wording obsolete

The Japanese wording is collected from the console templates (`_()` and `{% trans %}`), from
`t()` / `_()` calls in console/*.py, and from the values of the console's wording YAML files
(WORDING_FILES). A translator then fills the empty msgstr lines (Poedit or any editor) and
writes their name and the date in the file's header (Last-Translator, PO-Revision-Date).
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from console.i18n import CATALOGS, CJK, LANGS

ROOT = Path(__file__).resolve().parent.parent
# staff wording kept as data; notices.yaml (resident messages) and demo data are not console wording
WORDING_FILES = ("case.yaml", "referral.yaml", "stats.yaml", "admin.yaml", "settings.yaml", "replies.yaml",
                 "edge.yaml", "contact.yaml")
METHODS = [("**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do", "newstyle_gettext": "true"}}
KEYWORDS = {"_": None, "_l": None, "t": None, "gettext": None, "lazy_gettext": None, "flash": None}
# modules whose Japanese constants (label tables, error texts) reach the page as data
DATA_MODULES = ("views/labels.py", "views/queue.py", "auth.py", "casepage.py", "referral_views.py", "replies.py",
                "views/referrals.py", "views/failed_events.py")
# wording printed from values the code computes (chart axes of a fiscal year)
COMPUTED = [f"{month}月" for month in range(1, 13)]
LITERAL = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")
EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def _yaml_strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _yaml_strings(value)
    elif isinstance(node, str) and CJK.search(node):
        yield node


def wording() -> dict[str, list[str]]:
    """Every Japanese msgid of the console -> where it comes from."""
    found: dict[str, list[str]] = {}
    sources = [(ROOT / "templates", ["console/**.html", "base.html"]), (ROOT / "console", ["**.py"])]
    for folder, patterns in sources:
        methods = [(p, m) for p in patterns for q, m in METHODS if p.endswith(q.removeprefix("**"))]
        for filename, lineno, message, _comments, _context in extract_from_dir(
                folder, methods, OPTIONS, KEYWORDS, strip_comment_tags=True):
            if isinstance(message, str) and CJK.search(message):
                found.setdefault(message, []).append(f"{folder.name}/{filename}:{lineno}")
    for path in sorted((ROOT / "templates").glob("console/**/*.html")):
        # string literals inside expressions ({{ 'はい' if x else 'いいえ' }}) reach the page as values
        for expression in EXPRESSION.findall(path.read_text(encoding="utf-8")):
            for single, double in LITERAL.findall(expression):
                text = single or double
                if CJK.search(text) and not re.search(r"\b_\(\s*['\"]" + re.escape(text), expression):
                    found.setdefault(text, []).append(f"templates/{path.relative_to(ROOT / 'templates')}")
    for name in DATA_MODULES:
        tree = ast.parse((ROOT / "console" / name).read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and CJK.search(node.value)):
                found.setdefault(node.value, []).append(f"console/{name}")
    for text in COMPUTED:
        found.setdefault(text, []).append("console/stats.py")
    for name in WORDING_FILES:
        data = yaml.safe_load((ROOT / "console" / "data" / name).read_text(encoding="utf-8"))
        for text in _yaml_strings(data):
            found.setdefault(text, []).append(f"console/data/{name}")
    return found


def po_path(lang: str) -> Path:
    return CATALOGS / lang / "LC_MESSAGES" / "messages.po"


def update() -> None:
    source = wording()
    for lang in LANGS[1:]:
        path = po_path(lang)
        with path.open("rb") as f:
            old = read_po(f, locale=lang)
        new = Catalog(locale=lang, project="Tsunagu console", header_comment=old.header_comment, fuzzy=False,
                      creation_date=old.creation_date, version=old.version,
                      last_translator=old.last_translator, revision_date=old.revision_date,
                      language_team=old.language_team)
        for msgid, places in source.items():
            kept = old.get(msgid)
            new.add(msgid, kept.string if kept else "", locations=[(p.rsplit(":", 1)[0], None) for p in places[:3]],
                    flags=("python-format",) if re.search(r"%\(\w+\)s", msgid) else ())
        with path.open("wb") as f:
            write_po(f, new, width=0, omit_header=False, no_location=False, include_lineno=False)
        missing = sum(1 for m in new if m.id and not m.string)
        print(f"{path.relative_to(ROOT)}: {len(new)} messages, {missing} without a translation")


if __name__ == "__main__":
    update()
    sys.exit(0)
