"""Issue 9 items 2 and 8: what arrives at the web edge is cleaned and bounded before storing."""
from __future__ import annotations

import json

from sqlmodel import select

from models import Intake, WebhookEvent
from models.db import session_scope

INOCHI = "0120-783-556"


def test_nul_control_and_lone_surrogate_characters_are_stripped_and_answered(visitor):
    visitor.open()
    visitor.tap("who:self")
    body = json.dumps({"type": "text", "text": "家賃が\x00払え\x07ない\ud800です\udfff", "id": "ctrl-0002"})
    reply = visitor.client.post("/chat/api/messages", data=body, content_type="application/json")
    assert reply.status_code == 200 and reply.get_json()["messages"]
    with session_scope() as s:
        stored = [e.payload for e in s.exec(select(WebhookEvent)).all()]
    assert {"type": "text", "text": "家賃が払えないです"} in stored


def test_nul_inside_a_crisis_text_is_still_a_crisis_with_numbers_and_an_intake(visitor):
    reply = visitor.post({"type": "text", "text": "死に\x00たい"})
    assert reply.status_code == 200
    assert INOCHI in reply.get_json()["messages"][0]["text"]
    with session_scope() as s:
        [intake] = s.exec(select(Intake)).all()
    assert intake.crisis and "\x00" not in intake.free_text


def test_a_text_of_only_control_characters_is_a_clear_400(client):
    body = json.dumps({"type": "text", "text": "\x00\x01\ud800", "id": "ctrl-0001"})  # \u escapes, as browsers send
    response = client.post("/chat/api/messages", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]


def test_only_the_known_fields_of_a_message_are_stored(visitor):
    visitor.post({"type": "text", "text": "こんにちは", "extra": "x" * 20000, "more": {"a": [1, 2, 3]}})
    with session_scope() as s:
        [event] = s.exec(select(WebhookEvent)).all()
    assert event.payload == {"type": "text", "text": "こんにちは"}


def test_a_body_over_64_kib_is_a_kind_413_without_storing_it(client):
    body = json.dumps({"type": "text", "text": "あ" * 5000, "id": "big-00001", "pad": "x" * 70_000})
    response = client.post("/chat/api/messages", data=body, content_type="application/json")
    assert response.status_code == 413
    message = response.get_json()["message"]
    assert "長すぎます" in message
    assert "110" in message and "119" in message  # refused unread: it may have been a cry for help
    with session_scope() as s:
        assert s.exec(select(WebhookEvent)).all() == []


def test_a_text_longer_than_the_chat_allows_is_cut_not_refused(visitor):
    visitor.open()
    reply = visitor.post({"type": "text", "text": "あ" * 9000})
    assert reply.status_code == 200
    with session_scope() as s:
        texts = [e.payload.get("text") for e in s.exec(select(WebhookEvent)).all()]
    assert "あ" * 5000 in texts


def test_a_message_id_reused_by_another_visitor_gets_that_visitors_own_answer(app):
    """Issue 9 item 17: the duplicate lookup is per visitor, even when two visitor ids share
    their first characters (the inbox key used to hold only the first 8)."""
    import time

    first, second = app.test_client(), app.test_client()
    for client, visitor in ((first, "abcdef01" + "1" * 24), (second, "abcdef01" + "2" * 24)):
        with client.session_transaction() as session:
            session["chat_visitor"], session["chat_seen"] = visitor, time.time()
    body = {"type": "text", "text": "もう死にたい", "id": "same-id-0001"}
    mine = first.post("/chat/api/messages", json=body).get_json()["messages"]
    theirs = second.post("/chat/api/messages", json={"type": "start", "id": "same-id-0001"}).get_json()["messages"]
    assert mine[0]["kind"] == "crisis"
    assert all(m["kind"] != "crisis" for m in theirs)  # their own greeting, not someone else's answer
    with session_scope() as s:
        assert len(s.exec(select(WebhookEvent)).all()) == 2


def test_an_invented_choice_is_asked_again_and_never_stored(visitor):
    """Issue 9 item 13: `who:admin` was once taken as the reporter's role."""
    import json

    from sqlmodel import select

    from models import Conversation, Intake
    from models.db import session_scope

    visitor.open()
    reply = visitor.tap("who:admin")
    assert reply and reply[-1]["choices"]  # the same question again
    assert "admin" not in {c.get("value") for c in reply[-1]["choices"]}
    with session_scope() as db:
        states = [json.dumps(c.state) for c in db.exec(select(Conversation)).all()]
        roles = db.exec(select(Intake.reporter_role)).all()
    assert states and not any("admin" in s for s in states) and "admin" not in roles
