"""What the case page shows beside the intake: state, assignee, suggested triage, the moves
the lifecycle table allows now, meetings, plans, contacts, consent in force, the timeline.
A fixed number of queries per page, whatever the length of the timeline."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from console import cases, lifecycle, marked, replies
from console.i18n import t
from console.permissions import can
from console.triage import Suggestion, suggest
from console.views import labels
from models import ContactLog, Household, Intake, Meeting, OncallAlert, StaffUser, SupportPlan
from models.case import CaseEvent

# moves made with a plain button; the others have their own form (or belong to referrals)
PLAIN_MOVES = ("collaborate", "monitor", "resume_support", "return")


SAME_RESIDENT_LIMIT = 20


@dataclass
class CasePanel:
    intake: Intake
    assignee: str | None
    suggestion: Suggestion
    consent: dict
    events: list[tuple[CaseEvent, str]]  # (event, actor name)
    meetings: list[Meeting]
    plans: list[SupportPlan]
    contacts: list[tuple[ContactLog, str]]
    staff_choices: list[tuple[int, str]]
    may_approve: bool
    names: dict[int, str] = field(default_factory=dict)
    oncall: list[OncallAlert] = field(default_factory=list)
    # the same LINE user or web-chat visitor's other intakes (a resident writing after a close
    # starts a new one): (row with id / receipt_no / received_at / status, may this user open it)
    same_resident: list[tuple[object, bool]] = field(default_factory=list)
    reply_status: dict[int, replies.SentReply] = field(default_factory=dict)  # by reply event id: delivered?
    reach_notice: str = ""  # web chat: until when a reply can still reach the resident

    @property
    def state(self) -> str:
        return lifecycle.state_label(self.intake.status)

    def offers(self, move: str) -> bool:
        return self.intake.status in lifecycle.BY_NAME[move].sources

    @property
    def plain_moves(self) -> list[lifecycle.Move]:
        return [m for m in lifecycle.moves_from(self.intake.status) if m.name in PLAIN_MOVES]

    @property
    def pending_plan(self) -> SupportPlan | None:
        return next((p for p in reversed(self.plans) if p.approved_at is None), None)

    @property
    def oncall_lines(self) -> list[tuple[str, str, str]]:
        """(target, status text, css) per on-call alert; one 'none' line for an urgent
        after-hours intake nobody was alerted about, nothing for the others."""
        w = lifecycle.wording()["oncall"]
        lines = []
        for a in self.oncall:
            values = {"at": labels.jst(a.sent_at), "attempts": a.attempts, "error": a.last_error or "—"}
            key = a.status if a.status in ("sent", "failed") else "retrying" if a.attempts else "waiting"
            css = {"sent": "yes", "failed": "no"}.get(key, "unknown")
            lines.append((w["targets"].get(a.target, a.target), t(w[key], **values), css))
        urgent_after_hours = self.intake.after_hours and (self.intake.urgent or self.intake.crisis)
        if not lines and urgent_after_hours:
            lines.append(("", w["none"], "unknown"))
        return lines

    @property
    def jusoteki_possible(self) -> bool:
        return self.consent["share"]["allowed"] and self.consent["meeting"]["allowed"]


def build(db: Session, intake: Intake, user, consents: list | None = None) -> CasePanel:
    """`consents`: the intake's consent records oldest first, if the caller loaded them."""
    staff_rows = db.exec(select(StaffUser)).all()
    names = {s.id: s.display_name for s in staff_rows}
    me = next((s for s in staff_rows if s.id == user.id), None)
    household = db.get(Household, intake.household_id) if intake.household_id else None
    events = db.exec(select(CaseEvent).where(CaseEvent.intake_id == intake.id)
                     .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).all()
    now = replies.clock()
    web = replies.reach(db, intake) if intake.channel == "web" else None
    contacts = db.exec(select(ContactLog).where(ContactLog.intake_id == intake.id)
                       .order_by(ContactLog.happened_at.desc(), ContactLog.id.desc())).all()
    same_resident = db.exec(select(Intake.id, Intake.receipt_no, Intake.received_at, Intake.status, Intake.assignee_id)
                            .where(Intake.channel == intake.channel, Intake.user_key == intake.user_key,
                                   Intake.id != intake.id)
                            .order_by(Intake.received_at.desc(), Intake.id.desc()).limit(SAME_RESIDENT_LIMIT)).all()
    return CasePanel(
        intake=intake,
        assignee=names.get(intake.assignee_id),
        # what the resident marked, not what a crisis implied before the checklist (推定)
        suggestion=suggest(marked.marked(intake), intake.reporter_role, intake.crisis, intake.crisis_kinds,
                           (household.members or []) if household else []),
        consent=cases.effective_consent(db, intake, consents),
        events=[(e, names.get(e.actor_id, "自動")) for e in events],
        meetings=db.exec(select(Meeting).where(Meeting.intake_id == intake.id).order_by(Meeting.id)).all(),
        plans=db.exec(select(SupportPlan).where(SupportPlan.intake_id == intake.id).order_by(SupportPlan.id)).all(),
        contacts=[(c, names.get(c.actor_id, "—")) for c in contacts],
        staff_choices=[(s.id, s.display_name) for s in staff_rows
                       if s.active and s.role in ("suishin", "admin") and s.id != intake.assignee_id],
        may_approve=can(me, "plan.approve", intake),
        names=names,
        oncall=db.exec(select(OncallAlert).where(OncallAlert.intake_id == intake.id).order_by(OncallAlert.id)).all()
        if intake.after_hours else [],
        reply_status=replies.statuses(db, intake, events, now, web),
        same_resident=[(row, can(me, "intake.view", row)) for row in same_resident],
        reach_notice=web.notice(now) if web is not None and intake.status != "closed" else "",
    )
