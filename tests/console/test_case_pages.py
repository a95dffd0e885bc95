"""The case page through the Flask test client: every action, its message, the refusals."""
from __future__ import annotations

import re

from sqlmodel import select

from console.staff import upsert_staff
from models import AuditEvent, Intake, StaffUser
from models.case import CaseEvent, ContactLog, Meeting, SupportPlan
from models.db import session_scope
from tests.console.conftest import PASSWORD, login, make_intake


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash [a-z]*" role="status">([^<]*)</p>', page)


def post(client, intake_id, action, data=None, follow=True):
    return client.post(f"/console/intakes/{intake_id}/{action}", data=data or {}, follow_redirects=follow)


def case(intake_id) -> Intake:
    with session_scope() as db:
        return db.get(Intake, intake_id)


def test_a_coordinator_works_a_case_from_claim_to_close(as_role):
    intake_id = make_intake(reporter_role="self", consents={"share": ["granted"], "meeting": ["granted"]},
                            categories=["income", "caregiving", "hikikomori"], primary="caregiving")
    admin_client = None
    client = as_role("suishin")
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert 'id="claim"' in page and "未担当" in page

    page = post(client, intake_id, "claim", {"state": "new"}).get_data(as_text=True)
    assert flashes(page) == ["この相談の担当になりました。"]
    assert "推定：<strong>③" in page  # three fields of support
    page = post(client, intake_id, "triage", {"state": "claimed", "triage_class": "3",
                                               "reason": "8050 世帯で介護と収入"}).get_data(as_text=True)
    assert flashes(page) == ["振り分けを記録しました。"] and "理由：8050 世帯で介護と収入" in page
    assert "重層的支援会議を開けます" in page

    page = post(client, intake_id, "meeting", {
        "state": "triaged", "kind": "jusoteki", "held_on": "2026-12-03", "outcome": "役割分担",
        "members-0-name": "山田", "members-0-organisation": "地域包括支援センター",
        "members-1-name": "佐藤", "members-1-organisation": "若者相談センター"}).get_data(as_text=True)
    assert flashes(page) == ["会議を記録しました。"] and "地域包括支援センター" in page
    meeting_id = _one(Meeting).id
    page = post(client, intake_id, "plan", {
        "state": "meeting", "goals": "母の介護を続けながら働きたい", "meeting_id": meeting_id,
        "tasks-0-who": "地域包括", "tasks-0-what": "介護認定", "review_on": "2027-01-15"}).get_data(as_text=True)
    assert flashes(page) == ["支援プランを記録しました。承認を待っています。"] and "承認待ち" in page
    plan_id = _one(SupportPlan).id
    page = post(client, intake_id, f"plans/{plan_id}/approve", {"state": "planning"}).get_data(as_text=True)
    assert flashes(page) == ["プランの承認は、市の職員の推進員または管理者が行います。"]

    with session_scope() as db:
        db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one().city_staff = True
    page = post(client, intake_id, f"plans/{plan_id}/approve", {"state": "planning"}).get_data(as_text=True)
    assert flashes(page) == ["支援プランを承認しました。支援中になりました。"]

    page = post(client, intake_id, "contact", {"state": "supporting", "method": "visit",
                                                "happened_at": "2026-11-25T14:30", "note": "自宅を訪問"}).get_data(as_text=True)
    assert flashes(page) == ["対応を記録しました。"] and "対応記録（1回）" in page and "2026-11-25 14:30" in page
    page = post(client, intake_id, "move", {"state": "supporting", "to_state": "monitoring"}).get_data(as_text=True)
    assert flashes(page) == ["状態を「モニタリング」にしました。"]
    page = post(client, intake_id, "close", {"state": "monitoring", "outcome": "watching", "note": "見守りへ"}).get_data(as_text=True)
    assert flashes(page) == ["終結しました。"] and "終結（見守りへ移行）" in page
    page = post(client, intake_id, "reopen", {"state": "closed", "reason": "また連絡があった"}).get_data(as_text=True)
    assert flashes(page) == ["再開しました。あなたが担当です。"]
    assert case(intake_id).status == "claimed" and admin_client is None
    with session_scope() as db:
        kinds = [e.kind for e in db.exec(select(CaseEvent).order_by(CaseEvent.id))]
        actions = set(db.exec(select(AuditEvent.action)).all())
    assert kinds == ["claim", "triage", "convene", "plan", "start_support", "contact", "monitor", "close", "reopen"]
    assert {"case.claim", "case.triage", "case.convene", "case.close", "case.reopen", "intake.view"} <= actions


def _one(model):
    with session_scope() as db:
        return db.exec(select(model)).one()


def test_second_claim_and_stale_forms_get_a_message_not_an_error(as_role, client):
    with session_scope() as db:
        upsert_staff(db, "suishin2", "推進員２", "suishin", PASSWORD)
    intake_id = make_intake()
    first = as_role("suishin")
    post(first, intake_id, "claim", {"state": "new"})
    other = first.application.test_client()
    login(other, "suishin2")
    page = post(other, intake_id, "claim", {"state": "new"})
    assert page.status_code == 200
    assert flashes(page.get_data(as_text=True)) == ["この相談は、すでに 推進員（デモ） さんが担当しています。"]
    page = post(other, intake_id, "triage", {"state": "claimed", "triage_class": "1", "reason": "x"}).get_data(as_text=True)
    assert flashes(page) == ["この相談の担当者ではありません。先に担当を引き継いでください。"]
    # the assignee's own stale tab: the form was drawn while the case was 新規
    page = post(first, intake_id, "close", {"state": "new", "outcome": "resolved"}).get_data(as_text=True)
    assert flashes(page) == ["この相談は、ほかの職員（またはほかのタブ）で先に更新されました。最新の内容を確認してください。"]
    page = post(first, intake_id, "move", {"state": "claimed", "to_state": "supporting"}).get_data(as_text=True)
    assert flashes(page) == ["この操作は今の状態（担当決定）ではできません。画面を読み込み直してください。"]
    page = post(first, intake_id, "triage", {"state": "claimed", "triage_class": "9", "reason": ""}).get_data(as_text=True)
    assert flashes(page)[0].startswith("振り分け：")
    assert case(intake_id).status == "claimed"


def test_release_reassign_and_contacts_need_the_assignee(as_role):
    with session_scope() as db:
        upsert_staff(db, "suishin2", "推進員２", "suishin", PASSWORD)
        db.flush()
        other_id = db.exec(select(StaffUser.id).where(StaffUser.username == "suishin2")).one()
    intake_id = make_intake()
    client = as_role("suishin")
    post(client, intake_id, "claim", {"state": "new"})
    me = case(intake_id).assignee_id
    page = post(client, intake_id, "reassign", {"state": "claimed", "assignee": me, "to_staff": other_id}).get_data(as_text=True)
    assert flashes(page) == ["担当を引き継ぎました。"] and case(intake_id).assignee_id == other_id
    page = post(client, intake_id, "contact", {"state": "claimed", "method": "phone",
                                                "happened_at": "2026-12-01T10:00"}).get_data(as_text=True)
    assert flashes(page) == ["この相談の担当者ではありません。先に担当を引き継いでください。"]
    with session_scope() as db:
        assert db.exec(select(ContactLog)).all() == []
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "case.refused")).all()


def test_consent_override_needs_a_reason_and_is_shown(as_role):
    intake_id = make_intake(reporter_role="family")
    client = as_role("suishin")
    post(client, intake_id, "claim", {"state": "new"})
    page = post(client, intake_id, "consent-override", {"state": "claimed", "purpose": "share", "reason": "  "}).get_data(as_text=True)
    assert "入力してください" in flashes(page)[0]
    page = post(client, intake_id, "consent-override", {"state": "claimed", "purpose": "share", "reason": "支援会議で共有を決定"}).get_data(as_text=True)
    assert flashes(page) == ["同意の上書きを理由とともに記録しました。"]
    assert "理由：支援会議で共有を決定" in page and '<span class="badge yes">有効</span>' in page


def test_an_expired_csrf_token_gets_a_message(app, staff):
    app.config["WTF_CSRF_ENABLED"] = True
    intake_id = make_intake()
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"username": "suishin", "password": PASSWORD, "csrf_token": token})
    response = post(client, intake_id, "claim", {"state": "new", "csrf_token": "stale"})
    assert response.status_code == 200
    assert flashes(response.get_data(as_text=True)) == ["画面の有効期限が切れました。もう一度読み込んでから操作してください。"]
    assert case(intake_id).assignee_id is None
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert flashes(post(client, intake_id, "claim", {"state": "new", "csrf_token": token}).get_data(as_text=True)) == [
        "この相談の担当になりました。"]
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    forms = page.count('<form method="post"')
    assert forms >= 6 and page.count('name="csrf_token"') == forms  # every form carries the token


def test_counts_page_has_numbers_and_no_personal_data(as_role):
    make_intake(categories=["food"], primary="food", free_text="米がない 090-1234-5678")
    make_intake(categories=["food", "debt"], primary="debt")
    page = as_role("viewer").get("/console/counts").get_data(as_text=True)
    assert 'id="total">2<' in page and "食べるものがない</th><td class=\"n\">2<" in page and "2026-11" in page
    assert "米がない" not in page and "090-1234-5678" not in page and "TEST-" not in page
