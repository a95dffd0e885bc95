"""Understanding residents' words: free text -> checklist ids, and crisis detection.

The dialog calls only `classify`; how it works inside (rules, lexicon, model) may change.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .simple_rules import classify_text as _classify_text


@dataclass(frozen=True)
class Understanding:
    categories: list[str] = field(default_factory=list)  # checklist ids from domain.md
    crisis: bool = False
    crisis_kind: str | None = None  # "suicide" | "violence" | "child_abuse" | "starvation"
    evidence: list[str] = field(default_factory=list)  # matched phrases, as written

    def to_dict(self) -> dict:
        return {
            "categories": list(self.categories),
            "crisis": self.crisis,
            "crisis_kind": self.crisis_kind,
            "evidence": list(self.evidence),
        }


def classify(text: str) -> Understanding:
    return _classify_text(text)
