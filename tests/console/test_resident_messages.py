"""What a resident writes after their intake reaches the staff who hold the case: a timeline
entry (with a new crisis named) and a 新着メッセージ mark in the queue until the assignee looks
(found by the outside walk: a new suicide statement on an assigned case changed nothing)."""
from __future__ import annotations

from sqlmodel import select

from models import Intake, StaffUser
from models.case import CaseEvent
from models.db import session_scope
from tests.bot.test_first_contact import clock, submit_self_with_phone  # noqa: F401
from tests.console.conftest import login, staff  # noqa: F401
from console import cases


def _claim_as(username: str) -> int:
    with session_scope() as db:
        intake = db.exec(select(Intake)).one()
        cases.claim(db, intake, db.exec(select(StaffUser).where(StaffUser.username == username)).one())
        return intake.id


def _queue_row(client, receipt_no: str) -> str:
    page = client.get("/console/?state=all").get_data(as_text=True)
    start = page.index(f'data-receipt="{receipt_no}"')
    return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]


def test_a_new_crisis_on_a_claimed_case_shows_in_the_timeline_and_the_queue(app, visitor, clock, staff):  # noqa: F811
    submit_self_with_phone(visitor)
    intake_id = _claim_as("suishin")
    clock.later(minutes=20)
    visitor.say("やっぱりもう生きていたくない")

    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        [event] = db.exec(select(CaseEvent).where(CaseEvent.kind == "resident_message")).all()
        assert "suicide" in event.data["crisis_kinds"] and intake.resident_wrote_at is not None
        assert "生きていたくない" not in str(event.data)  # the words stay in the intake only
        receipt = intake.receipt_no

    client = app.test_client()
    login(client, "suishin")
    assert "新着メッセージ" in _queue_row(client, receipt)
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):]
    assert "相談者からの追加メッセージ" in timeline and "危機：" in timeline
    # the assignee has looked: the mark goes, the timeline entry stays
    assert "新着メッセージ" not in _queue_row(client, receipt)


def test_someone_else_opening_the_case_leaves_the_mark_for_the_assignee(app, visitor, clock, staff):  # noqa: F811
    submit_self_with_phone(visitor)
    intake_id = _claim_as("suishin")
    visitor.say("それと、電気も止まりそうです")
    client = app.test_client()
    login(client, "admin")
    client.get(f"/console/intakes/{intake_id}")
    with session_scope() as db:
        assert db.get(Intake, intake_id).resident_wrote_at is not None
        [event] = db.exec(select(CaseEvent).where(CaseEvent.kind == "resident_message")).all()
        assert event.data == {"crisis_kinds": [], "wants_person": False}
