"""Train the crisis model shipped in crisis_model.json (needs scikit-learn: pip install -e '.[dev]').

    python -m dialogs.understanding.train            # writes crisis_model.json
    python -m dialogs.understanding.train --check    # only verify the shipped file is current

Deterministic: the same data gives the same file. All six labelled sets are used (blind4 too,
since its one honest measurement; LOSO in benchmarks/crisis_model_loso.py is the held-out figure).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .model import MODEL_FILE, features, probabilities

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
TRAINING_SETS = ("classifier_dev", "classifier_holdout", "classifier_blind", "classifier_blind2", "classifier_blind3",
                 "classifier_blind4", "classifier_blind5")
# "none" and every crisis kind that the labelled data has (medical and sexual_violence have no
# labelled examples yet: the rules alone find them)
KINDS_IN_ORDER = ["suicide", "violence", "child_abuse", "starvation", "elder_abuse", "welfare_check",
                  "medical", "sexual_violence"]
THRESHOLD = 0.6  # P(crisis); the knee of recall vs false alarms in benchmarks/crisis_model_loso.py
C = 10.0


def load_rows(names=TRAINING_SETS) -> list[dict]:
    rows = []
    for name in names:
        with open(DATA / f"{name}.jsonl", encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def fit(rows: list[dict]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=2)
    x = vectorizer.fit_transform([r["text"] for r in rows])
    y = [r["crisis_kind"] or "none" for r in rows]
    classifier = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x, y)
    return vectorizer, classifier


def classes_of(classifier) -> list[str]:
    return ["none", *[k for k in KINDS_IN_ORDER if k in classifier.classes_]]


def export(vectorizer, classifier) -> dict:
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    classes = classes_of(classifier)
    order = [list(classifier.classes_).index(c) for c in classes]
    return {
        "about": "crisis second opinion; built by python -m dialogs.understanding.train",
        "training_sets": list(TRAINING_SETS),
        "threshold": THRESHOLD,
        "classes": classes,
        "vocabulary": vocabulary,
        "idf": [round(float(v), 5) for v in vectorizer.idf_],
        "coef": [[round(float(v), 5) for v in classifier.coef_[i]] for i in order],
        "intercept": [round(float(classifier.intercept_[i]), 5) for i in order],
    }


def agrees(vectorizer, classifier, rows: list[dict], tolerance: float = 1e-3) -> float:
    """Largest difference between the shipped pure-Python inference and scikit-learn."""
    from .model import _model

    _model.cache_clear()
    sample = [r["text"] for r in rows[:: max(1, len(rows) // 60)]]
    expected = classifier.predict_proba(vectorizer.transform(sample))
    worst = 0.0
    for text_, row in zip(sample, expected):
        ours = probabilities(text_)
        theirs = dict(zip(classifier.classes_, row))
        worst = max(worst, *(abs(ours[c] - theirs[c]) for c in classes_of(classifier)))
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only verify the shipped file matches the data")
    args = parser.parse_args(argv)
    rows = load_rows()
    vectorizer, classifier = fit(rows)
    if not args.check:
        exported = export(vectorizer, classifier)
        MODEL_FILE.write_text(json.dumps(exported, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        print(f"wrote {MODEL_FILE.name}: {len(exported['vocabulary'])} features, {len(rows)} messages")
    worst = agrees(vectorizer, classifier, rows)
    if worst > 1e-3:
        print(f"{MODEL_FILE.name} does not match the data (max difference {worst:.4f}): "
              "run python -m dialogs.understanding.train", file=sys.stderr)
        return 1
    print(f"{MODEL_FILE.name} matches scikit-learn on the training data (max difference {worst:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
