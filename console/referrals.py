"""Referrals (つなぎ): a case sent to one or more agencies, and each agency's answer.

One function per verb. Each checks the permission, asks the status table
(console/referral_flow.py), changes the row with a compare-and-set UPDATE (two tabs or two
agency staff cannot both win), and puts the change on the case timeline through
console/cases.py - all in the caller's transaction.

- `refer`: 依頼中 to each chosen agency; the case moves to つなぎ中 (lifecycle "refer").
- `accept`, `decline` (reason), `send_back` (つなぎ戻し with a 提案), `complete`: the agency.
- `withdraw` (reason): the coordinator takes back an open request.
When no referral of the case is open or done any more (all declined / returned / withdrawn),
the case goes back to 振り分け済み (lifecycle "return") for the coordinator to route again.
- `sweep_reminders`: requests unanswered after N business days get a reminder (once).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import update
from sqlmodel import Session, select

from console import cases, config_store, lifecycle, notices, referral_flow
from console.business_days import after_business_days
from console.i18n import t
from console.permissions import can
from models import Agency, Intake, Referral
from models.audit import record_event as audit
from models.base import as_utc, utcnow
from models.db import session_scope

NOTE_LIMIT = 2000


class ReferralError(Exception):
    """A refused change, with the message staff see (console/data/referral.yaml)."""

    def __init__(self, key: str, **values):
        self.key = key
        self.message = t(referral_flow.wording()["errors"][key], **{k: t(v) if isinstance(v, str) else v for k, v in values.items()})
        super().__init__(self.message)


def _text(value: str | None, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    label = referral_flow.wording()["fields"].get(field, field)
    if required and not value:
        raise ReferralError("required", field=label)
    if len(value) > NOTE_LIMIT:
        raise ReferralError("too_long", field=label, limit=NOTE_LIMIT)
    return value


def of_case(session: Session, intake_id: int) -> list[Referral]:
    return session.exec(select(Referral).where(Referral.intake_id == intake_id).order_by(Referral.id)).all()


def _agency_names(session: Session, ids) -> dict[int, str]:
    ids = list(set(ids))
    if not ids:
        return {}
    return {a.id: a.name for a in session.exec(select(Agency).where(Agency.id.in_(ids)))}


# ---- the coordinator sends ---------------------------------------------------------------

def refer(session: Session, intake: Intake, actor, agency_ids: list[int], request_note: str = "",
          expected: str | None = None, now: datetime | None = None) -> list[Referral]:
    """依頼中 to each agency in `agency_ids`; the case moves to つなぎ中."""
    now = now or utcnow()
    if not can(actor, "referral.create", intake):
        raise PermissionError("referral.create")
    wanted = list(dict.fromkeys(agency_ids))
    if not wanted:
        raise ReferralError("no_agency")
    note = _text(request_note, "request_note", required=False)
    agencies = session.exec(select(Agency).where(Agency.id.in_(wanted), Agency.active)).all()
    if len(agencies) != len(wanted):
        raise ReferralError("unknown_agency")
    open_to = {r.agency_id for r in of_case(session, intake.id) if referral_flow.is_open(r.status)}
    for agency in agencies:
        if agency.id in open_to:
            raise ReferralError("already_open", agency=agency.name)
    if intake.status == "closed":
        raise ReferralError("case_closed")
    if lifecycle.move_between(intake.status, "referring") is None:
        raise ReferralError("case_state", state=lifecycle.state_label(intake.status))
    # stored in UTC: SQLite keeps the wall time only
    remind_after = after_business_days(now, config_store.get(session, "referral_reminder_days")).astimezone(timezone.utc)
    rows = [Referral(intake_id=intake.id, agency_id=a.id, categories=list(intake.categories or []),
                     request_note=note, created_by=actor.id, created_at=now, updated_at=now,
                     remind_after=remind_after) for a in agencies]
    session.add_all(rows)
    session.flush()
    cases.transition(session, intake, actor, "referring", expected=expected, now=now,
                     referral_ids=[r.id for r in rows], agencies=[a.name for a in agencies])
    notices.notify_reporter(session, intake, "referred")
    return rows


# ---- one function per verb ---------------------------------------------------------------

def _move(session: Session, referral_id: int, actor, verb: str, expected: str | None = None,
          now: datetime | None = None, **fields) -> Referral:
    now = now or utcnow()
    move = referral_flow.BY_NAME[verb]
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise LookupError(referral_id)
    intake = session.get(Intake, referral.intake_id)
    allowed = (can(actor, "referral.answer", referral) if move.by == "agency"
               else can(actor, "referral.withdraw", intake))
    if not allowed:
        raise PermissionError(f"referral.{verb}")
    source = referral.status
    if expected is not None and expected != source:
        raise ReferralError("stale")
    if verb in ("decline", "send_back") and intake.status == "closed":
        # the coordinator closed the case (handed over to this agency): an answer here would
        # land on a case nobody watches, so the agency is asked to call instead (walk 2, B7)
        raise ReferralError("answer_on_closed_case")
    if source not in move.sources:
        raise ReferralError("not_allowed", status=referral_flow.status_label(source),
                            move=referral_flow.move_label(verb))
    values = {name: _text(fields.get(name), name) for name in move.needs}
    if verb == "complete":
        values["result_note"] = _text(fields.get("result_note"), "result_note", required=False) or None
    values.update(status=move.target, updated_at=now)
    if move.by == "agency":
        values.update(answered_by=actor.id, answered_at=now)
    result = session.execute(update(Referral).where(Referral.id == referral.id, Referral.status == source)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ReferralError("stale")  # another tab or colleague answered between our read and write
    session.refresh(referral)
    agency = session.get(Agency, referral.agency_id)
    data = {"referral_id": referral.id, "agency_id": agency.id, "agency": agency.name,
            "from": source, "to": move.target}
    data.update({k: v for k, v in values.items() if k in ("reason", "proposal", "result_note") and v})
    cases.record_event(session, intake, actor, f"referral_{verb}", data, now=now)
    _return_case_if_nothing_left(session, intake, actor, now)
    return referral


def _return_case_if_nothing_left(session: Session, intake: Intake, actor, now: datetime) -> None:
    """つなぎ戻し of the case: every referral came back (none open, none done)."""
    session.refresh(intake)
    if intake.status != "referring":
        return
    if any(referral_flow.is_open(r.status) or r.status == "done" for r in of_case(session, intake.id)):
        return
    cases.transition(session, intake, actor, "triaged", now=now)


def accept(session: Session, referral_id: int, actor, expected: str | None = None) -> Referral:
    return _move(session, referral_id, actor, "accept", expected)


def decline(session: Session, referral_id: int, actor, reason: str, expected: str | None = None) -> Referral:
    return _move(session, referral_id, actor, "decline", expected, reason=reason)


def send_back(session: Session, referral_id: int, actor, proposal: str, expected: str | None = None) -> Referral:
    """つなぎ戻し: the agency returns the referral with a 提案 (what else could help)."""
    return _move(session, referral_id, actor, "send_back", expected, proposal=proposal)


def complete(session: Session, referral_id: int, actor, result_note: str = "",
             expected: str | None = None) -> Referral:
    return _move(session, referral_id, actor, "complete", expected, result_note=result_note)


def withdraw(session: Session, referral_id: int, actor, reason: str, expected: str | None = None) -> Referral:
    return _move(session, referral_id, actor, "withdraw", expected, reason=reason)


def log_contact(session: Session, referral_id: int, actor, method: str, happened_at: datetime, note: str = ""):
    """Agency staff record their own contact with the person (counts as 対応回数)."""
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise LookupError(referral_id)
    if not can(actor, "referral.answer", referral):
        raise PermissionError("referral.contact")
    if referral.status != "accepted":
        raise ReferralError("not_allowed", status=referral_flow.status_label(referral.status),
                            move=referral_flow.wording()["contact_move"])
    intake = session.get(Intake, referral.intake_id)
    return cases.log_contact(session, intake, actor, method, happened_at, note, agency_id=referral.agency_id)


# ---- reminders ---------------------------------------------------------------------------

def sweep_reminders(now: datetime | None = None) -> int:
    """Requests still 依頼中 past their deadline (N business days, 管理 → 設定) get one reminder:
    a timeline event the coordinator sees, and a 回答期限超過 mark in the agency's list.
    Idempotent; the periodic scheduler runs it (workers/schedule.py)."""
    now = now or utcnow()
    with session_scope() as session:
        days = config_store.get(session, "referral_reminder_days")
        due = session.exec(select(Referral).where(Referral.status == "requested", Referral.reminded_at.is_(None),
                                                  Referral.remind_after <= now)).all()
        names = _agency_names(session, [r.agency_id for r in due])
        for referral in due:
            done = session.execute(update(Referral).where(Referral.id == referral.id, Referral.reminded_at.is_(None))
                                   .values(reminded_at=now).execution_options(synchronize_session=False))
            if done.rowcount != 1:
                continue
            intake = session.get(Intake, referral.intake_id)
            cases.record_event(session, intake, None, "referral_reminder",
                               {"referral_id": referral.id, "agency_id": referral.agency_id,
                                "agency": names.get(referral.agency_id, ""), "days": days}, now=now)
            audit(session, "referral.reminder", target_type="referral", target_id=referral.id)
    return len(due)


def overdue(referral: Referral, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (referral.status == "requested" and referral.remind_after is not None
            and as_utc(referral.remind_after) <= now)


# ---- what each side sees -----------------------------------------------------------------

@dataclass
class ReferralRow:
    referral: Referral
    agency_name: str
    overdue: bool

    @property
    def status_label(self) -> str:
        return referral_flow.status_label(self.referral.status)


def rows_for_case(session: Session, intake_id: int) -> list[ReferralRow]:
    referrals = of_case(session, intake_id)
    names = _agency_names(session, [r.agency_id for r in referrals])
    return [ReferralRow(r, names.get(r.agency_id, "—"), overdue(r)) for r in referrals]
