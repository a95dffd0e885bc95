"""Admin screens: staff accounts, the agency directory, settings, the audit log - each route
for each role, and what an admin sees change."""
from __future__ import annotations

import pytest
from sqlmodel import select

from console import config_store
from models import Agency, AuditEvent, StaffUser
from models.db import session_scope
from models.staff import verify_password
from tests.console.conftest import login

ADMIN_PAGES = ["/console/admin/staff", "/console/admin/agencies", "/console/admin/settings",
               "/console/admin/audit"]


@pytest.mark.parametrize("role, status", [("admin", 200), ("suishin", 403), ("agency", 403), ("viewer", 403)])
def test_only_admin_opens_admin_pages(as_role, role, status):
    client = as_role(role)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == status, url
    assert client.post("/console/admin/staff", data={"username": "x"}).status_code in (status, 400 if status == 200 else status)


def test_admin_pages_need_login(client, staff):
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def _user(username):
    with session_scope() as db:
        return db.exec(select(StaffUser).where(StaffUser.username == username)).first()


def _agency(code):
    with session_scope() as db:
        return db.exec(select(Agency).where(Agency.code == code)).first()


def test_admin_creates_agency_staff_who_can_then_log_in(app, as_role):
    client = as_role("admin")
    kodomo = _agency("kodomo")
    response = client.post("/console/admin/staff", data={
        "username": "kodomo1", "display_name": "子ども家庭支援センター 佐藤", "role": "agency",
        "agency_id": str(kodomo.id), "password": "a long enough password"})
    assert response.status_code == 302
    page = client.get("/console/admin/staff").get_data(as_text=True)
    assert "kodomo1" in page and "子ども家庭支援センター" in page
    user = _user("kodomo1")
    assert user.role == "agency" and user.agency_id == kodomo.id
    fresh = app.test_client()
    assert login(fresh, "kodomo1", "a long enough password").status_code == 302


@pytest.mark.parametrize("form, message", [
    ({"username": "ok_name", "display_name": "x", "role": "agency", "password": "long enough pw"}, "所属する機関を選んで"),
    ({"username": "a b", "display_name": "x", "role": "suishin", "password": "long enough pw"}, "ユーザー名は半角"),
    ({"username": "suishin", "display_name": "x", "role": "suishin", "password": "long enough pw"}, "すでに使われています"),
    ({"username": "short_pw", "display_name": "x", "role": "suishin", "password": "short"}, "12 文字以上"),
    ({"username": "bad_role", "display_name": "x", "role": "root", "password": "long enough pw"}, "役割を選んで"),
])
def test_bad_staff_forms_get_a_clear_answer(as_role, form, message):
    client = as_role("admin")
    response = client.post("/console/admin/staff", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "long enough pw" not in page  # the typed password is not echoed back


def test_deactivate_reset_password_and_change_role(app, as_role):
    client = as_role("admin")
    viewer = _user("viewer")
    # reset the password: the old one stops working, the new one works
    assert client.post(f"/console/admin/staff/{viewer.id}/password",
                       data={"password": "brand new password"}).status_code == 302
    assert verify_password(_user("viewer").password_hash, "brand new password")
    # role + deactivate
    response = client.post(f"/console/admin/staff/{viewer.id}", data={"display_name": "閲覧者", "role": "suishin"})
    assert response.status_code == 302
    user = _user("viewer")
    assert user.role == "suishin" and not user.active
    assert login(app.test_client(), "viewer", "brand new password").status_code == 200  # refused: inactive
    with session_scope() as db:
        actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.target_type == "staff"))]
    assert actions == ["admin.staff_password", "admin.staff_update"]


def test_admin_cannot_lock_themself_out(as_role):
    client = as_role("admin")
    me = _user("admin")
    response = client.post(f"/console/admin/staff/{me.id}", data={"display_name": "管理者", "role": "admin"},
                           follow_redirects=True)
    assert "自分自身を無効に" in response.get_data(as_text=True)
    assert _user("admin").active


def test_unknown_staff_is_404(as_role):
    client = as_role("admin")
    assert client.get("/console/admin/staff/99999").status_code == 404
    assert client.post("/console/admin/staff/99999", data={"display_name": "x", "role": "viewer"}).status_code == 404


def test_admin_edits_the_directory(as_role):
    client = as_role("admin")
    page = client.get("/console/admin/agencies").get_data(as_text=True)
    for name in ("高齢者あんしん相談センター", "生活自立支援課", "男女共同参画センター", "はちまるサポート"):
        assert name in page
    anshin = _agency("anshin")
    response = client.post(f"/console/admin/agencies/{anshin.id}", data={
        "name": "高齢者あんしん相談センター 元本郷", "categories": ["caregiving", "community"],
        "contact": "042-000-0000（平日 8:30–17:00）", "note": "", "active": "on"})
    assert response.status_code == 302
    edited = _agency("anshin")
    assert edited.name.endswith("元本郷") and edited.categories == ["caregiving", "community"]
    response = client.post("/console/admin/agencies", data={"code": "hoken_kita", "name": "北保健センター",
                                                            "categories": ["health", "nonsense"]})
    assert "知らない困りごと" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _agency("hoken_kita") is None


def test_settings_are_stored_and_shown_to_staff(app, as_role):
    client = as_role("admin")
    response = client.post("/console/admin/settings", data={
        "coordinator_label": "福祉まるごと相談員", "claim_timeout_hours": "8", "referral_reminder_days": "5",
        "sla_hours_crisis": "1", "sla_hours_wants_person": "4", "sla_hours_other": "17"})
    assert response.status_code == 302
    with session_scope() as db:
        assert config_store.get(db, "referral_reminder_days") == 5
        assert config_store.get(db, "claim_timeout_hours") == 8
    page = client.get("/console/").get_data(as_text=True)
    assert "福祉まるごと相談員のための受付一覧" in page


def test_bad_settings_are_refused_whole(as_role):
    client = as_role("admin")
    response = client.post("/console/admin/settings", data={"coordinator_label": "エリアディレクター",
                                                            "referral_reminder_days": "many"})
    assert response.status_code == 400
    assert "数字で入力してください" in response.get_data(as_text=True)
    with session_scope() as db:
        assert config_store.get(db, "coordinator_label") == "相談支援包括化推進員"  # nothing half-saved


def test_audit_log_filters(as_role, app):
    login(app.test_client(), "suishin", "wrong password")
    client = as_role("admin")
    client.get("/console/")
    page = client.get("/console/admin/audit?action=login_failed").get_data(as_text=True)
    assert "login_failed" in page and "queue.view" not in page.split("<tbody>")[1]
    page = client.get("/console/admin/audit?actor=admin").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert "queue.view" in body and "login_failed" not in body
    assert client.get("/console/admin/audit?since=not-a-date&action=bogus").status_code == 200
