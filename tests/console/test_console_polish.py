"""Walk finding 20: the smaller console issues, each as staff meet it (Flask test client on the
real database)."""
from __future__ import annotations

from sqlmodel import select

from console import cases
from models import Agency, AuditEvent, ContactLog, Intake, StaffUser
from models.db import session_scope
from tests.console.conftest import login, make_intake


def _claimed(username: str = "suishin", **fields) -> int:
    intake_id = make_intake(**fields)
    with session_scope() as db:
        me = db.exec(select(StaffUser).where(StaffUser.username == username)).one()
        cases.claim(db, db.get(Intake, intake_id), me)
    return intake_id


def _flash(page: str) -> str:
    start = page.index('class="flash')
    return page[page.index(">", start) + 1:page.index("</p>", start)]


def test_referring_a_closed_case_says_reopen_it_first(as_role):
    intake_id = _claimed()
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        cases.close(db, intake, me, "resolved")
        agency = db.exec(select(Agency).where(Agency.code == "seikatsu")).one()
    client = as_role("suishin")
    page = client.post(f"/console/intakes/{intake_id}/referrals", data={"agency_id": str(agency.id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "再開してください" in page and "先に振り分けを記録してください" not in page


def test_a_contact_record_in_the_future_is_refused(as_role):
    intake_id = _claimed()
    client = as_role("suishin")
    page = client.post(f"/console/intakes/{intake_id}/contact", data={
        "state": "claimed", "method": "phone", "happened_at": "2099-01-01T09:00"}, follow_redirects=True)
    assert "先の日付" in _flash(page.get_data(as_text=True))
    with session_scope() as db:
        assert db.exec(select(ContactLog)).all() == []


def test_validation_messages_are_japanese(as_role):
    intake_id = _claimed()
    page = as_role("suishin").post(f"/console/intakes/{intake_id}/contact", data={
        "state": "claimed", "method": "junk", "happened_at": "2026-11-20T09:00"}, follow_redirects=True)
    message = _flash(page.get_data(as_text=True))
    assert message == "方法：選択肢が正しくありません。" and "Not a valid" not in message


def test_a_case_form_without_its_state_is_refused_not_waved_through(as_role):
    intake_id = _claimed()
    response = as_role("suishin").post(f"/console/intakes/{intake_id}/close", data={"outcome": "resolved"})
    assert response.status_code == 400
    assert "画面を開いたときの相談の状態がありません" in response.get_data(as_text=True)
    with session_scope() as db:
        assert db.get(Intake, intake_id).status == "claimed"
        assert db.exec(select(ContactLog)).all() == []


def test_agency_403_on_statistics_is_japanese(as_role):
    response = as_role("agency").get("/console/stats/")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "この画面を見る権限がありません" in page and "Forbidden" not in page


def test_case_page_has_each_id_once(as_role):
    intake_id = _claimed()
    page = as_role("suishin").get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert 'id="note"' not in page
    assert page.count('id="contact-note"') == 1 and page.count('id="close-note"') == 1


def test_audit_log_speaks_japanese_and_settings_record_old_and_new(app, as_role):
    client = as_role("admin")
    form = client.get("/console/admin/settings").get_data(as_text=True)
    values = {"coordinator_label": "相談支援包括化推進員", "claim_timeout_hours": "72", "referral_reminder_days": "3",
              "sla_hours_crisis": "1", "sla_hours_wants_person": "4", "sla_hours_other": "17"}
    assert 'value="相談支援包括化推進員"' in form
    assert client.post("/console/admin/settings", data=values).status_code == 302  # nothing changed
    with session_scope() as db:
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "admin.setting")).all() == []
    assert client.post("/console/admin/settings", data={**values, "coordinator_label": "エリアディレクター"}).status_code == 302
    with session_scope() as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.action == "admin.setting")).all()
    assert [(r.target_id, r.detail) for r in rows] == [("coordinator_label", {"old": "相談支援包括化推進員",
                                                                              "new": "エリアディレクター"})]
    page = client.get("/console/admin/audit").get_data(as_text=True)
    assert "相談支援包括化推進員 → エリアディレクター" in page
    assert '<td>設定を変更 <code class="muted">admin.setting</code>' in page  # a label, the code beside it
    assert '<td>ログイン <code class="muted">login</code>' in page


def test_indicators_name_no_other_city_and_offer_no_future_year(as_role):
    client = as_role("suishin")
    page = client.get("/console/stats/indicators").get_data(as_text=True)
    workbook = client.get("/console/stats/export/stats.xlsx")
    assert "小金井" not in page
    assert workbook.status_code == 200
    import io

    from openpyxl import load_workbook
    cells = [str(c.value) for ws in load_workbook(io.BytesIO(workbook.data)).worksheets for row in ws.iter_rows()
             for c in row if c.value is not None]
    assert not [c for c in cells if "小金井" in c]
    from console.views.stats import _today
    from console import stats
    this_year = stats.fiscal_year_of(_today())
    page = client.get("/console/stats/").get_data(as_text=True)
    assert f'<option value="{this_year}"' in page and f'<option value="{this_year + 1}"' not in page
    page = client.get("/console/stats/indicators").get_data(as_text=True)
    assert f"year={this_year}" in page and f"year={this_year + 1}" not in page
