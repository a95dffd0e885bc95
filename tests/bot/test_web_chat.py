"""The web chat runs the same conversation for residents without LINE."""
from __future__ import annotations

import pytest
from sqlmodel import select

from dialogs import checklist
from models import Intake, OutboxMessage, WebhookEvent
from models.db import session_scope


def all_intakes() -> list[Intake]:
    with session_scope() as s:
        return s.exec(select(Intake)).all()


def test_web_resident_completes_an_intake(visitor):
    opening = visitor.open()
    assert "緊急の窓口では ありません" in opening[0]["text"]
    assert {"label": "本人（自分のこと）", "value": "who:self"} in opening[-1]["choices"]
    visitor.tap("who:self")
    visitor.say("みどり")
    visitor.tap("age:40_64")
    visitor.tap("nav:skip")
    visitor.tap("household:child_teen")
    visitor.tap("nav:done")
    visitor.tap("nav:none")
    visitor.tap("checklist:childcare")
    visitor.tap("checklist:hikikomori")  # both in the family group
    for _ in checklist.groups():
        visitor.tap("nav:next")
    visitor.tap("primary:hikikomori")
    visitor.say("子どもが学校に行けなくなって、仕事も休みがちです")
    visitor.tap("since:6_12m")
    visitor.tap("contact:phone")
    visitor.say("090-0000-1111")
    visitor.tap("contact_time:morning")
    visitor.tap("contact_safety:safe")
    visitor.tap("voicemail:yes")
    visitor.tap("consent_share:yes")
    summary = visitor.tap("consent_meeting:yes")
    assert "◎ひきこもり・不登校" in summary[0]["text"]
    done = visitor.tap("confirm:submit")

    [intake] = all_intakes()
    assert intake.channel == "web" and intake.receipt_no in done[0]["text"]
    assert intake.categories == ["childcare", "hikikomori"] and intake.primary == "hikikomori"
    assert "学校に行けなくなって" in intake.free_text


def test_double_click_sends_once_and_gets_the_same_answer(visitor):
    visitor.open()
    first = visitor.post({"type": "choice", "value": "who:family", "id": "click-0001"})
    again = visitor.post({"type": "choice", "value": "who:family", "id": "click-0001"})
    assert first.get_json() == again.get_json()
    visitor.tap("nav:anonymous")
    nxt = visitor.tap("relation:parent")
    assert "何歳" in nxt[-1]["text"]  # the state moved once: who -> name -> relation -> age
    with session_scope() as s:
        assert len(s.exec(select(WebhookEvent).where(WebhookEvent.event_id.like("%click-0001"))).all()) == 1


@pytest.mark.parametrize("body, status", [
    ({"type": "text", "text": "", "id": "abcdefgh1"}, 400),
    ({"type": "text", "id": "abcdefgh2"}, 400),
    ({"type": "dance", "id": "abcdefgh3"}, 400),
    ({"type": "text", "text": "こんにちは"}, 400),  # no id
    ({"type": "text", "text": "こんにちは", "id": "bad id!"}, 400),
])
def test_bad_requests_get_a_clear_400(client, body, status):
    response = client.post("/chat/api/messages", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]


def test_non_json_body_is_400(client):
    response = client.post("/chat/api/messages", data="hello", content_type="text/plain")
    assert response.status_code == 400


def test_crisis_on_the_web_answers_with_numbers_and_opens_an_urgent_intake(visitor):
    replies = visitor.say("もう死にたい")
    assert replies[0]["kind"] == "crisis" and "0120-783-556" in replies[0]["text"]
    [intake] = all_intakes()
    assert intake.urgent and intake.crisis and intake.crisis_kinds == ["suicide"]
    assert intake.complete is False  # staff see it now; the rest of the dialog may follow
    visitor.tap("who:self")
    visitor.say("人と話したい")
    [same] = all_intakes()
    assert same.id == intake.id and same.wants_person and same.reporter_role == "self"


def test_web_chat_page_has_the_chat_and_a_csrf_token(client):
    page = client.get("/chat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf-token"' in html and "/chat/api/messages" in html


def test_web_chat_api_requires_the_csrf_token_when_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/chat/api/messages", json={"type": "start", "id": "abcdefgh9"})
    assert response.status_code == 400


def test_web_family_reporter_describes_an_8050_household_without_consenting(visitor):
    visitor.open()
    visitor.tap("who:family")
    visitor.say("山田")
    visitor.tap("relation:sibling")
    visitor.tap("age:40_64")
    visitor.say("元八王子町")
    visitor.tap("household:elderly_parent")
    visitor.tap("household:care_needs")
    visitor.tap("nav:done")
    visitor.tap("nav:none")
    visitor.tap("checklist:income")
    for _ in checklist.groups()[:4]:
        visitor.tap("nav:next")
    visitor.tap("checklist:hikikomori")
    visitor.tap("checklist:caregiving")
    visitor.tap("nav:next")
    visitor.tap("nav:next")
    visitor.tap("primary:hikikomori")
    visitor.say("弟が20年家から出ていません。父は85歳で介護が必要です")
    visitor.tap("since:over_1y")
    visitor.tap("contact:office")
    seen = visitor.tap("keep_identity:keep")
    assert "同意のおねがい" not in seen[-1]["text"]  # a reporter is never asked to consent for the person
    assert "■その人: きょうだい / 40〜64歳 / 元八王子町" in seen[-1]["text"]
    visitor.tap("confirm:submit")

    [intake] = all_intakes()
    assert intake.reporter_role == "family" and intake.primary == "hikikomori"
    assert intake.categories == ["income", "caregiving", "hikikomori"]
    from models import Household, Person, Reporter

    with session_scope() as s:
        person, household, reporter = (s.get(Person, intake.person_id), s.get(Household, intake.household_id),
                                       s.get(Reporter, intake.reporter_id))
    assert person.age_band == "40_64" and person.area == "元八王子町"
    assert household.members == ["elderly_parent", "care_needs"]  # with the person: 8050
    assert reporter.relation == "sibling" and reporter.contact == {"method": "office", "name": "山田"}
    assert reporter.keep_identity is True


def test_quit_also_blanks_the_stored_copies_of_the_residents_words(visitor):
    visitor.open()
    visitor.tap("who:self")
    visitor.say("借金が300万円あります")
    visitor.say("やめる")
    visitor.tap("quit_confirm:yes")
    with session_scope() as s:
        events = s.exec(select(WebhookEvent)).all()
        outbox = s.exec(select(OutboxMessage)).all()
    stored = str([e.payload for e in events]) + str([o.messages for o in outbox])
    assert "借金が300万円" not in stored
    assert all_intakes() == []


def test_a_deeply_nested_body_is_a_clear_400(client):
    response = client.post("/chat/api/messages", data="[" * 5000, content_type="application/json")
    assert response.status_code == 400
