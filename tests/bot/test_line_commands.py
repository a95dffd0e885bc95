"""Commands, resume, expiry and crises over the real LINE path (event timestamps drive time)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from models import Conversation, Intake
from models.db import session_scope

SUNDAY_23H_JST = int(datetime(2026, 11, 29, 23, 0, tzinfo=timezone(timedelta(hours=9))).timestamp() * 1000)


def intakes() -> list[Intake]:
    with session_scope() as s:
        return s.exec(select(Intake).order_by(Intake.id)).all()


def conversation_state(resident) -> dict:
    with session_scope() as s:
        return s.exec(select(Conversation).where(Conversation.user_key == resident.user_id)).one().state


def test_sunday_night_intake_is_marked_after_hours_and_says_when_staff_read_it(resident):
    resident.clock_ms = SUNDAY_23H_JST
    greeting = resident.follow()
    assert any("11月30日（月）8時30分" in t for t in greeting)
    resident.say("人と話したい")
    [intake] = intakes()
    assert intake.after_hours and intake.wants_person and intake.urgent


def test_crisis_at_the_first_message_comes_first_and_staff_see_it_at_once(resident, fake_line):
    texts = resident.say("彼に毎晩たたかれる。こわい")
    assert "0120-279-889" in texts[0] and "#8008" in texts[0] and "110" in texts[0]
    [intake] = intakes()
    assert intake.urgent and intake.crisis_kinds == ["violence"] and not intake.complete
    assert "たたかれる" in " ".join(intake.crisis_evidence)


def test_quit_on_line_deletes_the_partial_answers(resident):
    resident.follow()
    resident.tap("who:family")
    resident.say("母が認知症で")  # kept as free text while the conversation runs
    assert conversation_state(resident)["concern"] == ["母が認知症で"]
    resident.say("やめる")
    texts = resident.tap("quit_confirm:yes")
    assert any("消しました" in t for t in texts)
    state = conversation_state(resident)
    assert state["concern"] == [] and state["answers"] == {} and state["state"] == "idle"
    assert intakes() == []


def test_coming_back_two_hours_later_offers_to_continue(resident):
    resident.follow()
    resident.tap("who:family")
    resident.later(hours=2)
    texts = resident.say("すみません、続きです")
    assert any("続きから" in t for t in texts)
    texts = resident.tap("resume:resume")
    assert any("お名前" in t for t in texts)


def test_coming_back_after_a_day_starts_over(resident):
    resident.follow()
    resident.tap("who:family")
    resident.later(hours=25)
    texts = resident.say("こんにちは")
    assert any("24時間" in t for t in texts)
    assert conversation_state(resident)["answers"] == {}


def test_consent_no_still_submits_and_the_intake_says_so(resident):
    resident.follow()
    resident.tap("who:self")
    resident.tap("nav:anonymous")
    resident.tap("age:18_39")
    resident.tap("nav:skip")
    resident.tap("household:alone")
    resident.tap("nav:done")
    resident.tap("nav:none")
    resident.tap("checklist:debt")
    for _ in range(6):
        resident.tap("nav:next")
    resident.tap("nav:skip")
    resident.tap("since:unknown")
    resident.tap("contact:none")
    resident.tap("consent_share:no")  # no meeting question after a no
    texts = resident.tap("confirm:submit")
    [intake] = intakes()
    assert intake.receipt_no in texts[0] and intake.complete and intake.primary == "debt"
    assert any("連絡は しません" in t for t in texts) and not any("同意をとりけす" in t for t in texts)
    from workers.intakes import current_consents

    with session_scope() as s:
        assert current_consents(s, intake.id) == {"share": False, "contact": False}


def test_crisis_in_the_middle_is_one_reply_with_numbers_then_the_question(resident, fake_line):
    resident.follow()
    resident.tap("who:family")
    resident.tap("nav:anonymous")
    texts = resident.say("もう消えてしまいたい")
    assert "0120-783-556" in texts[0]
    assert texts[1].startswith("その人は、あなたから見て")  # no "please use the buttons" after a crisis
    assert [d["endpoint"] for d in fake_line.delivered][-1] == "reply"  # one request, no extra push
    assert "nav:human" in [a["data"] for a in resident.last_quick_reply()]


def test_a_conversation_saved_by_an_older_release_starts_again_instead_of_failing(resident):
    resident.follow()
    with session_scope() as s:
        conv = s.exec(select(Conversation).where(Conversation.user_key == resident.user_id)).one()
        conv.state = {**conv.state, "state": "a_step_that_no_longer_exists"}
        s.add(conv)
    texts = resident.say("家賃が払えません")
    assert any("だれの ことで" in t for t in texts)  # answered, from the start
    assert conversation_state(resident)["concern"] == ["家賃が払えません"]  # the words are kept
