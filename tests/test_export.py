"""`tsunagu export`: intakes as records in the shape design.md promises."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from console.export import export_text
from models.db import session_scope


def finish_intake(visitor, consent: str = "yes") -> None:
    visitor.open()
    visitor.tap("who:self")
    visitor.say("たろう")
    visitor.tap("age:65_74")
    visitor.say("元本郷町")
    visitor.tap("household:alone")
    visitor.tap("nav:done")
    visitor.tap("nav:none")
    visitor.tap("checklist:debt")
    visitor.tap("checklist:tax_utilities")
    for _ in range(6):
        visitor.tap("nav:next")
    visitor.tap("primary:debt")
    visitor.say("督促状が何通も来ています")
    visitor.tap("since:1_3m")
    visitor.tap("contact:none")
    visitor.tap(f"consent_share:{consent}")
    if consent == "yes":
        visitor.tap("consent_meeting:no")
    visitor.tap("confirm:submit")


def test_jsonl_records_follow_the_contract(visitor):
    finish_intake(visitor)
    with session_scope() as s:
        [row] = [json.loads(line) for line in export_text(s, "jsonl").splitlines()]
    assert set(row) >= {"id", "received_at", "channel", "reporter_role", "categories", "primary", "free_text",
                        "since", "consents", "crisis", "after_hours", "status"}
    assert row["received_at"].endswith("+09:00")
    assert row["channel"] == "web" and row["reporter_role"] == "self"
    assert row["categories"] == ["tax_utilities", "debt"] and row["primary"] == "debt"
    assert row["consents"] == {"share": True, "meeting": False, "contact": False}
    assert row["crisis"] is False and isinstance(row["after_hours"], bool)
    assert "督促状" in row["free_text"] and row["since"] == "1_3m"
    # fields added later (design.md), with no name, phone or LINE id
    assert row["crisis_kinds"] == [] and row["urgent"] is False and row["wants_person"] is False
    assert row["complete"] is True and row["anonymous"] is False and row["suggested"] == []
    assert row["person"] == {"relation": "self", "age_band": "65_74", "area": "元本郷町"}
    assert row["household"] == ["alone"] and row["contact_method"] == "none"
    assert "たろう" not in json.dumps(row, ensure_ascii=False)


def test_export_carries_crisis_kinds_and_the_guesses_apart(visitor):
    visitor.open()
    visitor.say("夫に毎日殴られている")
    with session_scope() as s:
        [row] = [json.loads(line) for line in export_text(s, "jsonl").splitlines()]
    assert row["crisis"] is True and row["crisis_kinds"] == ["violence"] and row["urgent"] is True
    assert row["complete"] is False and "dv_abuse" in row["categories"]
    assert "family" in row["suggested"] and "family" not in row["categories"]


def test_withdrawn_consent_exports_as_false(visitor):
    finish_intake(visitor)
    visitor.say("同意をとりけす")
    visitor.tap("withdraw_confirm:all")
    with session_scope() as s:
        [row] = [json.loads(line) for line in export_text(s, "jsonl").splitlines()]
    assert row["consents"] == {"share": False, "meeting": False, "contact": False}


def test_csv_has_bom_and_japanese_header(visitor):
    finish_intake(visitor)
    with session_scope() as s:
        text = export_text(s, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["受付ID", "受付番号", "受付日時"] and "相談内容" in rows[0]
    assert rows[1][rows[0].index("相談内容")] == "tax_utilities;debt"


def test_export_command_reads_the_configured_database(app, visitor, tmp_path):
    finish_intake(visitor)
    settings = app.config["TSUNAGU"]
    env = dict(os.environ, DATABASE_URL=settings.database_url)
    out = subprocess.run([sys.executable, "-m", "console.cli", "export", "--format", "jsonl"],
                         env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    [row] = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["primary"] == "debt"
