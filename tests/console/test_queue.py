from datetime import datetime, timedelta, timezone

from sqlmodel import select

from models import AuditEvent
from models.db import session_scope
from tests.console.conftest import login, make_intake

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)  # 09:00 JST


def receipts(page: str) -> list[str]:
    import re

    return re.findall(r'data-receipt="([^"]+)"', page)


def test_queue_puts_crisis_then_urgent_first_then_earliest_deadline(as_role):
    make_intake(receipt_no="OLD-PLAIN", received_at=T0)
    make_intake(receipt_no="NEW-PLAIN", received_at=T0 + timedelta(hours=5))
    make_intake(receipt_no="OLD-CRISIS", received_at=T0 - timedelta(days=2), crisis=True, urgent=True,
                crisis_kinds=["suicide"], crisis_evidence=["死にたい"], free_text="もう死にたい")
    make_intake(receipt_no="NEW-URGENT", received_at=T0 + timedelta(hours=1), urgent=True, wants_person=True)
    make_intake(receipt_no="NEW-CRISIS", received_at=T0 + timedelta(hours=2), crisis=True, urgent=True,
                crisis_kinds=["violence"], crisis_evidence=["殴られる"], free_text="夫に殴られる")
    client = as_role("suishin")
    page = client.get("/console/").get_data(as_text=True)
    assert receipts(page) == ["OLD-CRISIS", "NEW-CRISIS", "NEW-URGENT", "OLD-PLAIN", "NEW-PLAIN"]
    assert "危機：暴力・DV" in page and "危機：自殺の危険" in page and "至急（人と話したい）" in page
    assert 'id="count-urgent">3<' in page and 'id="count-total">5<' in page

    urgent = client.get("/console/?show=urgent").get_data(as_text=True)
    assert receipts(urgent) == ["OLD-CRISIS", "NEW-CRISIS", "NEW-URGENT"]


def test_queue_columns_in_japanese(as_role):
    make_intake(receipt_no="SELF-1", received_at=T0 + timedelta(hours=10), channel="web", after_hours=True,
                categories=["income", "debt", "food"], primary="debt",
                consents={"share": ["granted"], "meeting": ["granted", "withdrawn"]})
    make_intake(receipt_no="FAM-1", reporter_role="family", received_at=T0)
    page = as_role("suishin").get("/console/").get_data(as_text=True)
    for text in ["受付番号", "受付日時（JST）", "2026-11-20 19:00", "2026-11-20 09:00", "Web", "LINE", "本人", "家族",
                 "◎ 債務について", "〇 収入・生活費のこと", "〇 食べるものがない", "時間外",
                 "情報共有: <span class=\"badge yes\">同意あり", "会議: <span class=\"badge no\">同意なし（撤回）",
                 "未確認(第三者)", "新規"]:
        assert text in page, text
    assert "家賃が払えません" not in page  # no free text in the queue


def test_viewer_sees_statistics_only_never_the_case_by_case_queue(client, staff):
    """Walk finding 11: 閲覧のみ is for statistics users; the queue lists cases one by one
    (receipt numbers, assignees, a filter of every staff member)."""
    make_intake(receipt_no="CRISIS-1", crisis=True, urgent=True, crisis_kinds=["suicide"],
                crisis_evidence=["死にたい"], free_text="死にたい")
    response = login(client, "viewer")
    assert response.headers["Location"] == "/console/stats/"  # starts at the statistics
    for path in ("/console/", "/console/?show=urgent"):
        refused = client.get(path)
        assert refused.status_code == 403
        assert "CRISIS-1" not in refused.get_data(as_text=True)
    stats = client.get("/console/stats/").get_data(as_text=True)
    assert "CRISIS-1" not in stats and "推進員（デモ）" not in stats
    assert 'href="/console/stats/"' in stats and 'href="/console/"' not in stats  # no link to the queue
    assert client.get("/console/counts").status_code == 200


def test_queue_view_is_audited(as_role):
    as_role("suishin").get("/console/")
    with session_scope() as db:
        assert db.exec(select(AuditEvent.action).where(AuditEvent.action == "queue.view")).all() == ["queue.view"]


def test_empty_queue(as_role):
    page = as_role("admin").get("/console/").get_data(as_text=True)
    assert "表示する相談はありません。" in page
    assert "相談支援包括化推進員" in page  # the coordinator label from the settings


def test_filters_search_and_badges(as_role, staff):
    from console import cases
    from models import Intake, StaffUser

    make_intake(receipt_no="ABCD-EFGH", received_at=T0, channel="web", categories=["caregiving"], primary="caregiving",
                suggested=["caregiving", "health"])
    mine = make_intake(receipt_no="MINE-0001", received_at=T0 + timedelta(hours=1), reporter_role="minsei",
                       categories=["hikikomori"], primary="hikikomori")
    closed = make_intake(receipt_no="DONE-0001", received_at=T0 + timedelta(hours=2))
    with session_scope() as db:
        me = db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        me.team = "shakyo"
        cases.claim(db, db.get(Intake, mine), me)
        cases.claim(db, db.get(Intake, closed), me)
        cases.triage(db, db.get(Intake, closed), me, "1", "家賃")
        cases.close(db, db.get(Intake, closed), me, "resolved")
    client = as_role("suishin")
    get = lambda q: receipts(client.get("/console/" + q).get_data(as_text=True))  # noqa: E731
    assert get("") == ["ABCD-EFGH", "MINE-0001"]  # 終結 is not in the default view
    assert get("?state=closed") == ["DONE-0001"]
    assert get("?state=all") == ["ABCD-EFGH", "MINE-0001", "DONE-0001"]
    assert get("?category=caregiving") == ["ABCD-EFGH"]
    assert get("?channel=web") == ["ABCD-EFGH"]
    assert get("?assignee=me") == ["MINE-0001"]
    assert get("?assignee=none") == ["ABCD-EFGH"]
    assert get("?team=shakyo") == ["MINE-0001"]
    assert get("?q=abcdefgh") == ["ABCD-EFGH"] and get("?q=DONE-0001") == ["DONE-0001"]
    page = client.get("/console/").get_data(as_text=True)
    assert "推定 病気や健康" in page and "推定 介護に関すること" not in page  # a marked item is not a guess
    assert '<span class="badge reporter">民生委員</span>' in page and "推進員（デモ）" in page and "担当決定" in page
    for junk in ("?state=lost", "?category=money", "?page=0", "?assignee=x", "?channel=fax", "?q=" + "A" * 40):
        assert client.get("/console/" + junk).status_code == 400, junk


def test_overdue_counts_business_hours_from_the_next_opening(as_role):
    friday_night = datetime(2026, 11, 27, 11, 0, tzinfo=timezone.utc)  # Fri 20:00 JST, after hours
    make_intake(receipt_no="LATE-0001", received_at=friday_night - timedelta(days=7))
    make_intake(receipt_no="FRI-NIGHT", received_at=friday_night)
    client = as_role("suishin")
    page = client.get("/console/").get_data(as_text=True)
    # two business days from Monday 08:30: Tuesday 17:00
    assert "2026-12-01 17:00" in page
    overdue = receipts(client.get("/console/?overdue=1").get_data(as_text=True))
    assert "LATE-0001" in overdue


def test_paging_never_hides_a_waiting_crisis(as_role):
    from console.queue import PAGE_SIZE

    for n in range(PAGE_SIZE + 5):
        make_intake(receipt_no=f"P-{n:04d}", received_at=T0 + timedelta(minutes=n))
    make_intake(receipt_no="CRISIS-OLD", received_at=T0 + timedelta(days=1), crisis=True, urgent=True,
                crisis_kinds=["starvation"], categories=["food"], primary="food")
    client = as_role("suishin")
    first = client.get("/console/").get_data(as_text=True)
    assert receipts(first)[0] == "CRISIS-OLD" and len(receipts(first)) == PAGE_SIZE
    assert 'rel="next"' in first and "1 / 2 ページ" in first
    second = client.get("/console/?page=2").get_data(as_text=True)
    assert len(receipts(second)) == 6 and 'id="crisis-banner"' in second and "<strong>1</strong>件" in second
    filtered = client.get("/console/?category=income").get_data(as_text=True)
    assert "CRISIS-OLD" not in receipts(filtered) and 'id="crisis-banner"' in filtered


def test_filter_by_agency_shows_cases_referred_there(as_role):
    from tests.console.test_referrals import agency_id, refer, triaged_case, user

    from console import referrals
    from models import Referral

    to_seikatsu = triaged_case(receipt_no="SEIK-0001", received_at=T0)
    to_both = triaged_case(receipt_no="BOTH-0001", received_at=T0 + timedelta(hours=1))
    to_anshin = triaged_case(receipt_no="ANSH-0001", received_at=T0 + timedelta(hours=2))
    withdrawn = triaged_case(receipt_no="WITH-0001", received_at=T0 + timedelta(hours=3))
    make_intake(receipt_no="NONE-0001", received_at=T0 + timedelta(hours=4))
    refer(to_seikatsu, "seikatsu")
    refer(to_both, "seikatsu", "anshin")
    refer(to_anshin, "anshin")
    (rid,) = refer(withdrawn, "seikatsu")
    with session_scope() as db:
        referrals.withdraw(db, rid, user(db, "suishin"), "依頼先を間違えた")
        assert db.get(Referral, rid).status == "withdrawn"
    client = as_role("suishin")
    seikatsu = agency_id("seikatsu")
    page = client.get(f"/console/?agency={seikatsu}").get_data(as_text=True)
    assert receipts(page) == ["SEIK-0001", "BOTH-0001"]  # a withdrawn request never reached the agency
    assert f'<option value="{seikatsu}" selected>生活自立支援課' in page
    assert receipts(client.get(f"/console/?agency={agency_id('anshin')}").get_data(as_text=True)) \
        == ["BOTH-0001", "ANSH-0001"]
    both = client.get(f"/console/?agency={seikatsu}&team=&q=&state=open").get_data(as_text=True)
    assert receipts(both) == ["SEIK-0001", "BOTH-0001"]
    for junk in ("?agency=x", "?agency=-1", "?agency=" + "9" * 12):
        assert client.get("/console/" + junk).status_code == 400, junk
