"""Issue 9 items 12 and 15: the export cannot run formulas in a spreadsheet, is audited,
is written for its owner only, and keeps declined people's words out by default."""
from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys

import pytest
from sqlmodel import select

from console.export import export_text, neutralise
from models import AuditEvent
from models.db import session_scope
from tests.test_export import finish_intake


@pytest.mark.parametrize("raw, shown", [
    ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("＝1+1", "'＝1+1"),
    ("\t=1", "'\t=1"), ("家賃が払えません", "家賃が払えません"), ("", ""),
])
def test_cells_that_start_a_formula_are_neutralised(raw, shown):
    assert neutralise(raw) == shown


def test_a_residents_formula_reaches_the_csv_as_text(visitor):
    visitor.open()
    visitor.tap("who:self")
    visitor.say("=cmd|' /C calc'!A0 家賃が払えません")
    visitor.say("人と話したい")
    with session_scope() as s:
        text = export_text(s, "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    free_text = rows[1][rows[0].index("自由記述")]
    assert free_text.startswith("'=cmd")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_every_export_is_audited_with_format_and_count(visitor):
    finish_intake(visitor)
    with session_scope() as s:
        export_text(s, "csv")
    with session_scope() as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert (event.target_type, event.target_id) == ("intakes.csv", "1")


def test_declined_consent_keeps_the_words_out_of_the_export_unless_asked(visitor):
    finish_intake(visitor, consent="no")
    with session_scope() as s:
        [row] = [json.loads(line) for line in export_text(s, "jsonl").splitlines()]
    assert row["consents"]["share"] is False and row["free_text"] == ""
    assert row["categories"] == ["tax_utilities", "debt"]  # the structured record still counts


def test_the_export_file_is_readable_by_its_owner_only(app, visitor, tmp_path):
    finish_intake(visitor)
    target = tmp_path / "intakes.csv"
    target.write_text("old")
    target.chmod(0o644)
    env = dict(os.environ, DATABASE_URL=app.config["TSUNAGU"].database_url)
    subprocess.run([sys.executable, "-m", "console.cli", "export", "--format", "csv", "-o", str(target)],
                   env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "督促状" in target.read_text(encoding="utf-8")
    with session_scope() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "export")).first() is not None
