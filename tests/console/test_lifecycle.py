"""The lifecycle table: checked at load, drawn in lifecycle.mmd, offers only allowed moves."""
from pathlib import Path

import pytest

from console import lifecycle


def test_diagram_is_the_table():
    drawn = (Path(lifecycle.__file__).parent / "lifecycle.mmd").read_text(encoding="utf-8")
    assert drawn == lifecycle.mermaid(), "run: python -m console.lifecycle"


@pytest.mark.parametrize("state, offered", [
    ("new", {"claim"}),
    ("claimed", {"release", "triage", "close"}),
    ("referring", {"refer", "return", "collaborate", "convene", "close"}),
    ("planning", {"refer", "plan", "start_support", "close"}),
    ("closed", {"reopen"}),
])
def test_moves_offered_from_each_state(state, offered):
    assert {m.name for m in lifecycle.moves_from(state)} == offered


def test_no_way_from_new_to_closed_or_from_closed_to_support():
    assert lifecycle.move_between("new", "closed") is None
    assert lifecycle.move_between("closed", "supporting") is None
    assert lifecycle.move_between("closed", "claimed").name == "reopen"


def test_a_bad_table_is_refused_at_load(monkeypatch):
    monkeypatch.setattr(lifecycle, "MOVES", lifecycle.MOVES + (lifecycle._move("x", {"new"}, "limbo"),))
    with pytest.raises(ValueError, match="unknown states"):
        lifecycle._check_table()
    monkeypatch.setattr(lifecycle, "MOVES", lifecycle.MOVES[:-1] + (lifecycle._move("again", {"new"}, "claimed"),))
    with pytest.raises(ValueError, match="share a"):
        lifecycle._check_table()
