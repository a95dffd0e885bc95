from datetime import datetime, timedelta, timezone

from sqlmodel import select

from models import AuditEvent
from models.db import session_scope
from tests.console.conftest import make_intake

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)  # 09:00 JST


def receipts(page: str) -> list[str]:
    import re

    return re.findall(r'data-receipt="([^"]+)"', page)


def test_queue_puts_crisis_then_urgent_first_then_newest(as_role):
    make_intake(receipt_no="OLD-PLAIN", received_at=T0)
    make_intake(receipt_no="NEW-PLAIN", received_at=T0 + timedelta(hours=5))
    make_intake(receipt_no="OLD-CRISIS", received_at=T0 - timedelta(days=2), crisis=True, urgent=True,
                crisis_kinds=["suicide"], crisis_evidence=["死にたい"], free_text="もう死にたい")
    make_intake(receipt_no="NEW-URGENT", received_at=T0 + timedelta(hours=1), urgent=True, wants_person=True)
    make_intake(receipt_no="NEW-CRISIS", received_at=T0 + timedelta(hours=2), crisis=True, urgent=True,
                crisis_kinds=["violence"], crisis_evidence=["殴られる"], free_text="夫に殴られる")
    client = as_role("suishin")
    page = client.get("/console/").get_data(as_text=True)
    assert receipts(page) == ["NEW-CRISIS", "OLD-CRISIS", "NEW-URGENT", "NEW-PLAIN", "OLD-PLAIN"]
    assert "危機：暴力・DV" in page and "危機：自殺の危険" in page and "至急（人と話したい）" in page
    assert 'id="count-urgent">3<' in page and 'id="count-total">5<' in page

    urgent = client.get("/console/?show=urgent").get_data(as_text=True)
    assert receipts(urgent) == ["NEW-CRISIS", "OLD-CRISIS", "NEW-URGENT"]


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


def test_viewer_sees_metadata_but_not_topics_or_links(as_role):
    intake_id = make_intake(receipt_no="CRISIS-1", crisis=True, urgent=True, crisis_kinds=["suicide"],
                            crisis_evidence=["死にたい"], free_text="死にたい")
    page = as_role("viewer").get("/console/").get_data(as_text=True)
    assert "CRISIS-1" in page and "危機" in page
    assert "自殺の危険" not in page and "債務について" not in page and "死にたい" not in page
    assert f"/console/intakes/{intake_id}" not in page


def test_queue_view_is_audited(as_role):
    as_role("viewer").get("/console/")
    with session_scope() as db:
        assert db.exec(select(AuditEvent.action).where(AuditEvent.action == "queue.view")).all() == ["queue.view"]


def test_empty_queue(as_role):
    page = as_role("admin").get("/console/").get_data(as_text=True)
    assert "表示する相談はありません。" in page
    assert "相談支援包括化推進員" in page  # the coordinator label from the settings
