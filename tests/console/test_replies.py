"""Replies to the resident from the case page, through the bot's outbox: a LINE push with a
retry key (silently for DV), the web chat page picks it up, a blocked account is shown."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from console import cases
from models import Conversation, Intake, OutboxMessage, StaffUser
from models.base import utcnow
from models.db import session_scope
from tests.console.conftest import make_intake
from tests.fakeline import unfollow_event
from tests.helpers import run_jobs


def claimed(intake_id):
    with session_scope() as db:
        cases.claim(db, db.get(Intake, intake_id), db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one())


def test_line_reply_is_pushed_with_a_retry_key(app, as_role, resident, fake_line):
    intake_id = make_intake(channel="line", user_key=resident.user_id)
    claimed(intake_id)
    client = as_role("suishin")
    response = client.post(f"/console/intakes/{intake_id}/reply", data={"text": "明日の午前に お電話します。"},
                           follow_redirects=True)
    assert "LINE で送信します。" in response.get_data(as_text=True)
    run_jobs(app)
    pushed = [d for d in fake_line.delivered if d["to"] == resident.user_id]
    assert len(pushed) == 1 and pushed[0]["endpoint"] == "push" and pushed[0]["retry_key"]
    assert "明日の午前に お電話します。" in pushed[0]["messages"][0]["text"]
    assert pushed[0]["messages"][0]["text"].startswith("【相談支援包括化推進員から】")
    assert "notification_disabled" not in pushed[0]
    page = client.get(f"/console/intakes/{intake_id}/reply").get_data(as_text=True)
    assert "明日の午前に お電話します。" in page and "送信済み" in page


def test_dv_case_replies_silently_and_the_switch_turns_it_off(app, as_role, resident, fake_line):
    intake_id = make_intake(channel="line", user_key=resident.user_id, categories=["dv_abuse"], primary="dv_abuse")
    claimed(intake_id)
    client = as_role("suishin")
    assert 'name="silent" checked' in client.get(f"/console/intakes/{intake_id}/reply").get_data(as_text=True)
    client.post(f"/console/intakes/{intake_id}/reply", data={"text": "安全な時間に 返事をください。"})
    run_jobs(app)
    assert fake_line.delivered[-1].get("notification_disabled") is True
    client.post(f"/console/intakes/{intake_id}/silent", data={})
    client.post(f"/console/intakes/{intake_id}/reply", data={"text": "つぎの 連絡です。"})
    run_jobs(app)
    assert "notification_disabled" not in fake_line.delivered[-1]


def test_blocked_resident_is_shown_instead_of_an_error(app, as_role, resident, fake_line):
    intake_id = make_intake(channel="line", user_key=resident.user_id)
    claimed(intake_id)
    resident.send(resident._event(lambda uid, token, **kw: unfollow_event(uid, **kw)))
    client = as_role("suishin")
    page = client.get(f"/console/intakes/{intake_id}/reply").get_data(as_text=True)
    assert "ブロックしています" in page and 'id="reply-form"' not in page
    response = client.post(f"/console/intakes/{intake_id}/reply", data={"text": "届きますか"}, follow_redirects=True)
    assert response.status_code == 200 and "ブロックしているため、送れません" in response.get_data(as_text=True)
    run_jobs(app)
    assert not [d for d in fake_line.delivered if d["to"] == resident.user_id]


def test_web_resident_sees_the_reply_when_they_come_back(app, as_role, visitor):
    visitor.open()
    with session_scope() as db:
        from models import Conversation
        web_user = db.exec(select(Conversation).where(Conversation.channel == "web")).one().user_key
    intake_id = make_intake(channel="web", user_key=web_user)
    claimed(intake_id)
    as_role("suishin").post(f"/console/intakes/{intake_id}/reply", data={"text": "お返事 ありがとうございます。"})
    first = visitor.client.get("/chat/api/replies").get_json()["messages"]
    assert len(first) == 1 and "お返事 ありがとうございます。" in first[0]["text"]
    assert visitor.client.get("/chat/api/replies").get_json()["messages"] == []  # shown once
    stranger = app.test_client()
    assert stranger.get("/chat/api/replies").get_json()["messages"] == []
    with session_scope() as db:
        row = db.exec(select(OutboxMessage).where(OutboxMessage.user_key == web_user,
                                                  OutboxMessage.event_id.like("staff-%"))).one()
        assert row.status == "sent" and row.sent_via == "web"


def test_empty_and_too_long_replies_get_a_clear_message(app, as_role):
    intake_id = make_intake(channel="web", user_key="visitor-x")
    claimed(intake_id)
    client = as_role("suishin")
    assert "送る文を入力してください" in client.post(f"/console/intakes/{intake_id}/reply", data={"text": " "},
                                                  follow_redirects=True).get_data(as_text=True)
    assert "2000 文字まで" in client.post(f"/console/intakes/{intake_id}/reply", data={"text": "あ" * 2001},
                                         follow_redirects=True).get_data(as_text=True)


def web_visitor_last_wrote(app, visitor, ago: timedelta) -> str:
    """The visitor opens the chat `ago` before now; returns their browser id (user key)."""
    app.config["CLOCK"] = lambda: utcnow() - ago
    try:
        visitor.open()
    finally:
        app.config.pop("CLOCK")
    with session_scope() as db:
        return db.exec(select(Conversation.user_key).where(Conversation.channel == "web")
                       .order_by(Conversation.id.desc())).first()


def reply_statuses(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'class="reply-status">(.*?)</', page, re.S)]


def test_web_reply_after_the_chat_ended_is_refused_with_a_phone_hint(app, as_role, visitor):
    user_key = web_visitor_last_wrote(app, visitor, timedelta(hours=2, minutes=5))
    intake_id = make_intake(channel="web", user_key=user_key)
    claimed(intake_id)
    client = as_role("suishin")
    page = client.get(f"/console/intakes/{intake_id}/reply").get_data(as_text=True)
    assert "相談者のチャットは終わっています。返信は届きません。電話など別の方法で連絡してください。" in page
    assert 'id="reply-form"' not in page
    page = client.post(f"/console/intakes/{intake_id}/reply", data={"text": "お電話します"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Web チャットは終わっているため、返信しても届きません" in page and "返信を用意しました" not in page
    with session_scope() as db:
        assert not db.exec(select(OutboxMessage).where(OutboxMessage.user_key == user_key,
                                                       OutboxMessage.event_id.like("staff-%"))).all()
    case_page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert 'id="case-reach"' in case_page and "返信は届きません" in case_page


def test_web_reply_not_picked_up_in_time_is_shown_as_not_delivered(app, as_role, visitor):
    user_key = web_visitor_last_wrote(app, visitor, timedelta(hours=1, minutes=50))  # 10 minutes left
    intake_id = make_intake(channel="web", user_key=user_key)
    claimed(intake_id)
    client = as_role("suishin")
    page = client.post(f"/console/intakes/{intake_id}/reply", data={"text": "明日 お電話してもいいですか"},
                       follow_redirects=True).get_data(as_text=True)
    assert "返信を用意しました。まだ届いていません" in page and "送信済み" not in page
    [status] = reply_statuses(page)
    assert status.startswith("まだ届いていません（相談者が ") and "までに Web チャットを開けば表示されます" in status

    app.config["CLOCK"] = lambda: utcnow() + timedelta(minutes=15)  # the resident comes back too late
    try:
        assert visitor.client.get("/chat/api/replies").get_json()["messages"] == []
        visitor.open()  # a new conversation on this browser: the old reply is not shown to whoever sits here
        assert visitor.client.get("/chat/api/replies").get_json()["messages"] == []
        page = client.get(f"/console/intakes/{intake_id}/reply").get_data(as_text=True)
        assert reply_statuses(page) == ["届きませんでした（相談者の Web チャットが終わったため）。電話など別の方法で連絡してください"]
        case_page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
        assert reply_statuses(case_page) == reply_statuses(page)  # the case timeline says the same
        assert "送信済み" not in case_page
    finally:
        app.config.pop("CLOCK")


def test_web_reply_picked_up_in_time_is_shown_as_delivered(app, as_role, visitor):
    user_key = web_visitor_last_wrote(app, visitor, timedelta(hours=1))
    intake_id = make_intake(channel="web", user_key=user_key)
    claimed(intake_id)
    client = as_role("suishin")
    client.post(f"/console/intakes/{intake_id}/reply", data={"text": "お返事 ありがとうございます。"})
    [message] = visitor.client.get("/chat/api/replies").get_json()["messages"]
    assert "お返事 ありがとうございます。" in message["text"]
    case_page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert reply_statuses(case_page) == ["送信済み"]
