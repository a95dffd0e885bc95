"""The case lifecycle declared as data: the states of a case (Intake.status) and the moves
between them. `console/cases.py` asks this table before any change; the case page asks it
what to offer. Drawn in console/lifecycle.mmd (a test keeps the drawing equal to the table).

A move is named by its verb; (from, to) pairs are unique, so `transition(..., to_state)` is
never ambiguous. A self-move (triaged -> triaged) records a second triage, meeting or plan.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

STATES: tuple[str, ...] = (
    "new", "claimed", "triaged", "referring", "collaborating", "meeting",
    "planning", "supporting", "monitoring", "closed",
)
OPEN_STATES = frozenset(STATES) - {"closed"}
OUTCOMES = ("resolved", "handed_over", "watching", "unreachable", "person_ended")
TRIAGE_CLASSES = ("1", "2", "3", "4")


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    needs: tuple[str, ...] = ()  # data the move must carry (checked by cases.transition)


def _move(name: str, sources, target: str, needs: tuple[str, ...] = ()) -> Move:
    return Move(name, frozenset(sources), target, needs)


MOVES: tuple[Move, ...] = (
    _move("claim", {"new"}, "claimed"),
    _move("release", {"claimed"}, "new"),
    _move("triage", {"claimed", "triaged"}, "triaged", needs=("triage_class", "reason")),
    _move("refer", {"triaged", "referring", "collaborating", "planning", "supporting", "monitoring"}, "referring"),
    _move("return", {"referring"}, "triaged"),  # つなぎ戻し: every referral came back
    _move("collaborate", {"triaged", "referring"}, "collaborating"),
    _move("convene", {"triaged", "referring", "collaborating", "meeting", "monitoring"}, "meeting",
          needs=("meeting_id",)),
    _move("plan", {"triaged", "collaborating", "meeting", "planning", "monitoring"}, "planning",
          needs=("plan_id",)),
    _move("start_support", {"planning"}, "supporting", needs=("plan_id",)),
    _move("monitor", {"supporting"}, "monitoring"),
    _move("resume_support", {"monitoring"}, "supporting"),
    _move("close", OPEN_STATES - {"new"}, "closed", needs=("outcome",)),
    _move("reopen", {"closed"}, "claimed", needs=("reason",)),
)

BY_NAME: dict[str, Move] = {m.name: m for m in MOVES}
BY_EDGE: dict[tuple[str, str], Move] = {(s, m.target): m for m in MOVES for s in m.sources}


def move_between(source: str, target: str) -> Move | None:
    return BY_EDGE.get((source, target))


def moves_from(state: str) -> list[Move]:
    """The moves the table allows from `state`, in declaration order."""
    return [m for m in MOVES if state in m.sources]


def is_open(state: str) -> bool:
    return state in OPEN_STATES


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "case.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def state_label(state: str | None) -> str:
    return wording()["states"].get(state, state or "—")


def mermaid() -> str:
    """The diagram of the table, as stored in console/lifecycle.mmd."""
    lines = ["%% The case lifecycle (console/lifecycle.py). Generated: python -m console.lifecycle",
             "stateDiagram-v2", "    [*] --> new"]
    for state in STATES:
        lines.append(f"    {state}: {state} {wording()['states'][state]}")
    for move in MOVES:
        for source in sorted(move.sources, key=STATES.index):
            lines.append(f"    {source} --> {move.target}: {move.name}")
    return "\n".join(lines) + "\n"


def _check_table() -> None:
    """Reject a bad table when the module loads, not in the middle of a coordinator's day."""
    names = [m.name for m in MOVES]
    if len(set(names)) != len(names):
        raise ValueError("lifecycle: a move is declared twice")
    edges = [(s, m.target) for m in MOVES for s in m.sources]
    if len(set(edges)) != len(edges):
        raise ValueError("lifecycle: two moves share a (from, to) pair")
    for move in MOVES:
        unknown = (move.sources | {move.target}) - set(STATES)
        if unknown:
            raise ValueError(f"lifecycle: {move.name} names unknown states {unknown}")
    reachable, frontier = {"new"}, ["new"]
    while frontier:
        for move in moves_from(frontier.pop()):
            if move.target not in reachable:
                reachable.add(move.target)
                frontier.append(move.target)
    if reachable != set(STATES):
        raise ValueError(f"lifecycle: unreachable states {set(STATES) - reachable}")
    stuck = [s for s in STATES if not moves_from(s)]
    if stuck:
        raise ValueError(f"lifecycle: states with no way out {stuck}")
    words = wording()
    for key, values in (("states", STATES), ("moves", names), ("outcomes", OUTCOMES),
                        ("triage_classes", TRIAGE_CLASSES)):
        missing = set(values) - set(words[key])
        if missing:
            raise ValueError(f"lifecycle: no wording for {key} {missing}")


_check_table()

if __name__ == "__main__":
    (Path(__file__).parent / "lifecycle.mmd").write_text(mermaid(), encoding="utf-8")
