"""Referral statuses declared as data: the states of a Referral and the moves between them,
checked when the module loads (as dialogs/flow.py and console/lifecycle.py are). The
service (console/referrals.py) asks this table before any change; the pages ask it what to
offer. Drawn in console/referral.mmd (a test keeps the drawing equal to the table).

依頼中 → 受理 / 辞退 (reason) / つなぎ戻し (with a 提案) → 完了; the coordinator may
withdraw an open request.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

STATUSES: tuple[str, ...] = ("requested", "accepted", "declined", "returned", "done", "withdrawn")
OPEN_STATUSES = frozenset({"requested", "accepted"})  # the agency still owes an answer or the work
INITIAL = "requested"


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    by: str  # "agency" (staff of the receiving agency) or "coordinator"
    needs: tuple[str, ...] = ()  # free-text fields the move must carry


MOVES: tuple[Move, ...] = (
    Move("accept", frozenset({"requested"}), "accepted", "agency"),
    Move("decline", frozenset({"requested"}), "declined", "agency", needs=("reason",)),
    Move("send_back", frozenset({"requested", "accepted"}), "returned", "agency", needs=("proposal",)),
    Move("complete", frozenset({"accepted"}), "done", "agency"),
    Move("withdraw", frozenset({"requested", "accepted"}), "withdrawn", "coordinator", needs=("reason",)),
)
BY_NAME: dict[str, Move] = {m.name: m for m in MOVES}


def moves_from(status: str, by: str | None = None) -> list[Move]:
    return [m for m in MOVES if status in m.sources and (by is None or m.by == by)]


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "referral.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def status_label(status: str | None) -> str:
    return wording()["statuses"].get(status, status or "—")


def move_label(name: str) -> str:
    return wording()["moves"].get(name, name)


def mermaid() -> str:
    """The diagram of the table, as stored in console/referral.mmd."""
    lines = ["%% Referral statuses (console/referral_flow.py). Generated: python -m console.referral_flow",
             "stateDiagram-v2", f"    [*] --> {INITIAL}"]
    for status in STATUSES:
        lines.append(f"    {status}: {status} {wording()['statuses'][status]}")
    for move in MOVES:
        for source in sorted(move.sources, key=STATUSES.index):
            lines.append(f"    {source} --> {move.target}: {move.name} ({move.by})")
    for status in STATUSES:
        if not moves_from(status):
            lines.append(f"    {status} --> [*]")
    return "\n".join(lines) + "\n"


def _check_table() -> None:
    """Reject a bad table when the module loads, not in the middle of an agency's day."""
    names = [m.name for m in MOVES]
    if len(set(names)) != len(names):
        raise ValueError("referral flow: a move is declared twice")
    if INITIAL not in STATUSES or not OPEN_STATUSES <= set(STATUSES):
        raise ValueError("referral flow: initial or open statuses unknown")
    for move in MOVES:
        unknown = (move.sources | {move.target}) - set(STATUSES)
        if unknown:
            raise ValueError(f"referral flow: {move.name} names unknown statuses {unknown}")
        if move.by not in ("agency", "coordinator"):
            raise ValueError(f"referral flow: {move.name} is made by nobody known ({move.by})")
        if move.target in move.sources:
            raise ValueError(f"referral flow: {move.name} does not change the status")
    reachable, frontier = {INITIAL}, [INITIAL]
    while frontier:
        for move in moves_from(frontier.pop()):
            if move.target not in reachable:
                reachable.add(move.target)
                frontier.append(move.target)
    if reachable != set(STATUSES):
        raise ValueError(f"referral flow: unreachable statuses {set(STATUSES) - reachable}")
    for status in OPEN_STATUSES:
        if not moves_from(status):
            raise ValueError(f"referral flow: open status {status} has no way out")
    words = wording()
    for key, values in (("statuses", STATUSES), ("moves", names)):
        missing = set(values) - set(words[key])
        if missing:
            raise ValueError(f"referral flow: no wording for {key} {missing}")
    needed = {n for m in MOVES for n in m.needs} - set(words["fields"])
    if needed:
        raise ValueError(f"referral flow: no wording for fields {needed}")


_check_table()

if __name__ == "__main__":
    (Path(__file__).parent / "referral.mmd").write_text(mermaid(), encoding="utf-8")
