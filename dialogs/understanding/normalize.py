"""Text normalisation that keeps a map back to the original text.

Every character of the normalised string knows which span of the original text it came
from, so evidence phrases found in the normalised text can be cut out of the text *as the
resident wrote it* (the UI highlights them).
"""
from __future__ import annotations

import re
import unicodedata

_COMBINING_MARKS = {"\u3099", "\u309a"}  # (han)dakuten after NFKC of half-width kana
_SMALL_TO_BIG = str.maketrans("ぁぃぅぇぉ", "あいうえお")
# small vowels legitimately follow these kana in hiragana spellings (ふぁ, てぃ, でぃ, うぃ)
_SMALL_OK_AFTER = set("ふてでうゔ")
_LONG_MARKS = {"ー", "〜", "～", "-"}

# frequent misspellings / casual spellings -> standard spelling (applied on normalised text,
# same length replacements only are not required: offsets are remapped char by char)
MISSPELLINGS = {
    "しにたぃ": "しにたい",
    "死にたぃ": "死にたい",
    "殴られてる": "殴られている",
    "叩かれてる": "叩かれている",
    "たたかれてる": "たたかれている",
    "食べてない": "食べていない",
    "食べれてない": "食べられていない",
    "食べれない": "食べられない",
    "払え無い": "払えない",
    "ひきこもって": "引きこもって",
    "ひきこもり": "引きこもり",
    "引き篭もり": "引きこもり",
    "引き篭り": "引きこもり",
    "引篭もり": "引きこもり",
    "しゃっきん": "借金",
    "やちん": "家賃",
    "かいご": "介護",
    "こそだて": "子育て",
    "いくじ": "育児",
    "ぎゃくたい": "虐待",
    "ぼうりょく": "暴力",
    "りすとかっと": "リストカット",
    "りすか": "リスカ",
    "ふとうこう": "不登校",
    "せいかつほご": "生活保護",
    "しごと": "仕事",
    "すむところ": "住むところ",
    "ねるところ": "寝るところ",
    "ねるばしょ": "寝る場所",
    "たべるもの": "食べるもの",
    "たべもの": "食べ物",
    "ごはん": "ご飯",
    "おかね": "お金",
    "だんな": "旦那",
    "かれし": "彼氏",
    "おっと": "夫",
    "こども": "子ども",
}
_MISSPELLING_RE = re.compile("|".join(sorted(map(re.escape, MISSPELLINGS), key=len, reverse=True)))


def _kata_to_hira(ch: str) -> str:
    o = ord(ch)
    if 0x30A1 <= o <= 0x30F6:
        return chr(o - 0x60)
    return ch


def to_hiragana(text: str) -> str:
    """Katakana -> hiragana, one character for one character (offsets are kept)."""
    return "".join(_kata_to_hira(c) for c in text)


class Normalized:
    """A normalised string plus, for each of its characters, the original [start, end)."""

    __slots__ = ("text", "starts", "ends", "original")

    def __init__(self, text: str, starts: list[int], ends: list[int], original: str):
        self.text = text
        self.starts = starts
        self.ends = ends
        self.original = original

    def original_span(self, start: int, end: int) -> str:
        """The original substring behind normalised characters [start, end)."""
        if start >= end or start >= len(self.starts):
            return ""
        end = min(end, len(self.ends))
        return self.original[self.starts[start]: self.ends[end - 1]]

    def replaced(self, text: str, starts: list[int], ends: list[int]) -> "Normalized":
        return Normalized(text, starts, ends, self.original)


def _nfkc_with_map(text: str) -> Normalized:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch)
        for c in n:
            if c in _COMBINING_MARKS and out:
                composed = unicodedata.normalize("NFC", out[-1] + c)
                if len(composed) == 1:
                    out[-1] = composed
                    ends[-1] = i + 1
                    continue
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return Normalized("".join(out), starts, ends, text)


def _char_fixes(n: Normalized) -> Normalized:
    chars = list(n.text.lower())
    keep_s, keep_e, out = [], [], []
    for i, c in enumerate(chars):
        prev = out[-1] if out else ""
        # small vowel typo: しにたぃ -> しにたい (but keep ふぁ, てぃ ...)
        if c in "ぁぃぅぇぉ" and prev and "\u3041" <= prev <= "\u3096" and prev not in _SMALL_OK_AFTER:
            c = c.translate(_SMALL_TO_BIG)
        # stretched hiragana (つらーい, しにたーい): drop the long mark between kana
        if c in _LONG_MARKS and prev and "\u3041" <= prev <= "\u3096":
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if not nxt or "\u3041" <= nxt <= "\u3096" or nxt in _LONG_MARKS or not nxt.strip():
                keep_e[-1] = n.ends[i]
                continue
        # runs of the same punctuation / stretched vowels (つらいいいい) collapse to one
        if c == prev and (c in "。、!?…・,. " or (c in "いぃうっー" and len(out) >= 2 and out[-2] == c)):
            keep_e[-1] = n.ends[i]
            continue
        out.append(c)
        keep_s.append(n.starts[i])
        keep_e.append(n.ends[i])
    return n.replaced("".join(out), keep_s, keep_e)


def _apply_misspellings(n: Normalized) -> Normalized:
    text = n.text
    if not _MISSPELLING_RE.search(text):
        return n
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _MISSPELLING_RE.finditer(text):
        for j in range(pos, m.start()):
            out.append(text[j])
            starts.append(n.starts[j])
            ends.append(n.ends[j])
        repl = MISSPELLINGS[m.group(0)]
        s0, e0 = n.starts[m.start()], n.ends[m.end() - 1]
        for c in repl:  # every replacement char points at the whole original span
            out.append(c)
            starts.append(s0)
            ends.append(e0)
        pos = m.end()
    for j in range(pos, len(text)):
        out.append(text[j])
        starts.append(n.starts[j])
        ends.append(n.ends[j])
    return n.replaced("".join(out), starts, ends)


def normalize(text: str) -> Normalized:
    """NFKC (full/half width), lower case, small-kana and long-mark typos, misspellings."""
    n = _nfkc_with_map(text)
    n = _char_fixes(n)
    return _apply_misspellings(n)


def hiragana_view(n: Normalized) -> Normalized:
    """The same normalised text with katakana folded to hiragana (ｼﾆﾀｲ -> しにたい)."""
    return _apply_misspellings(n.replaced(to_hiragana(n.text), n.starts, n.ends))
