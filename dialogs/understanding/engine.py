"""Rule engine: Sudachi lemmas + a YAML lexicon -> categories, crisis kind, evidence.

How a message is read
---------------------
1. `normalize` (NFKC, width, small-kana / long-mark typos, common misspellings) keeps a
   map to the original characters, so evidence is cut out of the text as written.
2. Sudachi (dictionary "core", SplitMode.A) tokenises it; every token is compared by its
   normalized_form, dictionary_form and surface, so 払えない / 払えません / 支払いができず and
   kana spellings (たたかれる = 叩かれる) meet the same lexicon entry. All negation
   auxiliaries (ない, ず, ぬ, ん, 無い, なし) become one key, NEG.
   A message written in katakana (ｼﾆﾀｲ) is also read a second time folded to hiragana.
3. Lexicon entries are phrases (see lexicon.yaml for the syntax); each is tokenised once,
   at first use, with the same tokenizer, and indexed by its first token.
4. Negation: an entry marked negatable that is followed, in the same clause, only by
   particles / adverbs / nouns and then a negated existence (ない, ありません, していない,
   とは思わない, わけではない, 大丈夫 ...) is dropped: 「借金はない」 is not debt.
5. Crisis rules (crisis.yaml) are the same kind of phrases per kind, with idiom blockers
   (死ぬほど眠い, 殺人的な暑さ, 殴りたいくらい). Crises about other people are crises.
   Violence turns into child_abuse when the victim is a child, elder_abuse when the victim
   is old or disabled. Priority when several kinds match: CRISIS_PRIORITY.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .normalize import Normalized, hiragana_view, normalize, to_hiragana

HERE = Path(__file__).resolve().parent
CATEGORY_IDS = [
    "income", "rent_loan", "tax_utilities", "debt", "lending", "household_budget", "food",
    "housing", "job_search", "work_trouble", "mental", "health", "caregiving", "childcare",
    "hikikomori", "family", "community", "dv_abuse", "other",
]
# most urgent first: the first kind's numbers are shown first (see crisis.yaml for each kind)
CRISIS_PRIORITY = ["medical", "suicide", "child_abuse", "violence", "sexual_violence", "elder_abuse",
                   "welfare_check", "starvation"]
NEG = "\x00NEG"
GAP = 3  # content tokens a "~" may skip (particles and auxiliaries are free) ...
GAP_RAW = 6  # ... up to this many tokens in all

# ---------------------------------------------------------------------------- tokens

_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _dictionary().tokenizer(mode=SplitMode.A)
        _local.tokenizer = tok
    return tok


@dataclass(slots=True)
class Tok:
    surface: str
    start: int
    end: int
    norm: str
    base: str
    pos0: str
    pos1: str
    keys: frozenset
    reading: str = ""  # kana reading (hiragana)
    after_space: bool = False  # written after a space: 「きえたい　もうむり」 is two clauses

    @property
    def is_neg(self) -> bool:
        return NEG in self.keys


def _is_neg(surface: str, norm: str, base: str, pos0: str) -> bool:
    if pos0 == "助動詞" and base in ("ない", "ぬ", "ず", "ん", "へん", "ねえ", "ねー"):
        return True
    if pos0 == "形容詞" and norm == "無い":
        return True
    return norm in ("無し",) or surface in ("なし", "無し", "ナシ")


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    space = False
    for start, piece in _pieces(text):
        for m in _tokenizer().tokenize(piece):
            surface = m.surface()
            if not surface.strip():
                space = bool(toks)  # a space written as punctuation ends the clause for negation
                continue
            pos = m.part_of_speech()
            norm, base = m.normalized_form(), m.dictionary_form()
            keys = {norm, base, surface}
            if _is_neg(surface, norm, base, pos[0]):
                keys = {NEG}
            toks.append(Tok(surface, start + m.begin(), start + m.end(), norm, base, pos[0], pos[1],
                            frozenset(keys), to_hiragana(m.reading_form()), space))
            space = False
    return toks


# Sudachi refuses an input over 49,149 bytes (a character takes up to 4): a longer message (a
# forged webhook, a pasted document) raised SudachiError, and a 死にたい in it went unseen
PIECE_CHARS = 10_000


def _pieces(text: str):
    """(start, piece) of at most PIECE_CHARS characters, cut after a sentence where one ends."""
    start = 0
    while len(text) - start > PIECE_CHARS:
        cut = max(text.rfind(mark, start, start + PIECE_CHARS) for mark in "。．！？!?\n")
        end = cut + 1 if cut > start else start + PIECE_CHARS
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _is_boundary(t: Tok) -> bool:
    """Clause boundary: punctuation, or a conjunctive particle other than て/で."""
    if t.pos0 == "補助記号" and t.surface not in ("「", "」", "『", "』", "・", "(", ")", "~", "ー"):
        return True
    if t.pos1 == "接続助詞" and t.base not in ("て", "で", "ば"):
        return True
    return t.surface in ("けど", "けれど", "けれども", "のに", "が、")


def _is_sentence_end(t: Tok) -> bool:
    return t.surface in ("。", "!", "?", "\n", "…") or t.surface.startswith(("。", "!", "?"))


# ---------------------------------------------------------------------------- patterns

_ALT = re.compile(r"\{([^{}]*)\}")


def _expand(pattern: str) -> list[str]:
    m = _ALT.search(pattern)
    if not m:
        return [pattern]
    out: list[str] = []
    for alt in m.group(1).split("|"):
        out.extend(_expand(pattern[: m.start()] + alt + pattern[m.end():]))
    return out


@dataclass(slots=True)
class Pattern:
    label: str  # category id or crisis kind
    group: str  # "category" | "crisis" | "block" | "other"
    source: str
    segments: list  # list[list[frozenset]] token key sets; [] for surface patterns
    surface: str | None
    negatable: bool
    categories: tuple = ()
    ends_in_noun: bool = True
    needs_child: bool = False  # crisis rule: kept only when a child is mentioned
    requires: str | None = None  # crisis rule: kept only when this "req" group matches too
    text_not: tuple = ()  # crisis rule: dropped when one of these occurs in the message
    kana: bool = False  # matched on the kana reading of the message (しにたい = 死にたい)


_KANA_ONLY = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー]+$")


def _pattern_key(t: Tok) -> frozenset:
    """Which text tokens a pattern token matches.

    Written in dictionary form (殴る, 払う): every conjugation, and kana/kanji spellings
    (たたく = 叩く) through Sudachi's normalized form. Written conjugated (死のう): that
    form only. A potential verb (眠れる) does not widen to its plain verb (眠る -> 寝る).
    """
    if t.is_neg:
        return t.keys
    if t.pos0 in ("動詞", "形容詞", "助動詞") and t.surface != t.base:
        return frozenset({t.surface})
    keys = {t.base}
    if len(t.base) == len(t.norm) or _KANA_ONLY.match(t.base) or _KANA_ONLY.match(t.norm):
        keys.add(t.norm)
    return frozenset(keys)


# particles that Sudachi splits when they stand alone in a pattern (まで -> ま|で)
_PARTICLES = {"まで", "から", "だけ", "しか", "のみ", "ほど", "くらい", "ぐらい", "より", "など", "ばかり", "さえ", "すら"}


def _pattern_tokens(segment: str) -> list[frozenset]:
    if segment in _PARTICLES:
        return [frozenset({segment})]
    return [_pattern_key(t) for t in tokenize(normalize(segment).text)]


def compile_patterns(entries, label, group, negatable=True, categories=()) -> list[Pattern]:
    pats: list[Pattern] = []
    for entry in entries or []:
        if not isinstance(entry, str):
            raise ValueError(f"lexicon entry for {label} must be a string (quote it): {entry!r}")
        for src in _expand(entry):
            neg = negatable
            if src.startswith("!"):  # never negated (resources: 収入がない is still income)
                neg, src = False, src[1:]
            if src.startswith("="):
                surf = normalize(src[1:]).text
                pats.append(Pattern(label, group, src, [], surf, neg, tuple(categories)))
                continue
            parts = [s for s in src.split("~") if s]
            last = tokenize(normalize(parts[-1]).text) if parts else []
            segs = [_pattern_tokens(s) for s in parts]
            segs = [s for s in segs if s]
            if segs:
                noun = bool(last) and last[-1].pos0 in ("名詞", "代名詞", "形状詞", "接尾辞")
                pats.append(Pattern(label, group, src, segs, None, neg, tuple(categories), noun))
    return pats


@dataclass(slots=True)
class Match:
    pattern: Pattern
    start: int  # normalised-text offsets
    end: int
    first: int  # token indices [first, last]
    last: int


_LIGHT = {"有る", "居る", "為る", "ます", "何", "も", "全然", "全く", "もう", "まだ", "とても", "本当"}


def _match_at(toks: list[Tok], i: int, segs: list) -> tuple[int, int] | None:
    """Match segments starting exactly at token i; returns (first, last) token index."""
    pos = i
    last = -1
    for si, seg in enumerate(segs):
        if si == 0:
            cands = [pos]
        else:
            cands = []
            content = 0
            for k in range(pos, min(pos + GAP_RAW + 1, len(toks))):
                cands.append(k)
                t = toks[k]
                if _is_boundary(t):
                    break
                if t.pos0 not in ("助詞", "助動詞", "接頭辞", "接尾辞") and t.norm not in _LIGHT:
                    content += 1
                    if content > GAP:
                        break
        found = None
        for c in cands:
            if c + len(seg) > len(toks):
                break
            if all(p & toks[c + j].keys for j, p in enumerate(seg)):
                found = c
                break
        if found is None:
            return None
        last = found + len(seg) - 1
        pos = last + 1
    return i, last


# ---------------------------------------------------------------------------- negation

_NEG_SKIP_ADV = {"特に", "全く", "全然", "一切", "別に", "もう", "今", "今のところ", "まだ", "そんなに",
                 "あまり", "余り", "何", "何も", "今は", "現在", "今後"}
_NEG_EXIST_VERBS = {"有る", "居る", "為る", "困る", "抱える", "思う", "考える", "受ける", "無い",
                    "成る", "言う", "悩む", "感じる", "振るう", "遭う", "掛かる"}
_NEG_OK_NOUNS_AFTER = {"大丈夫", "平気", "問題無い", "無関係", "無縁", "ゼロ", "0"}


def negated_after(toks: list[Tok], j: int) -> bool:
    """Is the phrase ending at token j denied in its clause? (借金はない, 暴力はありません)"""
    k = j + 1
    n = len(toks)
    steps = 0
    while k < n and steps < 9:
        t = toks[k]
        if t.after_space:
            return False  # きえたい　だれもいない: the space ended the clause
        if t.is_neg:
            nxt = toks[k + 1] if k + 1 < n else None
            if nxt is not None and nxt.surface in ("か", "かな", "かしら", "かも", "だろう", "でしょう"):
                return False  # 叩かれているのではないか: a worry, not a denial
            return True
        if t.surface in ("しか", "ほか", "以外"):
            return False  # 寝るしかない: no denial
        if t.norm in _NEG_OK_NOUNS_AFTER or t.surface in _NEG_OK_NOUNS_AFTER:
            return True
        if _is_boundary(t):
            return False
        if t.pos0 in ("助詞", "副詞", "接頭辞", "接尾辞", "連体詞") or t.norm in _NEG_SKIP_ADV:
            pass
        elif t.pos0 == "助動詞" and t.base in ("だ", "です", "ます", "た", "てる", "れる", "られる"):
            pass
        elif t.pos0 in ("名詞", "代名詞", "形状詞"):
            pass
        elif t.pos0 == "動詞" and t.norm in _NEG_EXIST_VERBS and t.surface not in ("言え", "いえ"):
            pass  # (殴られたとは誰にも言えない is a secret, not a denial)
        else:
            return False
        k += 1
        steps += 1
    return False


# ---------------------------------------------------------------------------- lexicon


def _cues(words) -> list[str]:
    """Substring cues, normalised; katakana ones also folded to hiragana (the second view)."""
    out: list[str] = []
    for w in words or []:
        n = normalize(w)
        for v in (n.text, hiragana_view(n).text):
            if v not in out:
                out.append(v)
    return out


class Lexicon:
    def __init__(self) -> None:
        lex = yaml.safe_load((HERE / "lexicon.yaml").read_text(encoding="utf-8"))
        crisis = yaml.safe_load((HERE / "crisis.yaml").read_text(encoding="utf-8"))
        pats: list[Pattern] = []
        for cid, spec in lex["categories"].items():
            if cid not in CATEGORY_IDS:
                raise ValueError(f"unknown category id in lexicon.yaml: {cid}")
            pats += compile_patterns(spec.get("words"), cid, "category", True)
            pats += compile_patterns(spec.get("always"), cid, "category", False)
            pats += compile_patterns(spec.get("weak"), cid, "weak", True)
            pats += compile_patterns(spec.get("soft"), cid, "soft", True)
            pats += compile_patterns(spec.get("not"), cid, "block", False)
        pats += compile_patterns(lex.get("worry_markers"), "other", "other", True)
        self.greetings = [normalize(g).text for g in lex.get("greetings", [])]
        for n, rule in enumerate(crisis["rules"]):
            kind = rule["kind"]
            if kind not in CRISIS_PRIORITY:
                raise ValueError(f"unknown crisis kind in crisis.yaml: {kind}")
            cats = rule.get("categories", [])
            rule_pats = compile_patterns(rule.get("patterns"), kind, "crisis", True, cats)
            rule_pats += compile_patterns(rule.get("always"), kind, "crisis", False, cats)
            req = None
            if rule.get("requires"):
                req = f"req{n}"
                pats += compile_patterns(rule["requires"], req, "req", False)
            text_not = tuple(_cues(rule.get("text_not", [])))
            for entry in rule.get("kana") or []:
                for src in _expand(entry):
                    # 「いきててもしょうがない」 carries its own ない: it is no denial
                    neg_ok = not any(w in src for w in ("しょうが", "しかた", "いみ", "かち", "きりょく", "むだ", "いいこと"))
                    kp = Pattern(kind, "crisis", src, [], to_hiragana(normalize(src).text), neg_ok,
                                 tuple(cats), kana=True)
                    rule_pats.append(kp)
            for p in rule_pats:
                p.needs_child = bool(rule.get("needs_child"))
                p.requires = req
                p.text_not = text_not
            pats += rule_pats
            pats += compile_patterns(rule.get("not"), kind, "block", False)
        ctx = crisis["context"]
        self.child_strong = set(ctx["child_strong"])
        self.child_weak = set(ctx["child_weak"])
        self.child_age_cues = [normalize(c).text for c in ctx["child_age_cues"]]
        self.minor_writer_cues = [normalize(c).text for c in ctx["minor_writer_cues"]]
        self.past_cues = _cues(ctx["past_cues"])
        self.resolved_cues = _cues(ctx["resolved_cues"])
        self.earlier_cues = _cues(ctx["earlier_cues"])
        self.hypothetical_cues = _cues(ctx["hypothetical_cues"])
        self.kin = set(ctx["kin"])
        self.not_kin_cues = _cues(ctx["not_kin_cues"])
        self.elder_cues = set(ctx["elder_cues"])
        self.elder_victim_cues = _cues(ctx["elder_victim_cues"])
        self.elder_victim_nouns = set(ctx["elder_victim_nouns"])
        self.elder_facility_cues = _cues(ctx["elder_facility_cues"])
        self.elder_writer_cues = _cues(ctx["elder_writer_cues"])
        self.care_cues = _cues(ctx["care_cues"])
        self.care_over_cues = _cues(ctx["care_over_cues"])
        self.disclaimer_cues = _cues(ctx["disclaimer_cues"])
        self.affirm_before_disclaimer = _cues(ctx["affirm_before_disclaimer"])
        self.fiction_cues = _cues(ctx["fiction_cues"])
        self.need_past_cues = _cues(ctx["need_past_cues"])
        self.helper_cues = _cues(ctx["helper_cues"])
        self.bereaved_cues = _cues(ctx.get("bereaved_cues", []))
        self.stopped_cues = _cues(ctx["stopped_cues"])
        self.relapse_cues = _cues(ctx["relapse_cues"])
        self.play_fight_cues = _cues(ctx["play_fight_cues"])
        self.serious_cues = _cues(ctx["serious_cues"])
        self.joke_cues = _cues(ctx["joke_cues"])
        self.laugh_marks = _cues(ctx["laugh_marks"])
        self.surface_patterns = [p for p in pats if p.surface is not None and not p.kana]
        self.kana_patterns = [p for p in pats if p.kana]
        self.index: dict[str, list[Pattern]] = {}
        for p in pats:
            if p.surface is None:
                for key in p.segments[0][0]:
                    self.index.setdefault(key, []).append(p)
        self.size = len(pats)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


def find_matches(lex: Lexicon, toks: list[Tok], text: str) -> list[Match]:
    out: list[Match] = []
    seen: set = set()
    present: set = set().union(*(t.keys for t in toks)) if toks else set()
    possible: dict[int, bool] = {}  # every word of the pattern is somewhere in the message
    for i, t in enumerate(toks):
        cands: list[Pattern] = []
        for key in t.keys:
            cands.extend(lex.index.get(key, ()))
        for p in cands:
            ok = possible.get(id(p))
            if ok is None:
                ok = possible[id(p)] = all(not w.isdisjoint(present) for seg in p.segments for w in seg)
            if not ok:
                continue  # most candidates stop here, before the token walk
            r = _match_at(toks, i, p.segments)
            if r is None:
                continue
            first, last = r
            sig = (id(p), first, last)
            if sig in seen:
                continue
            seen.add(sig)
            out.append(Match(p, toks[first].start, toks[last].end, first, last))
    if lex.kana_patterns and toks:
        out += _kana_matches(lex, toks, text)
    for p in lex.surface_patterns:
        start = text.find(p.surface)
        while start >= 0:
            end = start + len(p.surface)
            first = next((k for k, t in enumerate(toks) if t.end > start), len(toks) - 1)
            last = next((k for k in range(len(toks) - 1, -1, -1) if toks[k].start < end), first)
            out.append(Match(p, start, end, first, max(first, last)))
            start = text.find(p.surface, end)
    return out


def _kana_matches(lex: Lexicon, toks: list[Tok], text: str) -> list[Match]:
    """Crisis phrases written in kana (きえたい, いきててもしょうがない, しんだほうがまし) are
    looked up in two kana strings: the text as written folded to hiragana, and the reading
    Sudachi gives every token (so 生きてても仕方ない and いきててもしかたない meet one entry,
    whatever lemma Sudachi guessed for the kana)."""
    out: list[Match] = []
    hira = to_hiragana(text)
    # reading string with a token index per character
    rchars: list[str] = []
    ridx: list[int] = []
    for k, t in enumerate(toks):
        r = t.reading if t.reading and t.pos0 != "補助記号" else t.surface
        if t.after_space:
            r = " " + r
        rchars.append(r)
        ridx.extend([k] * len(r))
    reading = "".join(rchars)
    starts = [t.start for t in toks]
    start_set = set(starts)
    seen: set = set()
    for p in lex.kana_patterns:
        for s, idx in ((hira, None), (reading, ridx)):
            pos = s.find(p.surface)
            while pos >= 0:
                end = pos + len(p.surface)
                # a phrase starts where a word starts (not わたしのうち for しのう)
                at_word = pos in start_set if idx is None else (pos == 0 or idx[pos - 1] != idx[pos] or s[pos - 1] == " ")
                if not at_word:
                    pos = s.find(p.surface, pos + 1)
                    continue
                if idx is None:
                    first = max(0, bisect_right(starts, pos) - 1)
                    last = max(first, bisect_left(starts, end) - 1)
                else:
                    first, last = idx[pos], idx[end - 1]
                sig = (id(p), first, last)
                if sig not in seen:
                    seen.add(sig)
                    out.append(Match(p, toks[first].start, toks[last].end, first, last))
                pos = s.find(p.surface, end)
    return out
