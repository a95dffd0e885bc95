"""How well does the crisis detection generalise to a writer it has never seen?

Leave one labelled set out: train the crisis model on the others, then score the whole
classifier (rules + model) on the set left out. Prints crisis recall/precision for the rules
alone and for rules + model, per set and overall. Needs scikit-learn (the dev extra).

    python benchmarks/crisis_model_loso.py

The rules themselves were written while looking at the dev, holdout, blind and blind2 sets,
so only a set no one tuned on (classifier_blind3) gives a fully honest figure:
    python benchmarks/evaluate.py tests/data/classifier_blind3.jsonl
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.understanding import classify, model  # noqa: E402
from dialogs.understanding.classifier import analyse  # noqa: E402
from dialogs.understanding.train import TRAINING_SETS, export, fit, load_rows  # noqa: E402


def score(pairs) -> str:
    tp = sum(1 for gold, pred in pairs if gold and pred)
    fp = sum(1 for gold, pred in pairs if pred and not gold)
    fn = sum(1 for gold, pred in pairs if gold and not pred)
    return f"recall {tp / max(tp + fn, 1):.3f}  precision {tp / max(tp + fp, 1):.3f}  (missed {fn}, false alarms {fp})"


def main() -> None:
    shipped = model.MODEL_FILE
    everything_rules, everything_both = [], []
    try:
        for held in TRAINING_SETS:
            train = load_rows([n for n in TRAINING_SETS if n != held])
            test = load_rows([held])
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
                json.dump(export(*fit(train)), f, ensure_ascii=False)
            model.MODEL_FILE = Path(f.name)
            model._model.cache_clear()
            rules = [(r["crisis_kind"] is not None, bool(analyse(r["text"])[1])) for r in test]
            both = [(r["crisis_kind"] is not None, classify(r["text"]).crisis) for r in test]
            everything_rules += rules
            everything_both += both
            print(f"{held:22} rules: {score(rules)}")
            print(f"{'':22} rules+model: {score(both)}")
    finally:
        model.MODEL_FILE = shipped
        model._model.cache_clear()
    print(f"{'all sets':22} rules: {score(everything_rules)}")
    print(f"{'':22} rules+model: {score(everything_both)}")


if __name__ == "__main__":
    main()
