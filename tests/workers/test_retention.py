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
    visitor.say("母の物忘れがひどくて心配です")  # a worry: kept as free text of the unfinished conversation
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
    assert rows["someone-else"].in_progress and rows["someone-else"].concern == ["母の物忘れがひどくて心配です"]


def test_delivered_inbox_and_outbox_copies_are_blanked_after_a_week(app, visitor):
    from models import OutboxMessage, WebhookEvent
    from workers.retention import purge_delivered_copies

    visitor.open()
    visitor.say("借金のことで相談したい")
    with session_scope() as s:
        week_ago = utcnow() - timedelta(days=8)
        for event in s.exec(select(WebhookEvent)):
            event.processed_at = week_ago
            s.add(event)
        for row in s.exec(select(OutboxMessage)):
            row.created_at = week_ago
            s.add(row)
    visitor.say("まだあります")  # today's message is kept

    assert purge_delivered_copies() == 4
    with session_scope() as s:
        events = s.exec(select(WebhookEvent).order_by(WebhookEvent.id)).all()
        outbox = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert events[1].payload == {"type": "text", "purged": True}
    assert "借金" not in str(events[1].payload) and outbox[1].messages == []
    assert events[2].payload["text"] == "まだあります" and outbox[2].messages
    assert purge_delivered_copies() == 0  # nothing left to blank
