"""Referral services on both back ends: one function per verb, the status table enforced,
the case timeline and lifecycle kept in step, reminders after N business days."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from console import cases, referrals
from console.referrals import ReferralError
from models import Agency, Intake, Referral, StaffUser
from models.case import CaseEvent
from models.db import session_scope
from tests.console.conftest import PASSWORD, make_intake


def user(db, username):
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def agency_id(code):
    with session_scope() as db:
        return db.exec(select(Agency).where(Agency.code == code)).one().id


def triaged_case(**fields) -> int:
    intake_id = make_intake(**fields)
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), user(db, "suishin")
        cases.claim(db, intake, me)
        cases.triage(db, intake, me, "1", "主訴が明確")
    return intake_id


def refer(intake_id, *codes, note="家賃の相談です", now=None):
    ids = [agency_id(c) for c in codes]
    with session_scope() as db:
        return [r.id for r in referrals.refer(db, db.get(Intake, intake_id), user(db, "suishin"), ids, note, now=now)]


def agency_does(verb, referral_id, *args, username="agency", **kwargs):
    with session_scope() as db:
        return getattr(referrals, verb)(db, referral_id, user(db, username), *args, **kwargs)


def case(intake_id):
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        kinds = [e.kind for e in db.exec(select(CaseEvent).where(CaseEvent.intake_id == intake_id)
                                         .order_by(CaseEvent.id))]
        return intake.status, kinds


def test_refer_accept_complete_is_on_the_timeline(staff):
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    assert case(intake_id)[0] == "referring"
    agency_does("accept", rid)
    agency_does("complete", rid, "住居確保給付金を申請した")
    status, kinds = case(intake_id)
    assert status == "referring"
    assert kinds[-3:] == ["refer", "referral_accept", "referral_complete"]
    with session_scope() as db:
        row = db.get(Referral, rid)
        assert row.status == "done" and row.result_note == "住居確保給付金を申請した"
        assert row.answered_by == user(db, "agency").id


def test_send_back_with_a_proposal_returns_the_case_for_routing_again(staff):
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    with pytest.raises(ReferralError) as empty:
        agency_does("send_back", rid, "  ")
    assert empty.value.message == "提案を入力してください。"
    agency_does("send_back", rid, "介護の課題が中心なので、地域包括支援センターへ")
    status, kinds = case(intake_id)
    assert status == "triaged" and kinds[-2:] == ["referral_send_back", "return"]
    with session_scope() as db:
        assert db.get(Referral, rid).proposal == "介護の課題が中心なので、地域包括支援センターへ"
    # the coordinator refers it elsewhere
    refer(intake_id, "anshin")
    assert case(intake_id)[0] == "referring"


def test_one_of_two_declines_the_case_stays_referring(staff):
    intake_id = triaged_case()
    first, second = refer(intake_id, "seikatsu", "kyoju")
    agency_does("decline", first, "対象外（持ち家のため）")
    assert case(intake_id)[0] == "referring"


def test_invalid_moves_raise_clear_errors(staff):
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    with pytest.raises(ReferralError) as early:
        agency_does("complete", rid)
    assert early.value.message == "この依頼は今の状態（依頼中）では「完了にする」できません。画面を読み込み直してください。"
    agency_does("accept", rid)
    with pytest.raises(ReferralError) as stale:
        agency_does("accept", rid, expected="requested")  # a second tab drawn before the accept
    assert stale.value.key == "stale"
    with pytest.raises(ReferralError) as twice:
        refer(intake_id, "seikatsu")
    assert "すでに回答待ちまたは受理済み" in twice.value.message


def test_only_the_receiving_agency_may_answer(staff):
    from console.staff import upsert_staff
    from tests.console.conftest import PASSWORD

    with session_scope() as db:
        other = upsert_staff(db, "kodomo1", "子ども家庭支援センター職員", "agency", PASSWORD)
        other.agency_id = db.exec(select(Agency).where(Agency.code == "kodomo")).one().id
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    with pytest.raises(PermissionError):
        agency_does("accept", rid, username="kodomo1")
    with pytest.raises(PermissionError):
        agency_does("accept", rid, username="suishin")


def test_refer_needs_a_triaged_case_and_an_active_agency(staff):
    intake_id = make_intake()
    with session_scope() as db:
        cases.claim(db, db.get(Intake, intake_id), user(db, "suishin"))
    with pytest.raises(ReferralError) as untriaged:
        refer(intake_id, "seikatsu")
    assert untriaged.value.key == "case_state"
    intake_id = triaged_case()
    with pytest.raises(ReferralError) as none:
        refer(intake_id)
    assert none.value.key == "no_agency"
    with session_scope() as db:
        db.exec(select(Agency).where(Agency.code == "kyoju")).one().active = False
    with pytest.raises(ReferralError) as inactive:
        refer(intake_id, "kyoju")
    assert inactive.value.key == "unknown_agency"


def test_withdraw_by_the_coordinator(staff):
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    with session_scope() as db:
        referrals.withdraw(db, rid, user(db, "suishin"), "本人が別の窓口に行った")
    status, kinds = case(intake_id)
    assert status == "triaged" and kinds[-2:] == ["referral_withdraw", "return"]


def test_unanswered_referrals_get_one_reminder_after_business_days(staff):
    intake_id = triaged_case()
    friday = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)  # 10:00 JST
    (rid,) = refer(intake_id, "seikatsu", now=friday)
    # 3 business days: Tue 24, Wed 25, Thu 26 (Mon 23 is 勤労感謝の日) -> Thu 17:00 JST
    assert referrals.sweep_reminders(now=datetime(2026, 11, 26, 7, 59, tzinfo=timezone.utc)) == 0
    assert referrals.sweep_reminders(now=datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)) == 1
    assert referrals.sweep_reminders(now=datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)) == 0
    _, kinds = case(intake_id)
    assert kinds.count("referral_reminder") == 1
    (answered,) = refer(triaged_case(), "seikatsu", now=friday)
    agency_does("accept", answered)
    assert referrals.sweep_reminders(now=friday + timedelta(days=30)) == 0


def test_hostile_lengths_are_refused_with_a_message_and_nothing_changes(staff):
    intake_id = triaged_case()
    with pytest.raises(ReferralError) as long_note:
        refer(intake_id, "seikatsu", note="あ" * 100_000)
    assert long_note.value.message == "依頼の内容は 2000 文字までです。"
    (rid,) = refer(intake_id, "seikatsu")
    with pytest.raises(ReferralError) as long_proposal:
        agency_does("send_back", rid, "提" * 100_000)
    assert long_proposal.value.key == "too_long"
    with session_scope() as db:
        assert db.get(Referral, rid).status == "requested"


# ---- closing a case with referrals (found by the outside walk) ------------------------------

def close(intake_id, outcome, note=""):
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        cases.close(db, intake, user(db, "suishin"), outcome, note, expected=intake.status)


def test_a_case_with_an_unanswered_request_cannot_be_closed_until_it_is_withdrawn(staff):
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    with pytest.raises(cases.CaseError, match="1 件、まだ終わっていません"):
        close(intake_id, "resolved")
    with session_scope() as db:
        referrals.withdraw(db, rid, user(db, "suishin"), "本人が自分で申請した")
    close(intake_id, "resolved")
    assert case(intake_id)[0] == "closed"


def test_an_accepted_referral_stays_only_when_the_case_is_handed_over_and_the_agency_sees_it_closed(
        app, staff):
    intake_id = triaged_case()
    (rid,) = refer(intake_id, "seikatsu")
    agency_does("accept", rid)
    with pytest.raises(cases.CaseError, match="まだ終わっていません"):
        close(intake_id, "resolved")
    close(intake_id, "handed_over")
    with pytest.raises(ReferralError, match="推進員に電話などで直接"):  # walk 2, B7: not onto a closed case
        agency_does("send_back", rid, "消費生活センターへ")
    client = app.test_client()
    client.post("/console/login", data={"username": "agency", "password": PASSWORD})
    page = client.get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert 'id="case-closed"' in page and "他機関へ引継ぎ" in page
    assert 'id="move-send_back"' not in page and 'id="move-complete"' in page


def test_a_crisis_closed_without_any_contact_needs_a_written_reason(staff):
    intake_id = triaged_case(crisis=True, urgent=True, crisis_kinds=["suicide"])
    with pytest.raises(cases.CaseError, match="対応記録がありません"):
        close(intake_id, "resolved")
    with pytest.raises(cases.CaseError, match="10文字以上"):
        close(intake_id, "resolved", "あ")  # walk 2, B9: one character is not a reason
    close(intake_id, "unreachable", "3日間、朝夕に電話したがつながらない。警察に安否確認を依頼済み")
    assert case(intake_id)[0] == "closed"
