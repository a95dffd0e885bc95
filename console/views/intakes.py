"""The one way to open an intake (the queue is console/queue.py).

Every route that touches an intake goes through `get_intake`, which fetches, authorizes
and audits in one transaction, so the access rules live in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import update
from sqlmodel import select

from console import contact_safety, marked
from console.permissions import can
from console.views import labels
from console.views.highlight import highlight
from models import ConsentRecord, Household, Intake, Person, Reporter
from models.audit import record_event
from models.consent import latest_by_purpose
from models.db import session_scope

@dataclass
class IntakeDetail:
    intake: Intake
    reporter: Reporter | None
    person: Person | None
    household: Household | None
    consents: list[ConsentRecord] = field(default_factory=list)
    case: object = None  # console.casepage.CasePanel

    @property
    def consent_status(self) -> list[tuple[str, str, str]]:
        return labels.consent_status(self.intake.reporter_role, latest_actions(self.consents))

    @property
    def cautions(self) -> list[str]:
        """Before phoning or visiting: the resident's safety instructions (highlighted)."""
        return contact_safety.cautions(self.reporter.contact if self.reporter else None,
                                       latest_actions(self.consents),
                                       self.reporter.keep_identity if self.reporter else None)

    @property
    def marked(self) -> list[str]:
        """〇 the resident ticked (not what a crisis implied before the checklist: console/marked.py)."""
        return marked.marked(self.intake)

    @property
    def primary(self) -> str | None:
        return marked.primary(self.intake)

    @property
    def suggested(self) -> list[str]:
        return marked.suggested(self.intake)

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


def get_intake(intake_id: int, user) -> IntakeDetail:
    """The intake with its people and consent records: 404 if missing, 403 if not allowed.

    Both an opened and a refused view leave an audit row.
    """
    with session_scope() as db:
        found = db.exec(select(Intake, Reporter, Person, Household).where(Intake.id == intake_id)
                        .outerjoin(Reporter, Reporter.id == Intake.reporter_id)
                        .outerjoin(Person, Person.id == Intake.person_id)
                        .outerjoin(Household, Household.id == Intake.household_id)).first()
        if found is None:
            abort(404)
        intake, reporter, person, household = found
        allowed = can(user, "intake.view", intake)
        record_event(db, "intake.view" if allowed else "intake.view_denied",
                     actor_id=user.id, target_type="intake", target_id=intake.id)
        if allowed:
            detail = IntakeDetail(
                intake=intake, reporter=reporter, person=person, household=household,
                consents=list(db.exec(select(ConsentRecord).where(ConsentRecord.intake_id == intake.id)
                                      .order_by(ConsentRecord.id))),
            )
            from console.casepage import build

            detail.case = build(db, intake, user, detail.consents)
            if intake.resident_wrote_at is not None and intake.assignee_id == user.id:
                # the assignee has seen what the resident added: the queue's 新着 mark goes
                db.execute(update(Intake).where(Intake.id == intake.id).values(resident_wrote_at=None))
    if not allowed:
        abort(403)  # after the block, so the refusal's audit row is committed
    return detail
