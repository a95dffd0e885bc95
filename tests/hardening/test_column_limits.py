"""Issue 9 item 1: no resident text ever breaks a write, and a crisis is always answered.

On PostgreSQL (which enforces VARCHAR sizes, unlike SQLite) and SQLite. Faults are injected
in the database itself (a trigger refusing rows), never by mocking our code.
"""
from __future__ import annotations

import pytest
from sqlmodel import SQLModel, select
from sqlalchemy import String

from models import Intake, Person, WebhookEvent
from models.db import session_scope
from models.limits import fit, limit
from tests.workers.test_poison_events import allow_inserts, office_phone, refuse_inserts  # noqa: F401

INOCHI = "0120-783-556"


def intakes() -> list[Intake]:
    with session_scope() as s:
        return s.exec(select(Intake).order_by(Intake.id)).all()


def family_up_to_area(visitor) -> None:
    visitor.open()
    visitor.tap("who:family")
    visitor.tap("relation:parent")
    visitor.tap("age:75_plus")


def test_limits_come_from_the_models():
    assert limit(Person, "area") == 200 and limit(Intake, "free_text") is None
    assert fit(Person, "area", "あ" * 250) == "あ" * 200
    assert fit(Intake, "free_text", "a\x00b\ud800c") == "abc"
    assert fit(Person, "age_band", None) is None


def test_a_250_character_area_then_a_crisis_answers_with_the_numbers_and_stores(visitor):
    family_up_to_area(visitor)
    visitor.say("元本郷町" * 62 + "あと")  # 250 characters
    reply = visitor.say("死にたい")
    assert reply[0]["kind"] == "crisis" and INOCHI in reply[0]["text"]
    [intake] = intakes()
    assert intake.crisis and intake.urgent
    with session_scope() as s:
        person = s.get(Person, intake.person_id)
    assert person.area is None or len(person.area) <= 200  # kept as concern or cut, never a 500


def test_a_250_character_area_then_wanting_a_person_opens_an_urgent_intake(visitor):
    family_up_to_area(visitor)
    visitor.say("あ" * 250)
    visitor.say("人と話したい")
    [intake] = intakes()
    assert intake.wants_person and intake.urgent


def test_every_limited_text_column_takes_an_over_long_value(backend, app):
    """Each table, each VARCHAR(n): a value of n + 50 characters is cut, never refused."""
    from models import AuditEvent, Conversation, StaffUser

    with session_scope() as db:
        staff = StaffUser(username="u" * 300, display_name="名" * 300, role="admin", password_hash="h" * 400)
        db.add(staff)
        db.flush()
        db.add(AuditEvent(action="login", actor_id=staff.id, target_type="t" * 99, target_id="9" * 99))
        db.add(Conversation(channel="web", user_key="k" * 99, state={"concern": ["\x00" * 3 + "ことば"]}))
        db.add(WebhookEvent(event_id="e" * 99, channel="web", user_key="k" * 99, payload={"text": "a\x00b"},
                            reply_token="r" * 99))
    with session_scope() as db:
        staff = db.exec(select(StaffUser)).one()
        conv = db.exec(select(Conversation)).one()
        event = db.exec(select(WebhookEvent)).one()
    assert len(staff.username) == 64 and len(staff.display_name) == 100
    assert conv.state == {"concern": ["ことば"]} and event.payload == {"text": "ab"}
    for table in SQLModel.metadata.sorted_tables:  # the listener knows every limited column
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                assert column.type.length >= 4, (table.name, column.name)


def test_an_invented_over_long_button_value_is_asked_again(visitor):
    visitor.open()
    reply = visitor.tap("who:" + "x" * 5000)
    assert reply and reply[-1]["choices"]  # the same question again, not a 500


def test_a_crisis_is_answered_with_the_numbers_even_when_storing_fails(visitor, office_phone):  # noqa: F811
    family_up_to_area(visitor)
    refuse_inserts("intake")
    reply = visitor.say("もう死にたい")
    assert reply[0]["kind"] == "crisis" and INOCHI in reply[0]["text"]
    assert office_phone in reply[-1]["text"]  # and the apology with the counter's number
    assert intakes() == []
    allow_inserts("intake")
    visitor.say("元本郷町")  # the next message first retries the kept words
    [intake] = intakes()  # the kept words were handled: staff see an urgent crisis
    assert intake.crisis and intake.urgent and "suicide" in intake.crisis_kinds


def test_a_failed_ordinary_message_gets_an_apology_and_the_chat_goes_on(visitor, office_phone):  # noqa: F811
    visitor.open()
    refuse_inserts("outbox_message")
    reply = visitor.say("家賃が払えません")
    assert [m["kind"] for m in reply] == ["info"] and office_phone in reply[0]["text"]
    allow_inserts("outbox_message")
    reply = visitor.tap("who:self")
    assert reply[-1]["choices"]
