"""Unfinished conversations are wiped after the expiry window even if nobody comes back."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from dialogs.state import DialogState
from models import Conversation
from models.base import utcnow
from models.db import session_scope
from workers.retention import expire_conversations


def test_partial_answers_older_than_a_day_are_wiped_and_recent_ones_kept(app, visitor):
    visitor.open()
    visitor.tap("who:family")
    visitor.say("母のことです")  # kept as free text of the unfinished conversation
    with session_scope() as s:
        conv = s.exec(select(Conversation)).one()
        fresh_state = dict(conv.state)
        s.add(Conversation(channel="web", user_key="someone-else", state=fresh_state, updated_at=utcnow()))
        conv.updated_at = utcnow() - timedelta(hours=25)
        s.add(conv)

    assert expire_conversations() == 1
    with session_scope() as s:
        rows = {c.user_key: DialogState.from_dict(c.state) for c in s.exec(select(Conversation))}
    old = next(st for key, st in rows.items() if key != "someone-else")
    assert not old.in_progress and old.concern == [] and old.answers == {}
    assert rows["someone-else"].in_progress and rows["someone-else"].concern == ["母のことです"]
