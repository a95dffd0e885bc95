"""The referral status table: checked at load, drawn beside it, business-day reminders."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from console import referral_flow
from console.business_days import after_business_days

JST = ZoneInfo("Asia/Tokyo")


def test_the_diagram_matches_the_table():
    drawn = (Path(referral_flow.__file__).parent / "referral.mmd").read_text(encoding="utf-8")
    assert drawn == referral_flow.mermaid()


def test_agency_moves_from_each_status():
    def names(status):
        return [m.name for m in referral_flow.moves_from(status, by="agency")]
    assert names("requested") == ["accept", "decline", "send_back"]
    assert names("accepted") == ["send_back", "complete"]
    for closed in ("declined", "returned", "done", "withdrawn"):
        assert referral_flow.moves_from(closed) == []
    assert referral_flow.BY_NAME["decline"].needs == ("reason",)
    assert referral_flow.BY_NAME["send_back"].needs == ("proposal",)


def test_business_days_skip_weekends_and_holidays():
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=JST)
    # Mon 11/23 is 勤労感謝の日: Tue, Wed, Thu are the three business days
    assert after_business_days(friday, 3) == datetime(2026, 11, 26, 17, 0, tzinfo=JST)
    # 年末年始: sent 12/28 (Mon), the next business day is 1/4
    assert after_business_days(datetime(2026, 12, 28, 9, 0, tzinfo=JST), 1) == datetime(2027, 1, 4, 17, 0, tzinfo=JST)
