"""The `tsunagu` command: demo, serve, worker, classify, export."""
from __future__ import annotations

import argparse
import json
import sys


def cmd_classify(args: argparse.Namespace) -> int:
    from dialogs.understanding import classify

    for line in sys.stdin:
        text = line.rstrip("\n")
        sys.stdout.write(json.dumps(classify(text).to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsunagu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("classify", help="one message per line on stdin -> one JSON per line")
    p.set_defaults(func=cmd_classify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
