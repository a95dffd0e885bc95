"""What the pages show about referrals: the agency's inbox and referral page (shared details
only with the person's consent), and the coordinator's つなぐ page. Queries live here; the
routes (console/views/referrals.py) parse, call, render."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from console import cases, contact_safety, directory, lifecycle, referral_flow, referrals
from console.permissions import can
from console.views import labels
from models import Agency, Household, Intake, Person, Referral, Reporter, StaffUser
from models.audit import record_event
from models.case import ContactLog
from models.consent import latest_by_purpose
from workers.intakes import consent_history


class _ReferralLabels:
    """What both the inbox row and the referral page say about `self.referral`."""

    referral: Referral

    @property
    def status_label(self) -> str:
        return referral_flow.status_label(self.referral.status)

    @property
    def items(self) -> list[str]:
        return [labels.item(c) for c in self.referral.categories or []]


@dataclass
class InboxRow(_ReferralLabels):
    referral: Referral
    receipt_no: str
    overdue: bool


def agency_inbox(session: Session, user) -> tuple[Agency | None, list[InboxRow]]:
    """The referrals to the user's agency: open ones first, newest first."""
    agency = session.get(Agency, user.agency_id) if user.agency_id else None
    if agency is None:
        return None, []
    rows = session.exec(select(Referral, Intake.receipt_no).join(Intake, Intake.id == Referral.intake_id)
                        .where(Referral.agency_id == agency.id)
                        .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(500)).all()
    inbox = [InboxRow(r, receipt_no, referrals.overdue(r)) for r, receipt_no in rows]
    inbox.sort(key=lambda row: not referral_flow.is_open(row.referral.status))
    record_event(session, "referral.list", actor_id=user.id, target_type="agency", target_id=agency.id)
    return agency, inbox


@dataclass
class AgencyReferral(_ReferralLabels):
    """One referral as its agency sees it. `shared` False: only that it is proposed and the
    category - no words, no contact details, no request note (which may quote them)."""

    referral: Referral
    agency: Agency
    receipt_no: str
    coordinator: str
    shared: bool
    intake: Intake | None = None
    reporter: Reporter | None = None
    person: Person | None = None
    household: Household | None = None
    contacts: list[ContactLog] = field(default_factory=list)
    overdue: bool = False
    consents: dict[str, str] = field(default_factory=dict)  # {purpose: newest action}
    case_outcome: str | None = None  # the coordinator closed the case: its outcome, in words

    @property
    def cautions(self) -> list[str]:
        """The safety instructions that go with the phone number: the same as the coordinator sees."""
        if self.reporter is None:
            return []
        return contact_safety.cautions(self.reporter.contact, self.consents, self.reporter.keep_identity)

    @property
    def moves(self) -> list[referral_flow.Move]:
        moves = referral_flow.moves_from(self.referral.status, by="agency")
        if self.case_outcome:  # closed by the coordinator: no decline / send back onto it
            moves = [m for m in moves if m.name not in ("decline", "send_back")]
        return moves


def for_agency(session: Session, referral_id: int, user) -> AgencyReferral | None:
    """None when missing or not the user's agency's (the route answers 404 either way)."""
    referral = session.get(Referral, referral_id)
    allowed = referral is not None and can(user, "referral.view", referral)
    record_event(session, "referral.view" if allowed else "referral.view_denied", actor_id=user.id,
                 target_type="referral", target_id=referral_id)
    if not allowed:
        return None
    intake = session.get(Intake, referral.intake_id)
    assignee_id = getattr(intake, "assignee_id", None)
    assignee = session.get(StaffUser, assignee_id) if assignee_id else None
    view = AgencyReferral(referral=referral, agency=session.get(Agency, referral.agency_id),
                          receipt_no=intake.receipt_no, coordinator=assignee.display_name if assignee else "—",
                          shared=cases.sharing_allowed(session, intake), overdue=referrals.overdue(referral),
                          case_outcome=lifecycle.wording()["outcomes"].get(intake.outcome, "—")
                          if intake.status == "closed" else None)
    view.contacts = session.exec(select(ContactLog).where(ContactLog.intake_id == intake.id,
                                                          ContactLog.agency_id == referral.agency_id)
                                 .order_by(ContactLog.happened_at)).all()
    if view.shared:
        view.intake = intake
        view.reporter = session.get(Reporter, intake.reporter_id) if intake.reporter_id else None
        view.person = session.get(Person, intake.person_id) if intake.person_id else None
        view.household = session.get(Household, intake.household_id) if intake.household_id else None
        view.consents = {purpose: record.action for purpose, record in
                         latest_by_purpose(consent_history(session, intake.id)).items()}
    return view


@dataclass
class CasePanel:
    """The coordinator's つなぐ page: the case's referrals, suggestions, every active agency."""

    intake: Intake
    rows: list[referrals.ReferralRow]
    suggestions: list[directory.Suggestion]
    agencies: list[Agency]
    shared: bool
    can_refer: bool

    @property
    def suggested_ids(self) -> set[int]:
        return {s.agency.id for s in self.suggestions}


def case_panel(session: Session, intake: Intake, user) -> CasePanel:
    return CasePanel(
        intake=intake,
        rows=referrals.rows_for_case(session, intake.id),
        suggestions=directory.suggest(session, list(intake.categories or []), intake.primary),
        agencies=session.exec(select(Agency).where(Agency.active).order_by(Agency.id)).all(),
        shared=cases.sharing_allowed(session, intake),
        can_refer=can(user, "referral.create", intake),
    )
