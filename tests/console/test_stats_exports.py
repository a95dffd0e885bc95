"""Console downloads: intakes CSV (UTF-8 BOM, Japanese header, round-trips through the csv
module, formulas neutralised), JSONL, an agency's own referrals only, and the Excel 実績報告;
each download audited, each refused to roles that may not have it."""
from __future__ import annotations

import csv
import io
import json

from sqlmodel import select

from models import AuditEvent, StaffUser
from models.db import session_scope
from tests.console.conftest import make_intake
from tests.console.test_stats import known, utc  # noqa: F401  (fixture)


def _exports() -> list[tuple[str, str | None]]:
    with session_scope() as db:
        return [(e.target_type, e.target_id) for e in db.exec(select(AuditEvent).where(AuditEvent.action == "export"))]


def test_intakes_csv_round_trips_with_the_bom(known, as_role):
    make_intake(utc(2026, 6, 1, 1), free_text="カンマ, \"引用\" と\n改行", categories=["food", "housing"],
                primary="food", receipt_no="CSV-0001")
    response = as_role("suishin").get("/console/stats/export/intakes.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 7
    assert "受付番号" in rows[0] and "相談内容" in rows[0]
    row = next(r for r in rows if r["受付番号"] == "CSV-0001")
    assert row["相談内容"] == "food;housing"
    assert row["自由記述"] == "カンマ, \"引用\" と\n改行"
    assert ("intakes.csv", None) in [(t, None) for t, _ in _exports()]


def test_intakes_jsonl_one_record_per_line(known, as_role):
    response = as_role("admin").get("/console/stats/export/intakes.jsonl")
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 6
    records = [json.loads(line) for line in lines]
    assert all(r["receipt_no"] and "free_text" in r for r in records)
    assert all(isinstance(r["categories"], list) for r in records)
    assert "intakes.jsonl" in [t for t, _ in _exports()]


def test_agency_staff_download_only_their_own_referrals(known, as_role):
    with session_scope() as db:
        agency_user = db.exec(select(StaffUser).where(StaffUser.username == "agency")).one()
        from models import Agency, Referral
        own = db.exec(select(Agency).where(Agency.code == "x")).one()
        agency_user.agency_id = own.id
        db.add(agency_user)
        other = db.exec(select(Agency).where(Agency.code == "y")).one()
        expected = len(db.exec(select(Referral).where(Referral.agency_id == own.id)).all())
        assert len(db.exec(select(Referral).where(Referral.agency_id == other.id)).all()) == 2
    client = as_role("agency")
    response = client.get("/console/stats/export/intakes.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert len(rows) == expected == 3
    assert set(rows[0]) == {"依頼ID", "受付番号", "依頼日時", "依頼の内容（項目）", "状態", "回答日時"}
    text = response.data.decode("utf-8-sig")
    assert "家賃が払えません" not in text and "090-0000-0000" not in text
    assert {r["状態"] for r in rows} == {"依頼中", "つなぎ戻し", "完了"}
    assert client.get("/console/stats/").status_code == 403  # counts page is not theirs
    assert ("referrals.csv", str(own.id)) in _exports()


def test_viewer_may_not_download_records_but_may_download_the_report(known, as_role):
    from openpyxl import load_workbook  # a dependency since this test's commit: pip install -e '.[dev]'

    client = as_role("viewer")
    assert client.get("/console/stats/export/intakes.csv").status_code == 403
    assert client.get("/console/stats/export/intakes.jsonl").status_code == 403
    assert client.get("/console/stats/export/intakes.xml").status_code == 404
    response = client.get("/console/stats/export/stats.xlsx?period=2026")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "実績報告"
    summary = {row[0]: row[1] for row in book["実績報告"].iter_rows(values_only=True) if row and row[0]}
    assert summary["受付件数（件）"] == 5
    assert summary["時間外の割合（%）"] == 60.0
    if "つなぎ先の数" in summary:  # the 評価指標, once the case records (issue 11) exist
        assert summary["つなぎ先の数"] == 2
    categories = {row[0]: row[1:3] for row in book["相談内容"].iter_rows(min_row=4, values_only=True)}
    assert categories["収入・生活費のこと"] == (2, 0)
    assert ("stats.xlsx", "2026") in _exports()
