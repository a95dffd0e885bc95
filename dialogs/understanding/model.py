"""A statistical second opinion on crises, for wordings the rules have never seen.

Multinomial logistic regression over character 1-3-grams and Sudachi lemmas (with their
bigrams), trained by `train.py` on the labelled sets in tests/data and shipped as JSON, so
inference needs no scikit-learn: tf-idf, a dot product and a softmax. The rules stay in
charge: the model is asked only when the rules found no crisis and did not rule one out.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

from .engine import tokenize
from .normalize import normalize

MODEL_FILE = Path(__file__).parent / "crisis_model.json"
SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
# what each kind of crisis says about the checklist (as the rules do)
IMPLIED_CATEGORIES = {
    "suicide": ["mental"],
    "violence": ["dv_abuse"],
    "child_abuse": ["dv_abuse"],
    "starvation": ["food"],
    "medical": ["health"],
    "elder_abuse": ["dv_abuse"],
    "welfare_check": ["community"],
    "sexual_violence": ["dv_abuse"],
}
SLEEP_WORDS = ("寝る", "寝れ", "泊ま", "ネカフェ", "ネットカフェ", "野宿", "ベンチ", "路上", "住む所", "住むところ", "家がない")


def features(text: str) -> list[str]:
    """The same features in training and at run time."""
    norm = normalize(text or "").text
    chars = [norm[i : i + k] for k in (1, 2, 3) for i in range(len(norm) - k + 1)]
    lemmas = ["NEG" if t.is_neg else t.norm for t in tokenize(norm)]
    return (["c:" + c for c in chars] + ["w:" + w for w in lemmas]
            + ["b:" + a + "_" + b for a, b in zip(lemmas, lemmas[1:])])


@cache
def _model() -> dict:
    with open(MODEL_FILE, encoding="utf-8") as f:
        model = json.load(f)
    model["index"] = {feat: i for i, feat in enumerate(model["vocabulary"])}
    return model


def threshold() -> float:
    return _model()["threshold"]


def probabilities(text: str) -> dict[str, float]:
    """{class: probability}; classes are "none" and the crisis kinds of the labelled data."""
    model = _model()
    index, idf = model["index"], model["idf"]
    weights: dict[int, float] = {}
    for feat, count in Counter(features(text)).items():
        i = index.get(feat)
        if i is not None:
            weights[i] = (1.0 + math.log(count)) * idf[i]  # sublinear tf x idf
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    scores = [
        intercept + sum(row[i] * w for i, w in weights.items()) / norm
        for row, intercept in zip(model["coef"], model["intercept"])
    ]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return {cls: e / total for cls, e in zip(model["classes"], exps)}


def second_opinion(text: str) -> tuple[str, str] | None:
    """(crisis kind, the sentence that carries it) when the model sees a crisis, else None."""
    probs = probabilities(text)
    if 1.0 - probs["none"] < threshold():
        return None
    kind = max((k for k in probs if k != "none"), key=probs.get)
    sentences = [s for s in SENTENCE_END.split(text) if s.strip()] or [text]
    strongest = max(sentences, key=lambda s: 1.0 - probabilities(s)["none"]) if len(sentences) > 1 else text
    return kind, strongest.strip()


def implied_categories(kind: str, text: str) -> list[str]:
    if kind == "starvation" and any(w in text for w in SLEEP_WORDS):
        return ["housing"]
    return IMPLIED_CATEGORIES[kind]
