"""Intakes as structured records (design.md contract): JSON Lines, or CSV for spreadsheets."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models import Intake
from models.base import as_utc
from workers.intakes import current_consents

JST = ZoneInfo("Asia/Tokyo")
# field -> Japanese column title, in the order of the contract
COLUMNS = {
    "id": "受付ID",
    "receipt_no": "受付番号",
    "received_at": "受付日時",
    "channel": "経路",
    "reporter_role": "相談者",
    "categories": "相談内容",
    "primary": "主訴（◎）",
    "free_text": "自由記述",
    "since": "いつから",
    "consents": "同意",
    "crisis": "緊急",
    "after_hours": "時間外",
    "status": "状態",
}


def record(session: Session, intake: Intake) -> dict:
    return {
        "id": intake.id,
        "receipt_no": intake.receipt_no,
        "received_at": as_utc(intake.received_at).astimezone(JST).isoformat(),
        "channel": intake.channel,
        "reporter_role": intake.reporter_role,
        "categories": list(intake.categories),
        "primary": intake.primary,
        "free_text": intake.free_text,
        "since": intake.since,
        "consents": current_consents(session, intake.id),
        "crisis": intake.crisis,
        "after_hours": intake.after_hours,
        "status": intake.status,
    }


def records(session: Session) -> Iterator[dict]:
    for intake in session.exec(select(Intake).order_by(Intake.id)):
        yield record(session, intake)


def write_jsonl(rows, out) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_csv(rows, out) -> None:
    """UTF-8 with BOM so Excel opens Japanese text correctly; lists joined with ';'."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS.values())
    for row in rows:
        writer.writerow([_cell(row[key]) for key in COLUMNS])


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def write(session: Session, fmt: str, out) -> None:
    """Every intake, as CSV or JSON Lines, to `out`."""
    (write_csv if fmt == "csv" else write_jsonl)(records(session), out)


def export_text(session: Session, fmt: str) -> str:
    buffer = io.StringIO()
    write(session, fmt, buffer)
    return buffer.getvalue()
