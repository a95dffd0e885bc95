"""Summarise py-spy raw (collapsed) stacks: the frames with the most samples, inclusive.

    python benchmarks/stacks_top.py /tmp/tsunagu-load-*/serve.stacks [--top 30] [--filter tsunagu]
"""
from __future__ import annotations

import argparse
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--thread", default="", help="only stacks that contain this text (a function name)")
    args = parser.parse_args()
    inclusive: Counter = Counter()
    total = 0
    for line in open(args.file, encoding="utf-8", errors="replace"):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not count.isdigit() or args.thread not in stack:
            continue
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            inclusive[frame] += n
    for frame, n in inclusive.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
