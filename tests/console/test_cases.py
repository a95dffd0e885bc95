"""Case services on both back ends: claim, moves, stale forms, meetings, plans, close."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from console import cases
from console.cases import CaseError
from console.staff import upsert_staff
from models import AuditEvent, Intake, StaffUser
from models.case import CaseEvent
from models.db import session_scope
from tests.console.conftest import PASSWORD, make_intake


def user(db, username):
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def do(fn, intake_id, username, *args, **kwargs):
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        return fn(db, intake, user(db, username), *args, **kwargs)


def test_claim_twice_gives_one_owner_and_a_clear_message(staff):
    upsert_staff_second()
    intake_id = make_intake()
    do(cases.claim, intake_id, "suishin")
    with pytest.raises(CaseError) as lost:
        do(cases.claim, intake_id, "suishin2")
    assert lost.value.message == "この相談は、すでに 推進員（デモ） さんが担当しています。"
    with pytest.raises(CaseError) as again:
        do(cases.claim, intake_id, "suishin")
    assert again.value.key == "already_yours"
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        assert intake.status == "claimed" and intake.assignee_id == user(db, "suishin").id
        kinds = [e.kind for e in cases.timeline(db, intake_id)]
        assert kinds == ["claim"]
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.claim")).all()


def upsert_staff_second():
    with session_scope() as db:
        upsert_staff(db, "suishin2", "推進員２", "suishin", PASSWORD)


def test_whole_life_of_a_case_is_on_its_timeline(staff):
    intake_id = make_intake(reporter_role="self", consents={"share": ["granted"], "meeting": ["granted"]})
    do(cases.claim, intake_id, "suishin")
    do(cases.triage, intake_id, "suishin", "3", "8050と借金と介護", expected="claimed")
    meeting = do(cases.record_meeting, intake_id, "suishin", "jusoteki", date(2026, 12, 1),
                 [{"name": "地域包括 山田", "organisation": "地域包括支援センター"}], "役割分担を決めた")
    plan = do(cases.record_plan, intake_id, "suishin", "母の介護を続けながら働きたい",
              [{"who": "地域包括", "what": "介護認定の申請"}], date(2027, 1, 15), meeting.id)
    with pytest.raises(CaseError) as refused:
        do(cases.approve_plan, intake_id, "suishin", plan.id)  # not city staff
    assert refused.value.key == "approver_required"
    do(cases.approve_plan, intake_id, "admin", plan.id)
    do(cases.log_contact, intake_id, "suishin", "phone", datetime(2026, 11, 25, 1, tzinfo=timezone.utc), "本人と話した")
    do(cases.transition, intake_id, "suishin", "monitoring")
    do(cases.close, intake_id, "suishin", "resolved", "仕事が見つかった")
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        assert (intake.status, intake.outcome, intake.triage_class) == ("closed", "resolved", "3")
        events = cases.timeline(db, intake_id)
        assert [(e.kind, e.to_status) for e in events] == [
            ("claim", "claimed"), ("triage", "triaged"), ("convene", "meeting"), ("plan", "planning"),
            ("start_support", "supporting"), ("contact", None), ("monitor", "monitoring"), ("close", "closed")]
    do(cases.reopen, intake_id, "suishin2" if False else "suishin", "また連絡があった")
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        assert (intake.status, intake.outcome) == ("claimed", None)


def test_disallowed_and_stale_moves_are_refused_with_a_message(staff):
    intake_id = make_intake()
    with pytest.raises(CaseError) as not_allowed:
        do(cases.close, intake_id, "suishin", "resolved")  # 新規 cannot be closed
    assert "今の状態（新規）" in not_allowed.value.message
    do(cases.claim, intake_id, "suishin")
    with pytest.raises(CaseError) as stale:
        do(cases.triage, intake_id, "suishin", "1", "家賃だけ", expected="new")  # drawn before the claim
    assert stale.value.key == "stale"
    with session_scope() as db:
        assert db.get(Intake, intake_id).status == "claimed"
        assert len(cases.timeline(db, intake_id)) == 1


def test_jusoteki_meeting_needs_consent_and_shien_needs_pledges(staff):
    intake_id = make_intake(reporter_role="neighbor")
    do(cases.claim, intake_id, "suishin")
    do(cases.triage, intake_id, "suishin", "4", "ごみ屋敷、本人と会えていない")
    members = [{"name": "民生委員 佐藤", "pledged": True}, {"name": "保健師 田中", "pledged": False}]
    with pytest.raises(CaseError) as no_consent:
        do(cases.record_meeting, intake_id, "suishin", "jusoteki", date(2026, 12, 1), members, "")
    assert no_consent.value.key == "jusoteki_needs_consent"
    with pytest.raises(CaseError) as no_pledge:
        do(cases.record_meeting, intake_id, "suishin", "shien", date(2026, 12, 1), members, "")
    assert no_pledge.value.key == "pledges_required"
    members[1]["pledged"] = True
    meeting = do(cases.record_meeting, intake_id, "suishin", "shien", date(2026, 12, 1), members, "訪問する")
    assert meeting.id and [m["pledged"] for m in meeting.members] == [True, True]
    # the 支援会議 decided to share: an override with a reason, then a 重層的支援会議 is possible
    do(cases.override_consent, intake_id, "suishin", "share", "支援会議で共有を決定")
    do(cases.override_consent, intake_id, "suishin", "meeting", "支援会議で決定")
    do(cases.record_meeting, intake_id, "suishin", "jusoteki", date(2026, 12, 8), members, "")


def test_withdrawal_after_an_override_stops_sharing(staff):
    intake_id = make_intake(consents={"share": ["declined"]})
    do(cases.claim, intake_id, "suishin")
    do(cases.override_consent, intake_id, "suishin", "share", "支援会議で決定")
    with session_scope() as db:
        assert cases.sharing_allowed(db, db.get(Intake, intake_id))
    make_consent(intake_id, "share", "withdrawn", datetime.now(timezone.utc) + timedelta(minutes=1))
    with session_scope() as db:
        assert not cases.sharing_allowed(db, db.get(Intake, intake_id))


def make_consent(intake_id, purpose, action, at):
    from models import ConsentRecord
    with session_scope() as db:
        db.add(ConsentRecord(intake_id=intake_id, purpose=purpose, action=action, wording_version="v", recorded_at=at))


def test_override_needs_the_assignee(staff):
    intake_id = make_intake()
    upsert_staff_second()
    do(cases.claim, intake_id, "suishin")
    with pytest.raises(PermissionError):
        do(cases.override_consent, intake_id, "suishin2", "share", "理由")


def test_untouched_claims_return_to_the_queue(staff):
    old, fresh, worked = make_intake(), make_intake(), make_intake()
    start = datetime.now(timezone.utc) - timedelta(hours=80)
    for intake_id in (old, worked):
        with session_scope() as db:
            cases.claim(db, db.get(Intake, intake_id), user(db, "suishin"), now=start)
    do(cases.claim, fresh, "suishin")
    do(cases.triage, worked, "suishin", "1", "家賃")
    with session_scope() as db:
        released = cases.release_stale_claims(db, timedelta(hours=72))
    assert released == [old]
    with session_scope() as db:
        intake = db.get(Intake, old)
        assert (intake.status, intake.assignee_id) == ("new", None)
        last = cases.timeline(db, old)[-1]
        assert (last.kind, last.actor_id, last.to_status) == ("auto_release", None, "new")
        assert db.get(Intake, fresh).assignee_id is not None
    with session_scope() as db:
        assert cases.release_stale_claims(db, timedelta(hours=72)) == []


def test_timeline_rows_are_append_only(staff):
    intake_id = make_intake()
    do(cases.claim, intake_id, "suishin")
    with pytest.raises(PermissionError):
        with session_scope() as db:
            event = db.exec(select(CaseEvent)).first()
            event.kind = "forged"


def test_the_periodic_job_uses_the_configured_timeout(staff):
    from workers.cases import release_stale_claims

    intake_id = make_intake()
    with session_scope() as db:
        cases.claim(db, db.get(Intake, intake_id), user(db, "suishin"),
                    now=datetime.now(timezone.utc) - timedelta(hours=73))
    assert release_stale_claims() == 1  # default 72 hours
    with session_scope() as db:
        assert db.get(Intake, intake_id).status == "new"
