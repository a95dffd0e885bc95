"""Understanding residents' words: free text -> checklist ids, and crisis detection.

The dialog calls only `classify`; how it works inside (rules, lexicon, model) may change.
Nothing heavy happens at import time: the Sudachi dictionary and the YAML lexicon are
loaded on the first call and cached (see engine.py and README.md in this folder).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Understanding:
    categories: list[str] = field(default_factory=list)  # checklist ids from domain.md
    crisis: bool = False
    crisis_kind: str | None = None  # engine.CRISIS_PRIORITY: "medical", "suicide", "child_abuse", …
    evidence: list[str] = field(default_factory=list)  # matched phrases, as written
    crisis_kinds: list[str] = field(default_factory=list)  # every kind found, most urgent first

    def to_dict(self) -> dict:
        return {
            "categories": list(self.categories),
            "crisis": self.crisis,
            "crisis_kind": self.crisis_kind,
            "crisis_kinds": list(self.crisis_kinds),
            "evidence": list(self.evidence),
        }


def classify(text: str) -> Understanding:
    from .classifier import CATEGORY_IDS, analyse
    from .languages import detect_language, foreign_matches

    categories, crisis_kinds, evidence, explained_away = analyse(text)
    lang = detect_language(text) if text and text.strip() else None
    found = foreign_matches(text, lang) if text and text.strip() else []
    if found:
        # the lexicon of the message's language (lexicon_<lang>.yaml), English for Latin words
        categories, crisis_kinds, evidence = _merge(categories, crisis_kinds, evidence, found)
    if not crisis_kinds and not explained_away and lang == "ja" and _enough_to_judge(text) \
            and not _read_in_full(text, evidence):
        # wordings the rules have never seen: ask the statistical model (see model.py); it was
        # trained on Japanese and has no features for English, Latin text or tags
        from .model import implied_categories, second_opinion

        found = second_opinion(text)
        if found:
            kind, sentence = found
            crisis_kinds = [kind]
            evidence = [*evidence, sentence]
            wanted = set(categories) | set(implied_categories(kind, text))
            categories = [c for c in CATEGORY_IDS if c in wanted and (c != "other" or len(wanted) == 1)]
    return Understanding(
        categories=categories,
        crisis=bool(crisis_kinds),
        crisis_kind=crisis_kinds[0] if crisis_kinds else None,
        evidence=evidence,
        crisis_kinds=crisis_kinds,
    )


def _enough_to_judge(text: str) -> bool:
    """The model reads character n-grams: a reply of a word or two with digits (80さい, 3人)
    gives it nothing to go on and once gave 80さい an elder-abuse alarm. Short crisis words
    (死にたい, しにたい, 殴られた) are the rules' job and the rules see them."""
    import re

    return len(re.sub(r"[\d\s\W_]", "", text)) >= 4


def _read_in_full(text: str, evidence: list[str]) -> bool:
    """The rules' phrases make up (nearly) the whole message: they have read it, and it is not
    a wording they have never seen, which is what the model is asked about. The model read
    お金がない alone (a worry about income, which the rules found) as having no food."""
    import re

    meaningful = re.sub(r"[\s\W_]", "", text)
    read = sum(len(re.sub(r"[\s\W_]", "", phrase)) for phrase in dict.fromkeys(evidence))
    return bool(meaningful) and read >= 0.8 * len(meaningful)


def _merge(categories, crisis_kinds, evidence, found):
    from .classifier import CATEGORY_IDS
    from .engine import CRISIS_PRIORITY
    from .model import IMPLIED_CATEGORIES

    kinds = set(crisis_kinds) | {m.label for m in found if m.group == "crisis"}
    wanted = set(categories) | {m.label for m in found if m.group == "category"}
    for kind in kinds - set(crisis_kinds):
        wanted |= set(IMPLIED_CATEGORIES[kind])
    ordered = [c for c in CATEGORY_IDS if c in wanted and (c != "other" or len(wanted) == 1)]
    more = [m.evidence for m in found if m.evidence.strip()]
    return ordered, [k for k in CRISIS_PRIORITY if k in kinds], list(dict.fromkeys([*evidence, *more]))


def detect_language(text: str) -> str | None:
    """The language a message is written in: "ja", "en", "zh", "vi", "pt", "tl", "ne", or None
    when the text does not tell (digits, emoji, a tag). See languages.py."""
    from .languages import detect_language as detect

    return detect(text)


def warm_up() -> None:
    """Load the dictionary and lexicon now (optional; classify does it on first use)."""
    classify("準備")
