"""Other languages: which language a message is in, and small per-language lexicons.

`detect_language(text)` says which language a resident wrote in ("ja", "en", "zh", "vi", "pt",
"tl", "ne"; None when the text does not say: digits, emoji, a tag, one unknown word), so the
dialog can offer that language. It counts scripts first (kana -> Japanese, Devanagari ->
Nepali, Han without kana -> Chinese only with Chinese-only characters), then, for Latin text,
the function words listed in each `lexicon_<lang>.yaml` (`markers`) and letters only that
language uses (`letters`).

`foreign_matches(text, lang)` reads a message with the lexicon of its language (and the
English one for any Latin words): checklist ids and crisis kinds, the same ids and kinds as
the Japanese rules. The lexicons are data a city's interpreters can correct; each says who
checked it and when (`checked_by`, `checked_on`).

Pattern syntax in a lexicon: words separated by spaces; `~` lets up to three words (Latin) or
six characters (Chinese, Nepali) stand between; a trailing `*` matches any word ending
(suicid* = suicide, suicidal). Latin text and patterns are compared without accents and in
lower case (mình = minh), because residents often type without them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "zh", "vi", "pt", "tl", "ne")  # lexicon_<lang>.yaml; Japanese is the rule engine

_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN_WORD = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff']+")
_TAG = re.compile(r"<[^>]{0,200}>")


def fold(text: str) -> tuple[str, list[int]]:
    """Lower case without accents (đ -> d), with each folded character's index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in "đĐ":
            ch = "d"
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(c):
                continue
            for low in c.lower():
                out.append("'" if low in "’‘`´" else low)
                index.append(i)
    return "".join(out), index


@dataclass(frozen=True)
class Rule:
    regex: re.Pattern
    label: str  # checklist id or crisis kind
    group: str  # "category" | "crisis" | "block"


@dataclass
class Lexicon:
    lang: str
    script: str  # latin | han | devanagari
    markers: frozenset
    letters: str
    names: tuple
    rules: list
    anchors: tuple = ()
    unlike: frozenset = frozenset()  # function words of another language in the same script


def _compile(pattern: str, script: str) -> re.Pattern:
    latin = script == "latin"
    text = fold(pattern)[0] if latin else unicodedata.normalize("NFKC", pattern).lower()
    parts = []
    for i, chunk in enumerate(text.split("~")):
        words = chunk.split()
        if latin:
            body = r"\s+".join(re.escape(w[:-1]) + r"[\w']*" if w.endswith("*") else re.escape(w) for w in words)
        else:
            body = r"\s*".join(re.escape(w) for w in words)
        parts.append(body)
    gap = r"(?:\s+[\w']+){0,3}\s+" if latin else r".{0,6}?"
    body = gap.join(parts)
    return re.compile(r"(?<![\w'])" + body + r"(?![\w'])" if latin else body)


def _check_strings(data: dict, lang: str) -> None:
    """YAML reads a bare on / no / yes as a boolean: every entry must stay a string (quote it)."""
    lists = [data.get(k) or [] for k in ("markers", "names", "not", "anchors", "unlike")]
    lists += [v for g in ("categories", "crisis") for v in (data.get(g) or {}).values()]
    for entries in lists:
        for entry in entries:
            if not isinstance(entry, str):
                raise ValueError(f"lexicon_{lang}.yaml: {entry!r} must be a string (quote it)")


@lru_cache(maxsize=None)
def lexicon(lang: str) -> Lexicon:
    import yaml

    data = yaml.safe_load((HERE / f"lexicon_{lang}.yaml").read_text(encoding="utf-8"))
    _check_strings(data, lang)
    script = data["script"]
    rules: list[Rule] = []
    for group, key in (("category", "categories"), ("crisis", "crisis")):
        for label, patterns in (data.get(key) or {}).items():
            rules += [Rule(_compile(p, script), label, group) for p in patterns]
    rules += [Rule(_compile(p, script), "", "block") for p in data.get("not") or []]
    markers = frozenset((fold(m)[0] if script == "latin" else m) for m in data.get("markers") or [])
    names = tuple(fold(n)[0] if script == "latin" else n for n in data.get("names") or [])
    return Lexicon(lang, script, markers, data.get("letters", ""), names, rules, tuple(data.get("anchors") or ()),
                   frozenset(data.get("unlike") or ()))


# ---------------------------------------------------------------------------- detection

def detect_language(text: str) -> str | None:
    """The language a message is written in, or None when it cannot be told."""
    text = _TAG.sub(" ", text or "")
    if _KANA.search(text):
        return "ja"
    han = len(_HAN.findall(text))
    deva = len(_DEVANAGARI.findall(text))
    words = _LATIN_WORD.findall(text)
    latin = sum(len(w) for w in words)
    if deva and deva >= latin:
        return _nepali_or_unknown(text)
    if han and han * 2 >= latin:
        zh = lexicon("zh")
        weak = sum(text.count(c) for c in zh.markers)
        if any(c in zh.letters for c in text) or any(n in text for n in zh.names) \
                or (weak >= 2 and any(a in text for a in zh.anchors)):
            return "zh"
        return "ja"  # kanji alone (家賃滞納) is Japanese
    if not words:
        return None
    folded = fold(" ".join(words))[0]
    tokens = folded.split()
    best, best_score = None, 0
    for lang in ("en", "vi", "pt", "tl"):
        lex = lexicon(lang)
        score = sum(2 for t in tokens if t in lex.markers)
        score += 3 * sum(1 for c in " ".join(words).lower() if c in lex.letters)
        score += 4 * sum(1 for n in lex.names if n in folded)
        if score > best_score:
            best, best_score = lang, score
    return best


def _nepali_or_unknown(text: str) -> str | None:
    """Devanagari is Nepali here unless its function words are Hindi's (है, मुझे, नहीं):
    a Hindi writer is better left in the default than offered Nepali."""
    ne = lexicon("ne")
    words = re.findall(r"[\u0900-\u097f]+", text)
    own = sum(1 for w in words if w in ne.markers)
    other = sum(1 for w in words if w in ne.unlike)
    return None if other > own else "ne"


# ---------------------------------------------------------------------------- matching

@dataclass(frozen=True)
class ForeignMatch:
    label: str
    group: str  # "category" | "crisis"
    evidence: str  # as written


def foreign_matches(text: str, lang: str | None) -> list[ForeignMatch]:
    """Matches of the lexicon of `lang` (and of English and romaji for any Latin words) in the
    text; `lang` None (a language we cannot tell) reads the Latin words only."""
    wanted = []
    if lang in LANGUAGES:
        wanted.append(lang)
    if lang != "en" and _LATIN_WORD.search(text or "") and any(len(w) > 1 for w in _LATIN_WORD.findall(text)):
        wanted.append("en")
    if _LATIN_WORD.search(text or ""):
        wanted.append("romaji")  # Japanese in Latin letters: crisis phrases (lexicon_romaji.yaml)
    out: list[ForeignMatch] = []
    for code in wanted:
        lex = lexicon(code)
        if lex.script == "latin":
            view, index = fold(text)
        else:
            view = unicodedata.normalize("NFKC", text).lower()
            index = None
        found = []
        blocks = []
        for rule in lex.rules:
            for m in rule.regex.finditer(view):
                (blocks if rule.group == "block" else found).append((m.start(), m.end(), rule))
        for start, end, rule in found:
            if any(s < end and start < e and not (start <= s and e <= end) for s, e, _ in blocks):
                continue  # an idiom: "dying to see", "bored to death" (a phrase that holds it whole stays)
            if index is not None:
                evidence = text[index[start]:index[end - 1] + 1]
            else:
                evidence = view[start:end] if len(view) != len(text) else text[start:end]
            out.append(ForeignMatch(rule.label, rule.group, evidence))
    return out
