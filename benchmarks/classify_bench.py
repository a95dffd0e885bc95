"""Classifier speed: start-up (first call: Sudachi dictionary + lexicon) and ms/message.

    python benchmarks/classify_bench.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    texts = []
    for name in ("classifier_dev.jsonl", "classifier_holdout.jsonl"):
        with open(ROOT / "tests" / "data" / name, encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]

    t0 = time.perf_counter()
    from dialogs.understanding import classify
    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    classify("家賃が払えない")
    t_first = time.perf_counter() - t1

    per_run = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for text in texts:
            classify(text)
        per_run.append((time.perf_counter() - t) * 1000 / len(texts))
    worst = 0.0
    for text in texts:
        t = time.perf_counter()
        classify(text)
        worst = max(worst, (time.perf_counter() - t) * 1000)

    print(f"import:            {t_import * 1000:8.1f} ms")
    print(f"start-up (1st call, dictionary + lexicon): {t_first * 1000:8.1f} ms")
    print(f"messages:          {len(texts)} x {args.repeat}")
    print(f"ms per message:    {statistics.median(per_run):8.3f} (median of runs; min {min(per_run):.3f})")
    print(f"slowest message:   {worst:8.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
