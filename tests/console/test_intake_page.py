from dataclasses import replace

import pytest
from sqlmodel import select

from console.views.intakes import get_intake
from models import AuditEvent
from models.db import session_scope
from tests.console.conftest import make_intake

EVIDENCE = '<mark class="evidence">'


def audit(action: str) -> list[tuple]:
    with session_scope() as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [(r.target_type, r.target_id) for r in rows]


def crisis_intake() -> int:
    return make_intake(crisis=True, urgent=True, crisis_kinds=["suicide"], crisis_evidence=["消えたい", "もう無理"],
                       free_text="<b>仕事</b>をなくして、もう無理。消えたい。\nずっと消えたいと思っている",
                       categories=["mental", "job_search"], primary="mental", since="3_6m",
                       consents={"share": ["granted", "withdrawn"], "meeting": ["declined"]})


def test_detail_highlights_evidence_and_escapes_the_rest(as_role):
    intake_id = crisis_intake()
    page = as_role("suishin").get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert f"&lt;b&gt;仕事&lt;/b&gt;をなくして、{EVIDENCE}もう無理</mark>。{EVIDENCE}消えたい</mark>。" in page
    assert f"ずっと{EVIDENCE}消えたい</mark>と思っている" in page
    assert "<b>仕事</b>" not in page
    assert "危機の可能性：自殺の危険" in page


def test_detail_shows_structured_fields_and_consent_history(as_role):
    intake_id = crisis_intake()
    page = as_role("admin").get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    for text in ["こころの問題に関すること", "仕事探し・就職について", "3か月〜半年前", "40〜64歳", "八王子市元本郷町",
                 "高齢の親と大人の子", "090-0000-0000", "平日 午前（08:30〜12:00）", "2026-11-20 10:00",
                 "2026-11-v1", "撤回", "不同意", "同意なし（撤回）", "share の文言"]:
        assert text in page, text


def test_third_party_report_says_consent_not_yet(as_role):
    intake_id = make_intake(reporter_role="neighbor")
    page = as_role("suishin").get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert "未確認(第三者)" in page and "本人は相談者の親" in page


def test_detail_view_writes_one_audit_row(as_role, staff):
    intake_id = crisis_intake()
    as_role("suishin").get(f"/console/intakes/{intake_id}")
    assert audit("intake.view") == [("intake", str(intake_id))]


def test_viewer_is_forbidden_and_the_refusal_is_audited(as_role):
    intake_id = crisis_intake()
    response = as_role("viewer").get(f"/console/intakes/{intake_id}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "権限がありません" in page and "消えたい" not in page
    assert audit("intake.view") == []
    assert audit("intake.view_denied") == [("intake", str(intake_id))]


def test_missing_intake_is_404_without_audit(as_role):
    response = as_role("suishin").get("/console/intakes/424242")
    assert response.status_code == 404
    assert "見つかりませんでした" in response.get_data(as_text=True)
    assert audit("intake.view") == [] and audit("intake.view_denied") == []


def test_get_intake_refuses_an_inactive_user(app, staff):
    from werkzeug.exceptions import Forbidden

    from console.auth import Staff
    from models import StaffUser

    intake_id = make_intake()
    with session_scope() as db:
        suishin = Staff.of(db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one())
    assert get_intake(intake_id, suishin).intake.id == intake_id
    with pytest.raises(Forbidden):
        get_intake(intake_id, replace(suishin, active=False))


def test_audit_rows_are_append_only(as_role):
    as_role("suishin").get(f"/console/intakes/{make_intake()}")
    with pytest.raises(PermissionError):
        with session_scope() as db:
            db.exec(select(AuditEvent)).first().action = "login"
    with pytest.raises(PermissionError):
        with session_scope() as db:
            db.delete(db.exec(select(AuditEvent)).first())


def test_items_a_crisis_implied_before_the_checklist_are_shown_as_guesses_and_not_counted(as_role):
    """Walk 2 B10 / A20: a crisis line (食事・寝る場所がない) before the checklist put 食べるものがない in the
    intake; the resident never ticked it: the case page shows it as 推定, not ◎, and counts skip it."""
    from console.views import labels
    partial = make_intake(complete=False, crisis=True, urgent=True, reporter_role="anonymous",
                          crisis_kinds=["starvation"], categories=["food"], primary="food", suggested=[])
    make_intake(crisis=True, crisis_kinds=["starvation"], categories=["food"], primary="food")  # ticked: counts
    page = as_role("suishin").get(f"/console/intakes/{partial}").get_data(as_text=True)
    food = labels.item("food")
    assert '<dd id="primary">未選択</dd>' in page
    assert food not in page[page.index('id="marked"'):page.index("</dd>", page.index('id="marked"'))]
    assert food in page[page.index('id="suggested"'):page.index("</dd>", page.index('id="suggested"'))]
    counts = as_role("viewer").get("/console/counts").get_data(as_text=True)
    assert f'{food}</th><td class="n">1<' in counts


def test_a_crisis_line_before_who_is_not_shown_or_triaged_as_a_third_party(resident, as_role):
    """Outside walk: 「もう死にたい」 as a resident's first words opened an urgent intake that the
    console showed as a third party's report (本人同意 未確認(第三者), the 第三者 note, and ④ for
    本人以外からの相談). Who it is about is simply not answered yet: it may be the person."""
    resident.say("もう死にたい")
    from models import Intake

    with session_scope() as db:
        [intake] = db.exec(select(Intake)).all()
    staff = as_role("suishin")
    page = staff.get(f"/console/intakes/{intake.id}").get_data(as_text=True)
    assert "未回答（匿名）" in page and "未確認(第三者)" not in page and "第三者からの相談のため" not in page
    staff.post(f"/console/intakes/{intake.id}/claim", data={"state": "new"})
    page = staff.get(f"/console/intakes/{intake.id}").get_data(as_text=True)
    suggestion = page[page.index('id="triage-suggestion"'):page.index("</p>", page.index('id="triage-suggestion"'))]
    assert "だれのことの相談か、まだ答えていない" in suggestion and "本人以外" not in suggestion
    # こころ is what the crisis implied, not what the resident chose: no "one clear worry, ①"
    assert "④" in suggestion and "①" not in suggestion
    queue = staff.get("/console/").get_data(as_text=True)
    assert "未確認(第三者)" not in queue
    from console.views import labels

    mental = labels.item("mental")
    assert f'<li class="guess">推定 {mental}</li>' in queue and f"◎ {mental}" not in queue
