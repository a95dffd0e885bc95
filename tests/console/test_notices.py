"""Reporters hear back: a family member or 民生委員 who reported over LINE or the web chat is
told when the case is taken up and when it is passed to an agency - once each, never the
person's details - and the person themself is not sent these notices."""
from __future__ import annotations

from sqlmodel import select

from console import cases, referrals
from models import Agency, Intake, StaffUser
from models.db import session_scope
from tests.console.conftest import make_intake
from tests.helpers import run_jobs


def user(db, username):
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def claim_triage_refer(intake_id):
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), user(db, "suishin")
        cases.claim(db, intake, me)
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), user(db, "suishin")
        cases.release(db, intake, me)
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), user(db, "suishin")
        cases.claim(db, intake, me)  # claimed again: no second notice
        cases.triage(db, intake, me, "4", "第三者からの相談")
        anshin = db.exec(select(Agency).where(Agency.code == "anshin")).one().id
        referrals.refer(db, intake, me, [anshin], "見守りをお願いします")


def test_a_family_reporter_on_line_hears_back_twice(app, staff, resident, fake_line):
    intake_id = make_intake(channel="line", user_key=resident.user_id, reporter_role="family",
                            free_text="母が一人で暮らしていて心配です", categories=["caregiving"], primary="caregiving")
    claim_triage_refer(intake_id)
    run_jobs(app)
    texts = [m["text"] for d in fake_line.delivered if d["to"] == resident.user_id for m in d["messages"]]
    with session_scope() as db:
        receipt = db.get(Intake, intake_id).receipt_no
    assert len(texts) == 2
    assert texts[0].startswith(f"受付番号 {receipt} の ご相談を、担当の 職員が 受け付けました。")
    assert texts[1].startswith(f"受付番号 {receipt} の ご相談を、担当の 機関に つなぎました。")
    for secret in ("母が一人で", "高齢者あんしん", "見守り"):
        assert all(secret not in t for t in texts)


def test_a_minsei_on_the_web_chat_sees_it_next_time(app, staff, visitor):
    visitor.open()
    with session_scope() as db:
        from models import Conversation
        web_user = db.exec(select(Conversation).where(Conversation.channel == "web")).one().user_key
    intake_id = make_intake(channel="web", user_key=web_user, reporter_role="minsei", categories=["caregiving"])
    claim_triage_refer(intake_id)
    texts = [m["text"] for m in visitor.client.get("/chat/api/replies").get_json()["messages"]]
    assert len(texts) == 2 and "受け付けました" in texts[0] and "つなぎました" in texts[1]


def test_the_person_themself_gets_no_notices(app, staff, resident, fake_line):
    intake_id = make_intake(channel="line", user_key=resident.user_id, reporter_role="self",
                            categories=["caregiving"])
    claim_triage_refer(intake_id)
    run_jobs(app)
    assert not [d for d in fake_line.delivered if d["to"] == resident.user_id]
