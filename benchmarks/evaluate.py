"""Classifier quality on one or more labelled JSONL files.

    python benchmarks/evaluate.py tests/data/classifier_dev.jsonl [more.jsonl ...] [-v]

Each line: {"text": ..., "categories": [checklist ids], "crisis_kind": kind or null}.
Prints per-category precision / recall, micro-F1, crisis recall / precision and, with
-v, every message where the classifier differs from the label.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(rows: list[dict], classify) -> dict:
    per: dict[str, Counter] = {}
    tp = fp = fn = 0
    ctp = cfp = cfn = kind_ok = 0
    misses: list[str] = []
    for r in rows:
        u = classify(r["text"])
        gold, pred = set(r["categories"]), set(u.categories)
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        for c in gold | pred:
            d = per.setdefault(c, Counter())
            d["tp" if c in gold and c in pred else "fp" if c in pred else "fn"] += 1
        is_crisis = r["crisis_kind"] is not None
        if is_crisis and u.crisis:
            ctp += 1
            kind_ok += u.crisis_kind == r["crisis_kind"]
            if u.crisis_kind != r["crisis_kind"]:
                misses.append(f"KIND      {r['text']}  gold={r['crisis_kind']} got={u.crisis_kind}")
        elif u.crisis:
            cfp += 1
            misses.append(f"CRISIS-FP {r['text']}  got={u.crisis_kind} evidence={u.evidence}")
        elif is_crisis:
            cfn += 1
            misses.append(f"CRISIS-FN {r['text']}  gold={r['crisis_kind']}")
        if gold != pred:
            misses.append(f"CAT       {r['text'][:90]}  missing={sorted(gold - pred)} "
                          f"extra={sorted(pred - gold)} evidence={u.evidence}")
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    return {
        "n": len(rows), "per": per, "micro_p": p, "micro_r": rc,
        "micro_f1": 2 * p * rc / (p + rc) if p + rc else 0.0,
        "crisis_recall": ctp / (ctp + cfn) if ctp + cfn else 1.0,
        "crisis_precision": ctp / (ctp + cfp) if ctp + cfp else 1.0,
        "kind_ok": kind_ok, "crisis_tp": ctp, "misses": misses,
    }


def show(name: str, m: dict, verbose: bool) -> None:
    print(f"== {name} ({m['n']} messages)")
    print(f"micro P {m['micro_p']:.3f} R {m['micro_r']:.3f} F1 {m['micro_f1']:.3f}; "
          f"crisis recall {m['crisis_recall']:.3f} precision {m['crisis_precision']:.3f} "
          f"kind-correct {m['kind_ok']}/{m['crisis_tp']}")
    for c, d in sorted(m["per"].items()):
        a, b, e = d["tp"], d["fp"], d["fn"]
        print(f"  {c:18} P {a / (a + b) if a + b else 1:.2f} R {a / (a + e) if a + e else 1:.2f}"
              f"  tp{a} fp{b} fn{e}")
    if verbose:
        for line in m["misses"]:
            print("  " + line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every difference")
    args = ap.parse_args()
    from dialogs.understanding import classify

    allrows: list[dict] = []
    for path in args.files:
        rows = load(path)
        allrows += rows
        show(path, evaluate(rows, classify), args.verbose)
    if len(args.files) > 1:
        show("all files", evaluate(allrows, classify), False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
