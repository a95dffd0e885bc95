"""Intakes as structured records (design.md contract): JSON Lines, or CSV for spreadsheets."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models import Household, Intake, Person, Reporter
from models.audit import record_event
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
    # added later; the fields above keep their meaning and order
    "crisis_kinds": "緊急の種類",
    "urgent": "至急",
    "wants_person": "人と話したい",
    "complete": "最後まで回答",
    "suggested": "推定（分類器）",
    "anonymous": "匿名",
    "person": "本人について",
    "household": "世帯",
    "contact_method": "連絡方法",
}


def record(session: Session, intake: Intake) -> dict:
    reporter = session.get(Reporter, intake.reporter_id) if intake.reporter_id else None
    person = session.get(Person, intake.person_id) if intake.person_id else None
    household = session.get(Household, intake.household_id) if intake.household_id else None
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
        "crisis_kinds": list(intake.crisis_kinds or []),
        "urgent": intake.urgent,
        "wants_person": intake.wants_person,
        "complete": intake.complete,
        "suggested": list(intake.suggested or []),
        "anonymous": intake.anonymous or intake.reporter_role == "anonymous",
        # no name, phone or address: only what routing needs
        "person": {
            "relation": ("self" if intake.reporter_role == "self" else reporter.relation) if reporter else None,
            "age_band": person.age_band if person else None,
            "area": person.area if person else None,
        },
        "household": _members(household),
        "contact_method": (reporter.contact or {}).get("method") if reporter else None,
    }


def _members(household: Household | None) -> list[str]:
    if household is None:
        return []
    if household.members:
        return list(household.members)
    return [household.composition] if household.composition else []


def records(session: Session, declined_text: bool = False) -> Iterator[dict]:
    for intake in session.exec(select(Intake).order_by(Intake.id)):
        yield _respect_consent(record(session, intake), declined_text)


def _respect_consent(row: dict, declined_text: bool) -> dict:
    """Where the person declined (or withdrew) consent to share, their own words stay in the
    console: the export carries the structured fields only, unless asked for explicitly."""
    if not declined_text and row["consents"].get("share") is False:
        row["free_text"] = ""
    return row


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


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"); full-width forms too, since Excel folds them. Tab and CR start one as well.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = ";".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = "" if value is None else str(value)
    return neutralise(text)


def neutralise(text: str) -> str:
    """OWASP: prefix a single quote so the cell is shown as text, never evaluated."""
    return "'" + text if text.startswith(FORMULA_START) else text


def write(session: Session, fmt: str, out, actor_id: int | None = None, declined_text: bool = False) -> int:
    """Every intake, as CSV or JSON Lines, to `out`; the export itself goes to the audit log
    (who, when, how many, which format). Returns the number of intakes written."""
    count = 0

    def counted():
        nonlocal count
        for row in records(session, declined_text):
            count += 1
            yield row

    (write_csv if fmt == "csv" else write_jsonl)(counted(), out)
    record_event(session, "export", actor_id=actor_id, target_type=f"intakes.{fmt}", target_id=count)
    return count


def export_text(session: Session, fmt: str) -> str:
    buffer = io.StringIO()
    write(session, fmt, buffer)
    return buffer.getvalue()
