"""Intake services for the console: the queue, and the one way to open an intake.

Every route that touches an intake goes through `get_intake`, which fetches, authorizes
and audits in one transaction, so the access rules live in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import func, or_
from sqlmodel import Session, select

from console.permissions import can
from console.views import labels
from console.views.highlight import highlight
from models import ConsentRecord, Household, Intake, Person, Reporter
from models.audit import record_event
from models.consent import latest_by_purpose
from models.db import session_scope

QUEUE_LIMIT = 200


@dataclass
class QueueRow:
    intake: Intake
    consent: list[tuple[str, str, str]]
    topics: bool  # may this user see the ◎/〇 items and crisis kinds?

    @property
    def primary(self) -> str | None:
        return labels.item(self.intake.primary) if self.topics and self.intake.primary else None

    @property
    def others(self) -> list[str]:
        if not self.topics:
            return []
        return [labels.item(i) for i in self.intake.categories or [] if i != self.intake.primary]

    @property
    def crisis_kinds(self) -> list[str]:
        return [labels.label(labels.CRISIS_KINDS, k) for k in self.intake.crisis_kinds or []] if self.topics else []


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int
    urgent: int


@dataclass
class IntakeDetail:
    intake: Intake
    reporter: Reporter | None
    person: Person | None
    household: Household | None
    consents: list[ConsentRecord] = field(default_factory=list)

    @property
    def consent_status(self) -> list[tuple[str, str, str]]:
        return labels.consent_status(self.intake.reporter_role, latest_actions(self.consents))

    @property
    def free_text_html(self):
        return highlight(self.intake.free_text, self.intake.crisis_evidence or [])

    @property
    def evidence_not_in_text(self) -> list[str]:
        text = self.intake.free_text or ""
        return [e for e in self.intake.crisis_evidence or [] if isinstance(e, str) and e not in text]


def latest_actions(records) -> dict[str, str]:
    """{purpose: newest action}, records ordered oldest first (withdrawals are later rows)."""
    return {purpose: record.action for purpose, record in latest_by_purpose(records).items()}


def _consents_by_intake(db: Session, intake_ids: list[int]) -> dict[int, list[ConsentRecord]]:
    found: dict[int, list[ConsentRecord]] = {i: [] for i in intake_ids}
    if intake_ids:
        for record in db.exec(select(ConsentRecord).where(ConsentRecord.intake_id.in_(intake_ids))):
            found[record.intake_id].append(record)
    return found


def list_queue(user, urgent_only: bool = False) -> Queue:
    """Intakes for triage: crisis first, then other urgent ones, each newest first."""
    if not can(user, "queue.view"):
        abort(403)
    is_urgent = or_(Intake.urgent, Intake.crisis)
    query = select(Intake).order_by(Intake.crisis.desc(), Intake.urgent.desc(),
                                    Intake.received_at.desc(), Intake.id.desc())
    if urgent_only:
        query = query.where(is_urgent)
    topics = can(user, "queue.view_topics")
    with session_scope() as db:
        intakes = db.exec(query.limit(QUEUE_LIMIT)).all()
        consents = _consents_by_intake(db, [i.id for i in intakes])
        total = db.exec(select(func.count()).select_from(Intake)).one()
        urgent = db.exec(select(func.count()).select_from(Intake).where(is_urgent)).one()
        record_event(db, "queue.view", actor_id=user.id)
    rows = [QueueRow(i, labels.consent_status(i.reporter_role, latest_actions(consents[i.id])), topics)
            for i in intakes]
    return Queue(rows=rows, total=total, urgent=urgent)


def get_intake(intake_id: int, user) -> IntakeDetail:
    """The intake with its people and consent records: 404 if missing, 403 if not allowed.

    Both an opened and a refused view leave an audit row.
    """
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        if intake is None:
            abort(404)
        allowed = can(user, "intake.view", intake)
        record_event(db, "intake.view" if allowed else "intake.view_denied",
                     actor_id=user.id, target_type="intake", target_id=intake.id)
        if allowed:
            detail = IntakeDetail(
                intake=intake,
                reporter=db.get(Reporter, intake.reporter_id) if intake.reporter_id else None,
                person=db.get(Person, intake.person_id) if intake.person_id else None,
                household=db.get(Household, intake.household_id) if intake.household_id else None,
                consents=list(db.exec(select(ConsentRecord).where(ConsentRecord.intake_id == intake.id)
                                      .order_by(ConsentRecord.id))),
            )
    if not allowed:
        abort(403)  # after the block, so the refusal's audit row is committed
    return detail
