"""Case figures (contacts, 新規/継続, waits in business hours, SLA, meetings, plans, closings)
and the 評価指標, against a hand count, with the cases moved through console/cases.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from console import stats, stats_cases
from models import Intake, StaffUser
from models.db import session_scope
from tests.console.test_stats import known, utc  # noqa: F401  (fixture)

# the case services of the console (issue 11); these tests run as soon as they are on main
cases = pytest.importorskip("console.cases", reason="console/cases.py (issue 11) has not landed yet")
JST = timezone(timedelta(hours=9))


def jst(*args) -> datetime:
    """A JST wall time, handed over in UTC as the app's own clock (utcnow) does."""
    return datetime(*args, tzinfo=JST).astimezone(timezone.utc)


@pytest.fixture
def worked(known, staff):  # noqa: F811
    """Comments give business minutes (office 8:30-17:00 JST on weekdays)."""
    with session_scope() as db:
        suishin = db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        admin = db.exec(select(StaffUser).where(StaffUser.username == "admin")).one()
        get = lambda key: db.get(Intake, known[key])  # noqa: E731
        a, b, c, e = get("A"), get("B"), get("C"), get("E")
        # A: received Mon 5/11 10:00, claimed 13:00 (180), first contact 5/12 10:00 (420 + 90 = 510)
        cases.claim(db, a, suishin, now=jst(2026, 5, 11, 13, 0))
        cases.log_contact(db, a, suishin, "phone", jst(2026, 5, 12, 10, 0))
        cases.log_contact(db, a, suishin, "office", jst(2026, 6, 1, 14, 0))
        cases.triage(db, a, suishin, "3", "世帯全体の課題")
        cases.record_meeting(db, a, suishin, "jusoteki", date(2026, 6, 10),
                             [{"name": "地域包括", "organisation": "地域包括支援センター"}], "プランを作る")
        plan = cases.record_plan(db, a, suishin, "家計を立て直したい", [{"who": "生活自立支援課", "what": "家計相談"}],
                                 date(2026, 9, 1))
        cases.approve_plan(db, a, admin, plan.id)
        plan.created_at, plan.approved_at = jst(2026, 7, 1, 10, 0), jst(2026, 7, 2, 10, 0)  # not today's date
        db.add(plan)
        # B: received Sat 5/16 21:00, claimed Mon 5/18 9:30 (60), first contact 5/19 9:30 (510 + 60 = 570)
        cases.claim(db, b, suishin, now=jst(2026, 5, 18, 9, 30))
        cases.log_contact(db, b, suishin, "visit", jst(2026, 5, 19, 9, 30))
        cases.triage(db, b, suishin, "4", "本人同意がまだ")
        cases.record_meeting(db, b, suishin, "shien", date(2026, 6, 15),
                             [{"name": "保健師", "organisation": "保健センター", "pledged": True}], "アウトリーチ")
        cases.close(db, b, suishin, "handed_over", now=jst(2026, 7, 1, 10, 0))
        # C: received Wed 4/1 0:00 (crisis), claimed 9:00 (30); closed, reopened, closed again
        cases.claim(db, c, suishin, now=jst(2026, 4, 1, 9, 0))
        cases.close(db, c, suishin, "resolved", "電話で無事を確認、警察が保護", now=jst(2026, 4, 10, 10, 0))
        cases.reopen(db, c, suishin, "また連絡があった")
        cases.close(db, c, suishin, "unreachable", "3回電話したがつながらない", now=jst(2026, 12, 1, 10, 0))
        # E: received in fiscal 2025, worked on in fiscal 2026 -> 継続
        cases.log_contact(db, e, suishin, "phone", jst(2026, 4, 2, 10, 0))
        # D and F are never claimed
    return known


FY = stats.Period.fiscal_year(2026)
NOW = jst(2027, 4, 1, 8, 0)  # before opening: F (received 3/31 23:59) has waited 0 minutes


def test_contacts_and_new_or_continued_cases(worked):
    with session_scope() as db:
        assert stats_cases.contacts(db, FY) == {"total": 4, "by_method": {"phone": 2, "office": 1, "visit": 1},
                                                "cases": 3}
        assert stats_cases.new_and_continued(db, FY) == {"new": 5, "continued": 1, "total": 6}


def test_waits_are_business_hours_median_and_90th_percentile(worked):
    with session_scope() as db:
        waits = stats_cases.waits(db, FY, NOW)
    assert waits["claim"] == {"n": 3, "median_hours": 1.0, "p90_hours": 3.0}  # 30, 60, 180 minutes
    assert waits["contact"] == {"n": 2, "median_hours": 8.5, "p90_hours": 9.5}  # 510, 570


def test_sla_counts_missed_unclaimed_cases_and_leaves_out_those_not_yet_due(worked):
    with session_scope() as db:
        sla = stats_cases.sla(db, FY, NOW, {"crisis": 1, "wants_person": 4, "other": 8})
        tight = stats_cases.sla(db, FY, NOW, {"crisis": 0.25, "wants_person": 4, "other": 2})
    assert (sla["met"], sla["missed"], sla["rate"]) == (3, 1, 75.0)  # A, B, C met; D missed; F not due
    assert (tight["met"], tight["missed"], tight["rate"]) == (1, 3, 25.0)  # B only; A 3h > 2h, C 30 min > 15


def test_meetings_plans_and_closings(worked):
    with session_scope() as db:
        assert stats_cases.meetings(db, FY) == {"jusoteki": 1, "shien": 1}
        assert stats_cases.plans(db, FY) == {"made": 1, "approved": 1}
        assert stats_cases.closed(db, FY) == {"total": 2, "by_outcome": {"handed_over": 1, "unreachable": 1}}
        assert stats_cases.closed(db, stats.Period.month(2026, 4)) == {"total": 1, "by_outcome": {"resolved": 1}}


def test_indicators_for_a_fiscal_year(worked):
    with session_scope() as db:
        assert stats_cases.indicators(db, FY) == {"plans": 1, "jusoteki_meetings": 1, "shien_meetings": 1,
                                                  "contacts": 6, "closed": 2, "agencies": 2}
        empty = stats_cases.indicators(db, stats.Period.fiscal_year(2024))
    assert set(empty.values()) == {0}


def test_indicator_page_is_one_click_per_year_with_definitions(worked, as_role):
    client = as_role("viewer")
    html = client.get("/console/stats/?period=2026").get_data(as_text=True)
    assert 'href="/console/stats/indicators?year=2026"' in html
    page = client.get("/console/stats/indicators?year=2026")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="indicator-plans">1<' in text and 'id="indicator-contacts">6<' in text
    assert 'id="indicator-agencies">2<' in text and "プラン策定件数" in text
    assert "年度中に市の承認を受けた支援プランの数" in text
    assert client.get("/console/stats/indicators?year=abc").status_code == 400
