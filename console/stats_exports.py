"""Console downloads of records: intakes (the `tsunagu export` writer, console/export.py)
and, for agency staff, the referrals to their own agency. Each download is audited."""
from __future__ import annotations

import csv
import io
import json

from sqlmodel import select

from console import export
from console.referral_flow import status_label
from models import Intake, Referral
from models.audit import record_event
from models.base import as_utc
from models.db import session_scope

# what an agency sees of a referral in its download: no words, no contact details
REFERRAL_COLUMNS = {
    "referral_id": "依頼ID",
    "receipt_no": "受付番号",
    "sent_at": "依頼日時",
    "categories": "依頼の内容（項目）",
    "status": "状態",
    "answered_at": "回答日時",
}


def intakes(fmt: str, actor_id: int) -> str:
    buffer = io.StringIO()
    with session_scope() as db:
        export.write(db, fmt, buffer)
        record_event(db, "export", actor_id=actor_id, target_type=f"intakes.{fmt}")
    return buffer.getvalue()


def _referral_rows(db, agency_id: int):
    query = (select(Referral, Intake.receipt_no).join(Intake, Intake.id == Referral.intake_id)
             .where(Referral.agency_id == agency_id).order_by(Referral.id))
    for referral, receipt_no in db.exec(query):
        yield {
            "referral_id": referral.id,
            "receipt_no": receipt_no,
            "sent_at": as_utc(referral.created_at).astimezone(export.JST).isoformat(),
            "categories": list(referral.categories or []),
            "status": status_label(referral.status),
            "answered_at": as_utc(referral.answered_at).astimezone(export.JST).isoformat()
            if referral.answered_at else None,
        }


def agency_referrals(fmt: str, agency_id: int | None, actor_id: int) -> str:
    """The referrals to `agency_id` only (an agency account without an agency gets none)."""
    buffer = io.StringIO()
    with session_scope() as db:
        rows = list(_referral_rows(db, agency_id)) if agency_id is not None else []
        if fmt == "csv":
            buffer.write("\ufeff")
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(REFERRAL_COLUMNS.values())
            for row in rows:
                writer.writerow([export._cell(row[key]) for key in REFERRAL_COLUMNS])
        else:
            for row in rows:
                buffer.write(json.dumps(row, ensure_ascii=False) + "\n")
        record_event(db, "export", actor_id=actor_id, target_type=f"referrals.{fmt}", target_id=agency_id)
    return buffer.getvalue()
