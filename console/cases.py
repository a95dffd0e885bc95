"""The case services: every change to a case is one call here, writing the change, its
timeline event (models.case.CaseEvent) and the audit row in the caller's transaction.

- `transition` moves a case along console/lifecycle.py; a move the table does not allow, or
  a case changed meanwhile (another tab, another coordinator), raises CaseError with a
  message for the screen. The state change is a compare-and-set UPDATE, so two requests
  cannot both win.
- `record_event` adds a timeline entry without a state change (contacts, notes, referrals).
- `claim` / `release` / `reassign` / `release_stale_claims` own the assignee.

Permission checks that depend on the role are made with console.permissions.can() by the
caller (the views) or here where the rule is about the case itself (approving a plan,
overriding consent). Agency actions (console referrals) call `transition` and
`record_event` with their own checks.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import func, update
from sqlmodel import Session, select

from console import lifecycle
from console.i18n import t
from console.permissions import can
from models import ConsentOverride, ContactLog, Intake, Meeting, Referral, StaffUser, SupportPlan
from models.audit import ACTIONS, record_event as audit
from models.base import as_utc, utcnow
from models.case import CaseEvent
from models.consent import latest_by_purpose
from workers.intakes import consent_history

CONTACT_METHODS = ("phone", "visit", "office", "message", "accompany")
MEETING_KINDS = ("jusoteki", "shien", "outreach")
NOTE_LIMIT = 2000


class CaseError(Exception):
    """A refused change, with the message the coordinator sees (console/data/case.yaml)."""

    def __init__(self, key: str, **values):
        self.key = key
        # in the staff member's language (console/i18n.py); Japanese outside a request
        self.message = t(lifecycle.wording()["errors"][key], **{k: t(v) if isinstance(v, str) else v
                                                                 for k, v in values.items()})
        super().__init__(self.message)


def _actor_id(actor) -> int | None:
    return None if actor is None else actor.id


def _audit(session: Session, kind: str, actor, intake: Intake) -> None:
    action = f"case.{kind}"
    audit(session, action if action in ACTIONS else "case.event", actor_id=_actor_id(actor),
          target_type="intake", target_id=intake.id)


def record_event(session: Session, intake: Intake, actor, kind: str, data: dict | None = None,
                 now: datetime | None = None, _from: str | None = None, _to: str | None = None) -> CaseEvent:
    """A timeline entry (and its audit row) in the caller's transaction. A staff action also
    counts as touching the case (the claim timeout starts again)."""
    now = now or utcnow()
    row = CaseEvent(intake_id=intake.id, at=now, actor_id=_actor_id(actor), kind=kind,
                    from_status=_from, to_status=_to, data=data or {})
    session.add(row)
    if actor is not None:
        session.execute(update(Intake).where(Intake.id == intake.id).values(touched_at=now)
                        .execution_options(synchronize_session=False))
    _audit(session, kind, actor, intake)
    return row


def transition(session: Session, intake: Intake, actor, to_state: str, expected: str | None = None,
               fields: dict | None = None, now: datetime | None = None, **data) -> CaseEvent:
    """Move `intake` to `to_state` if the lifecycle table allows it from its current state.

    expected: the state the form was drawn in; a different current state is a stale form.
    fields: other Intake columns changed with the move (triage class, outcome ...).
    data: what the timeline event carries; the move's `needs` must be present and non-empty.
    """
    now = now or utcnow()
    source = intake.status
    if expected is not None and expected != source:
        raise CaseError("stale")
    move = lifecycle.move_between(source, to_state)
    if move is None:
        raise CaseError("closed" if source == "closed" else "not_allowed", state=lifecycle.state_label(source))
    missing = [key for key in move.needs if data.get(key) in (None, "")]
    if missing:
        raise ValueError(f"move {move.name} needs {missing}")
    values = dict(fields or {}, status=to_state)
    if actor is not None:
        values["touched_at"] = now
    result = session.execute(update(Intake).where(Intake.id == intake.id, Intake.status == source)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise CaseError("stale")  # someone else moved it between our read and this write
    session.refresh(intake)
    return record_event(session, intake, actor, move.name, data, now=now, _from=source, _to=to_state)


# ---- who owns the case ---------------------------------------------------------------

def _staff_name(session: Session, staff_id: int | None) -> str:
    user = session.get(StaffUser, staff_id) if staff_id else None
    return user.display_name if user else "—"


def claim(session: Session, intake: Intake, actor, now: datetime | None = None) -> CaseEvent:
    """Take an unassigned case. Atomic: of two coordinators (or a double click) exactly one
    UPDATE matches `assignee_id IS NULL`; the other gets CaseError("already_claimed")."""
    now = now or utcnow()
    staff = session.get(StaffUser, actor.id)
    result = session.execute(
        update(Intake)
        .where(Intake.id == intake.id, Intake.assignee_id.is_(None), Intake.status != "closed")
        .values(assignee_id=actor.id, assigned_at=now, touched_at=now,
                team=func.coalesce(Intake.team, staff.team if staff else None),
                status=sql_case((Intake.status == "new", "claimed"), else_=Intake.status))
        .execution_options(synchronize_session=False))
    source = intake.status
    session.refresh(intake)
    if result.rowcount != 1:
        if intake.status == "closed":
            raise CaseError("closed")
        if intake.assignee_id == actor.id:
            raise CaseError("already_yours")
        raise CaseError("already_claimed", name=_staff_name(session, intake.assignee_id))
    event = record_event(session, intake, actor, "claim", {}, now=now, _from=source, _to=intake.status)
    from console.notices import notify_reporter  # a reporter hears it was taken up (once per case)

    notify_reporter(session, intake, "claimed")
    return event


def release(session: Session, intake: Intake, actor, expected_assignee: int | None = None,
            now: datetime | None = None, kind: str = "release") -> CaseEvent:
    """Give the case back to the queue (a claimed case becomes 新規 again)."""
    now = now or utcnow()
    current = intake.assignee_id
    if current is None or (expected_assignee is not None and expected_assignee != current):
        raise CaseError("stale")
    source = intake.status
    result = session.execute(
        update(Intake).where(Intake.id == intake.id, Intake.assignee_id == current)
        .values(assignee_id=None, assigned_at=None,
                status=sql_case((Intake.status == "claimed", "new"), else_=Intake.status))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise CaseError("stale")
    session.refresh(intake)
    return record_event(session, intake, actor, kind, {"from_assignee": current}, now=now,
                        _from=source, _to=intake.status)


def reassign(session: Session, intake: Intake, actor, to_staff_id: int,
             expected_assignee: int | None = None, now: datetime | None = None) -> CaseEvent:
    """Hand the case to another coordinator (active 推進員 or admin)."""
    now = now or utcnow()
    target = session.get(StaffUser, to_staff_id) if to_staff_id else None
    if target is None or not target.active or target.role not in ("suishin", "admin"):
        raise CaseError("unknown_staff")
    current = intake.assignee_id
    if expected_assignee is not None and expected_assignee != current:
        raise CaseError("stale")
    if intake.status == "closed":
        raise CaseError("closed")
    condition = Intake.assignee_id.is_(None) if current is None else Intake.assignee_id == current
    result = session.execute(
        update(Intake).where(Intake.id == intake.id, condition)
        .values(assignee_id=target.id, assigned_at=now, touched_at=now,
                status=sql_case((Intake.status == "new", "claimed"), else_=Intake.status))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise CaseError("stale")
    source = intake.status
    session.refresh(intake)
    return record_event(session, intake, actor, "reassign", {"from_assignee": current, "to_assignee": target.id},
                        now=now, _from=source, _to=intake.status)


def release_stale_claims(session: Session, timeout: timedelta, now: datetime | None = None) -> list[int]:
    """Return to the queue every case claimed but untouched for `timeout` (still 担当決定:
    nobody triaged it). Idempotent; the perf worker schedules it (see console.sweeps)."""
    now = now or utcnow()
    cutoff = now - timeout
    stale = session.exec(select(Intake).where(Intake.status == "claimed", Intake.assignee_id.is_not(None),
                                              Intake.touched_at < cutoff)).all()
    released = []
    for intake in stale:
        try:
            release(session, intake, None, expected_assignee=intake.assignee_id, now=now, kind="auto_release")
        except CaseError:
            continue  # claimed or released by hand meanwhile
        released.append(intake.id)
    return released


# ---- triage, meetings, plans, contacts, closing -----------------------------------------

def _text(value: str | None, limit: int = NOTE_LIMIT) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError("reason_required")
    if len(value) > limit:
        raise CaseError("invalid", field=f"{limit}文字まで")
    return value


def triage(session: Session, intake: Intake, actor, triage_class: str, reason: str,
           expected: str | None = None) -> CaseEvent:
    if triage_class not in lifecycle.TRIAGE_CLASSES:
        raise CaseError("invalid", field="振り分け")
    reason = _text(reason, 500)
    return transition(session, intake, actor, "triaged", expected=expected,
                      fields={"triage_class": triage_class, "triage_reason": reason},
                      triage_class=triage_class, reason=reason)


def effective_consent(session: Session, intake: Intake, records: list | None = None) -> dict[str, dict]:
    """{purpose: {"action": granted/declined/withdrawn/None, "override": ConsentOverride|None,
    "allowed": bool}} for share and meeting. The newer of the person's answer and a staff
    override wins: a withdrawal after an override stops sharing again. `records`: the intake's
    consent records oldest first, when the caller has them already (the case page)."""
    latest = latest_by_purpose(consent_history(session, intake.id) if records is None else records)
    overrides = session.exec(select(ConsentOverride).where(ConsentOverride.intake_id == intake.id)
                             .order_by(ConsentOverride.id)).all()
    newest_override = {o.purpose: o for o in overrides}
    result = {}
    for purpose in ("share", "meeting"):
        record, override = latest.get(purpose), newest_override.get(purpose)
        allowed = record is not None and record.action == "granted"
        if override is not None and (record is None or as_utc(override.at) >= as_utc(record.recorded_at)):
            allowed = True
        result[purpose] = {"action": record.action if record else None, "override": override, "allowed": allowed}
    return result


def sharing_allowed(session: Session, intake: Intake) -> bool:
    """May agencies see the person's words and contact details? (referrals use this)"""
    return effective_consent(session, intake)["share"]["allowed"]


def override_consent(session: Session, intake: Intake, actor, purpose: str, reason: str) -> ConsentOverride:
    staff = session.get(StaffUser, actor.id)
    if not can(staff, "consent.override", intake):
        raise PermissionError("consent.override")
    if purpose not in ("share", "meeting"):
        raise CaseError("invalid", field="目的")
    reason = _text(reason, 1000)
    row = ConsentOverride(intake_id=intake.id, purpose=purpose, reason=reason, actor_id=actor.id)
    session.add(row)
    session.flush()
    record_event(session, intake, actor, "consent_override", {"purpose": purpose, "reason": reason,
                                                             "override_id": row.id})
    return row


def record_meeting(session: Session, intake: Intake, actor, kind: str, held_on: date,
                   members: list[dict], outcome: str, expected: str | None = None) -> Meeting:
    """A meeting (or an アウトリーチ) and the move to 会議. 重層的支援会議 needs the person's
    consent to sharing and to meetings; a 支援会議 needs every member's 守秘義務 pledge."""
    if kind not in MEETING_KINDS:
        raise CaseError("invalid", field="会議の種類")
    members = [m for m in members if (m.get("name") or "").strip()]
    if kind == "jusoteki":
        consent = effective_consent(session, intake)
        if not (consent["share"]["allowed"] and consent["meeting"]["allowed"]):
            raise CaseError("jusoteki_needs_consent")
    if kind == "shien" and (not members or not all(m.get("pledged") for m in members)):
        raise CaseError("pledges_required")
    if kind != "outreach" and not members:
        raise CaseError("invalid", field="参加者")
    meeting = Meeting(intake_id=intake.id, kind=kind, held_on=held_on, outcome=(outcome or "").strip()[:NOTE_LIMIT],
                      members=[{"name": m["name"].strip()[:100], "organisation": (m.get("organisation") or "").strip()[:100],
                                "pledged": bool(m.get("pledged"))} for m in members],
                      actor_id=actor.id)
    session.add(meeting)
    session.flush()
    transition(session, intake, actor, "meeting", expected=expected, meeting_id=meeting.id, meeting_kind=kind)
    return meeting


def record_plan(session: Session, intake: Intake, actor, goals: str, tasks: list[dict],
                review_on: date | None, meeting_id: int | None = None, expected: str | None = None) -> SupportPlan:
    goals = _text(goals)
    tasks = [{"who": t["who"].strip()[:100], "what": (t.get("what") or "").strip()[:500]}
             for t in tasks if (t.get("who") or "").strip()]
    plan = SupportPlan(intake_id=intake.id, meeting_id=meeting_id, goals=goals, tasks=tasks,
                       review_on=review_on, actor_id=actor.id)
    session.add(plan)
    session.flush()
    transition(session, intake, actor, "planning", expected=expected, plan_id=plan.id)
    return plan


def approve_plan(session: Session, intake: Intake, actor, plan_id: int, expected: str | None = None) -> SupportPlan:
    """The city's approval (a coordinator marked as city staff, or admin) starts support."""
    staff = session.get(StaffUser, actor.id)
    if not can(staff, "plan.approve", intake):
        raise CaseError("approver_required")
    plan = session.get(SupportPlan, plan_id)
    if plan is None or plan.intake_id != intake.id or plan.approved_at is not None:
        raise CaseError("no_plan")
    plan.approved_by, plan.approved_at = actor.id, utcnow()
    session.add(plan)
    transition(session, intake, actor, "supporting", expected=expected, plan_id=plan.id)
    return plan


FUTURE_SLACK = timedelta(days=1)  # clocks and time zones: a contact "tomorrow" is still refused


def log_contact(session: Session, intake: Intake, actor, method: str, happened_at: datetime,
                note: str = "", agency_id: int | None = None) -> ContactLog:
    if method not in CONTACT_METHODS:
        raise CaseError("invalid", field="連絡の方法")
    if intake.status == "closed":
        raise CaseError("closed")
    if as_utc(happened_at) > utcnow() + FUTURE_SLACK:  # a record of what happened, not a plan (2099-01-01 sorted first)
        raise CaseError("future_contact")
    row = ContactLog(intake_id=intake.id, happened_at=happened_at, method=method, actor_id=_actor_id(actor),
                     agency_id=agency_id, note=(note or "").strip()[:NOTE_LIMIT])
    session.add(row)
    session.flush()
    record_event(session, intake, actor, "contact", {"contact_id": row.id, "method": method})
    return row


def close(session: Session, intake: Intake, actor, outcome: str, note: str = "",
          expected: str | None = None, now: datetime | None = None) -> CaseEvent:
    if outcome not in lifecycle.OUTCOMES:
        raise CaseError("invalid", field="終結の理由")
    _check_can_close(session, intake, outcome, (note or "").strip())
    now = now or utcnow()
    return transition(session, intake, actor, "closed", expected=expected, now=now,
                      fields={"outcome": outcome, "closed_at": now},
                      outcome=outcome, note=(note or "").strip()[:NOTE_LIMIT])


CRISIS_CLOSE_REASON = 10  # characters: 「あ」 is not a reason to close a crisis nobody contacted


def _check_can_close(session: Session, intake: Intake, outcome: str, note: str) -> None:
    """No case ends with work still promised (found by the outside walk): a request still
    waiting for its answer or accepted and under way stays only when the case is handed over to
    the agencies (他機関へ引継ぎ); a crisis with no contact on record needs a written reason."""
    open_requests = session.exec(select(func.count()).select_from(Referral).where(
        Referral.intake_id == intake.id, Referral.status.in_(("requested", "accepted")))).one()
    if open_requests and outcome != "handed_over":
        raise CaseError("close_open_referrals", count=open_requests)
    if intake.crisis and len(note) < CRISIS_CLOSE_REASON and session.exec(
            select(ContactLog.id).where(ContactLog.intake_id == intake.id).limit(1)).first() is None:
        raise CaseError("close_crisis_without_contact")


def reopen(session: Session, intake: Intake, actor, reason: str, expected: str | None = None) -> CaseEvent:
    """再開: back to 担当決定 with the one who reopened it as the assignee."""
    reason = _text(reason, 500)
    now = utcnow()
    return transition(session, intake, actor, "claimed", expected=expected, now=now,
                      fields={"outcome": None, "closed_at": None, "assignee_id": actor.id, "assigned_at": now},
                      reason=reason, previous_outcome=intake.outcome)


def timeline(session: Session, intake_id: int) -> list[CaseEvent]:
    return session.exec(select(CaseEvent).where(CaseEvent.intake_id == intake_id)
                        .order_by(CaseEvent.at, CaseEvent.id)).all()
