"""The account in a group chat: the dialog is for one-to-one chats, so a group gets no
questions, but a crisis written there is answered there with the numbers; nothing from a
group waits in the inbox (GET /healthz counts waiting events), on SQLite and PostgreSQL + RQ."""
from __future__ import annotations

import secrets

from sqlmodel import select

from models import Intake, WebhookEvent
from models.db import session_scope
from tests.fakeline import sticker_event, text_event
from tests.helpers import run_jobs

GROUP = "C" + "1" * 32


def in_group(event: dict, resident) -> dict:
    event["source"] = {"type": "group", "groupId": GROUP, "userId": resident.user_id}
    return event


def said_in_group(resident, fake_line, words: str) -> dict:
    resident.clock_ms += 1000
    return in_group(text_event(resident.user_id, words, fake_line.issue_reply_token(GROUP),
                               timestamp=resident.clock_ms), resident)


def waiting_events() -> list[WebhookEvent]:
    with session_scope() as s:
        return s.exec(select(WebhookEvent).where(WebhookEvent.processed_at.is_(None),
                                                 WebhookEvent.failed_at.is_(None))).all()


def test_a_crisis_written_in_a_group_chat_is_answered_there_with_the_numbers(resident, fake_line):
    assert resident.send(said_in_group(resident, fake_line, "もう死にたい")) == []  # nothing one-to-one
    [answer] = fake_line.texts_to(GROUP)
    assert "0120-279-338" in answer and "心配" in answer  # よりそいホットライン, and the kind words
    assert "ここで" not in answer  # no offer to go on "here": the dialog is not for a group
    assert [d["endpoint"] for d in fake_line.delivered] == ["reply"]
    with session_scope() as s:
        assert s.exec(select(Intake)).all() == []  # no intake from a group chat
    assert waiting_events() == []


def test_other_group_messages_get_no_answer_and_nothing_of_them_waits(resident, fake_line):
    ordinary = said_in_group(resident, fake_line, "今日の集まりは何時からですか")
    sticker = in_group(sticker_event(resident.user_id, fake_line.issue_reply_token(GROUP)), resident)
    joined = {"type": "join", "timestamp": resident.clock_ms, "source": {"type": "group", "groupId": GROUP},
              "webhookEventId": "01J" + secrets.token_hex(12).upper(), "replyToken": fake_line.issue_reply_token(GROUP),
              "deliveryContext": {"isRedelivery": False}, "mode": "active"}
    assert resident.post(ordinary, sticker, joined).status_code == 200
    run_jobs(resident.app)
    assert waiting_events() == [] and fake_line.delivered == []
    with session_scope() as s:
        done_when_stored = {e.payload.get("message", {}).get("type", e.payload["type"])
                            for e in s.exec(select(WebhookEvent)).all() if e.processed_at == e.received_at}
    # only the text is left for a worker (to look at for a crisis); the sticker and the join
    # were done as they were stored
    assert done_when_stored == {"sticker", "join"}
