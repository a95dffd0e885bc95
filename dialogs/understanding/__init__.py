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
    crisis_kind: str | None = None  # "suicide" | "violence" | "child_abuse" | "starvation"
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

    categories, crisis_kinds, evidence, explained_away = analyse(text)
    if not crisis_kinds and not explained_away and text and text.strip():
        # wordings the rules have never seen: ask the statistical model (see model.py)
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


def warm_up() -> None:
    """Load the dictionary and lexicon now (optional; classify does it on first use)."""
    classify("準備")
