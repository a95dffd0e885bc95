"""The statistics page and service: every figure against a hand count on a small known set,
on SQLite and PostgreSQL (the `backend` fixture)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from console import stats
from models import Agency, Referral
from models.db import session_scope
from tests.console.conftest import make_intake


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def known(app):
    """Six intakes around fiscal year 2026 (2026-04-01 .. 2027-03-31 JST); comments give JST."""
    ids = {
        # Mon 5/11 10:00, in office hours
        "A": make_intake(utc(2026, 5, 11, 1, 0), channel="line", reporter_role="self",
                         categories=["income", "debt"], primary="debt",
                         consents={"share": ["granted"], "meeting": ["granted"]}),
        # Sat 5/16 21:00
        "B": make_intake(utc(2026, 5, 16, 12, 0), channel="web", reporter_role="family", after_hours=True,
                         categories=["caregiving", "family"], primary="caregiving"),
        # 4/1 00:00 JST: the first minute of the fiscal year
        "C": make_intake(utc(2026, 3, 31, 15, 0), channel="line", reporter_role="neighbor", after_hours=True,
                         categories=["hikikomori"], primary="hikikomori", crisis=True, urgent=True),
        "D": make_intake(utc(2026, 11, 20, 1, 0), channel="line", reporter_role="self",
                         categories=["income", "food"], primary="food",
                         consents={"share": ["granted", "withdrawn"], "meeting": ["granted"]}),
        # 3/31 23:59 JST: the last minute of fiscal 2025, not counted
        "E": make_intake(utc(2026, 3, 31, 14, 59), channel="line", reporter_role="self",
                         categories=["income"], primary="income", consents={"share": ["granted"]}),
        # 2027-03-31 23:59 JST: the last minute of fiscal 2026
        "F": make_intake(utc(2027, 3, 31, 14, 59), channel="web", reporter_role="minsei", after_hours=True,
                         categories=["dv_abuse"], primary="dv_abuse", crisis=True, consents={"share": ["declined"]}),
    }
    with session_scope() as db:
        x, y = Agency(code="x", name="生活自立支援課"), Agency(code="y", name="地域包括支援センター")
        db.add_all([x, y])
        db.flush()
        for intake, agency, status, at in (("A", x, "requested", utc(2026, 5, 12, 1)),
                                           ("A", y, "accepted", utc(2026, 5, 12, 2)),
                                           ("B", x, "returned", utc(2026, 5, 18, 1)),
                                           ("D", x, "done", utc(2026, 11, 21, 1)),
                                           ("E", y, "accepted", utc(2026, 3, 20, 1))):  # fiscal 2025
            db.add(Referral(intake_id=ids[intake], agency_id=agency.id, status=status, created_at=at))
    return ids


def _report(period: stats.Period) -> stats.Report:
    with session_scope() as db:
        return stats.report(db, period, now=utc(2027, 4, 10))


def _values(rows) -> dict:
    return {r.key: r.value for r in rows}


def test_fiscal_year_totals_match_a_hand_count(known):
    r = _report(stats.Period.fiscal_year(2026))
    assert r.totals == {"intakes": 5, "after_hours": 3, "after_hours_share": 60.0, "crisis": 2,
                        "wants_person": 0, "third_party": 3}  # C is urgent for its crisis, not 人と話したい
    assert _values(r.channels) == {"line": 3, "web": 2}
    assert _values(r.reporters) == {"self": 2, "family": 1, "neighbor": 1, "minsei": 1,
                                    "professional": 0, "anonymous": 0}
    over_time = _values(r.over_time)
    assert list(over_time)[0] == "2026-04" and list(over_time)[-1] == "2027-03"
    assert {k: v for k, v in over_time.items() if v} == {"2026-04": 1, "2026-05": 2, "2026-11": 1, "2027-03": 1}


def test_categories_count_marked_and_primary_apart(known):
    r = _report(stats.Period.fiscal_year(2026))
    marked = {row.key: row.value for row in r.categories if row.value}
    primary = {row.key: row.extra["primary"] for row in r.categories if row.extra["primary"]}
    assert marked == {"income": 2, "debt": 1, "caregiving": 1, "family": 1, "hikikomori": 1,
                      "food": 1, "dv_abuse": 1}
    assert primary == {"debt": 1, "caregiving": 1, "hikikomori": 1, "food": 1, "dv_abuse": 1}
    assert len(r.categories) == 19  # every checklist item is listed, zeros included


def test_crisis_one_liners_count_as_intakes_but_not_as_third_party_or_ticked_items(app):
    """Walk 2 B10: 人と話したい counts intakes whose resident asked for a person; a crisis line sent
    before "who" (匿名) is not 本人以外; items a crisis implied before the checklist are 推定."""
    may = utc(2026, 5, 11, 1, 0)
    # a crisis line, nothing else answered: food and housing guessed from 食事・寝る場所がない
    make_intake(may, reporter_role="anonymous", complete=False, crisis=True, urgent=True,
                crisis_kinds=["starvation"], categories=["food"], primary="food")
    # a crisis line after the resident had ticked debt on the checklist: debt counts, food does not
    make_intake(may, reporter_role="self", complete=False, crisis=True, urgent=True,
                crisis_kinds=["starvation"], categories=["debt", "food"], primary="debt")
    # 人と話したい at the first question
    make_intake(may, reporter_role="anonymous", complete=False, urgent=True, wants_person=True,
                categories=[], primary=None)
    # a whole intake by a neighbour who ticked food, with a crisis and 人と話したい
    make_intake(may, reporter_role="neighbor", complete=True, crisis=True, urgent=True, wants_person=True,
                crisis_kinds=["starvation"], categories=["food"], primary="food")
    r = _report(stats.Period.fiscal_year(2026))
    assert r.totals["intakes"] == 4 and r.totals["crisis"] == 3
    assert r.totals["wants_person"] == 2 and r.totals["third_party"] == 1
    assert _values(r.reporters)["anonymous"] == 2
    marked = {row.key: row.value for row in r.categories if row.value}
    primary = {row.key: row.extra["primary"] for row in r.categories if row.extra["primary"]}
    assert marked == {"debt": 1, "food": 1} and primary == {"debt": 1, "food": 1}


def test_consent_rate_uses_the_answer_in_force(known):
    r = _report(stats.Period.fiscal_year(2026))
    assert _values(r.consent["rows"]) == {"granted": 1, "declined": 1, "withdrawn": 1, "none": 2}
    assert r.consent["rate"] == 20.0


def test_referrals_by_agency_and_outcome(known):
    r = _report(stats.Period.fiscal_year(2026))
    by_agency = {row.label: (row.value, {k: v for k, v in row.extra.items() if v}) for row in r.referrals["agencies"]}
    assert by_agency == {"生活自立支援課": (3, {"requested": 1, "returned": 1, "done": 1}),
                         "地域包括支援センター": (1, {"accepted": 1})}
    assert r.referrals["total"] == 4 and r.referrals["agency_count"] == 2


def test_a_month_counts_its_days(known):
    r = _report(stats.Period.month(2026, 5))
    assert r.totals["intakes"] == 2
    days = {row.key: row.value for row in r.over_time if row.value}
    assert days == {"2026-05-11": 1, "2026-05-16": 1} and len(r.over_time) == 31
    assert _report(stats.Period.month(2026, 3)).totals["intakes"] == 1  # E only: C is April in JST


def test_period_parsing():
    today = date(2027, 2, 1)
    assert stats.Period.parse("", today) == stats.Period.fiscal_year(2026)
    assert stats.Period.parse("2026-4", today).first == date(2026, 4, 1)
    assert stats.Period.month(2027, 2).last == date(2027, 2, 28)
    for bad in ("2026-13", "abc", "1999", "2026-04-01"):
        with pytest.raises(stats.PeriodError):
            stats.Period.parse(bad, today)


def test_viewer_sees_counts_and_charts_but_no_words(known, as_role):
    client = as_role("viewer")
    page = client.get("/console/stats/?period=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="total-intakes">5<' in html and "60.0%" in html
    assert '<svg id="chart-categories"' in html and 'id="table-categories"' in html
    assert "定義" in html
    assert "家賃が払えません" not in html and "090-0000-0000" not in html


def test_agency_staff_cannot_open_statistics_and_bad_periods_are_400(known, as_role):
    assert as_role("agency").get("/console/stats/").status_code == 403


def test_bad_period_is_a_clear_400(known, as_role):
    page = as_role("suishin").get("/console/stats/?period=2026-99")
    assert page.status_code == 400
