"""What the resident dialog leaves for staff (outside walk #3 and #7): questions that applied
but were never asked show 未回答, and a withdrawal takes back only the purposes the resident
chose, with an entry on the case timeline."""
from __future__ import annotations

from sqlmodel import select

from dialogs import checklist
from models import ConsentRecord, Intake
from models.case import CaseEvent
from models.db import session_scope


def to_contact_time(visitor) -> None:
    visitor.open()
    visitor.tap("who:self")
    visitor.say("さくら")
    visitor.tap("age:40_64")
    visitor.tap("nav:skip")
    visitor.tap("household:partner")
    visitor.tap("nav:done")
    visitor.tap("nav:none")
    for _ in checklist.groups():
        visitor.tap("nav:next")
    visitor.tap("nav:skip")
    visitor.tap("since:1_3m")
    visitor.tap("contact:phone")
    visitor.say("080-1111-2222")


def only_intake() -> Intake:
    with session_scope() as s:
        [intake] = s.exec(select(Intake)).all()
        return intake


def test_safety_voicemail_and_consent_not_yet_asked_show_as_unanswered(visitor, as_role):
    to_contact_time(visitor)
    visitor.say("人と話したい")  # staff get the request now, before safety is asked
    intake = only_intake()
    assert intake.wants_person and intake.urgent
    page = as_role("admin").get(f"/console/intakes/{intake.id}").get_data(as_text=True)
    assert "連絡の注意" in page and 'id="contact-safety">未回答<' in page
    assert 'id="voicemail">未回答<' in page
    visitor.tap("contact_time:morning")
    visitor.tap("contact_safety:unsafe")
    visitor.tap("arrange:self")  # handed over: the consent questions were never asked
    page = as_role("admin").get(f"/console/intakes/{intake.id}").get_data(as_text=True)
    assert "情報共有 <span class=\"badge unknown\">未回答</span>" in page
    assert "電話・訪問は あぶない" in page and "日程などの連絡先" in page


def test_withdrawing_sharing_keeps_contact_and_is_on_the_timeline(visitor, as_role):
    to_contact_time(visitor)
    visitor.tap("contact_time:morning")
    visitor.tap("contact_safety:safe")
    visitor.tap("voicemail:yes")
    visitor.tap("consent_share:yes")
    visitor.tap("consent_meeting:yes")
    visitor.tap("confirm:submit")
    asked = visitor.say("同意をとりけす")
    assert {"withdraw_confirm:share", "withdraw_confirm:contact", "withdraw_confirm:all"} <= {
        c["value"] for c in asked[-1]["choices"]}
    visitor.tap("withdraw_confirm:share")
    intake = only_intake()
    with session_scope() as s:
        records = s.exec(select(ConsentRecord).where(ConsentRecord.intake_id == intake.id)
                         .order_by(ConsentRecord.id)).all()
        latest = {r.purpose: r.action for r in records}
        [event] = s.exec(select(CaseEvent).where(CaseEvent.intake_id == intake.id,
                                                 CaseEvent.kind == "consent_withdrawn")).all()
        purposes = event.data["purposes"]
    assert latest == {"share": "withdrawn", "meeting": "withdrawn", "contact": "granted", "voicemail": "granted"}
    assert [r.action for r in records if r.purpose == "share"] == ["granted", "withdrawn"]  # the original stays
    assert sorted(purposes) == ["meeting", "share"]
    page = as_role("admin").get(f"/console/intakes/{intake.id}").get_data(as_text=True)
    assert "相談者が同意を撤回" in page and "情報共有、会議" in page
