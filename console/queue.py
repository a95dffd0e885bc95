"""The queue: open cases, crisis first, then 人と話したい (urgent), then by SLA deadline
(oldest first within a tier, which is the same order: console/sla.py), with filters, search
by receipt number, phone number or name, and paging. One query for the page, one for its consent records, one
for the staff names, one for the agency names: no query per row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import abort
from sqlalchemy import String, and_, cast, exists, func, literal, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, select

from console import lifecycle, marked, search, sla
from console.permissions import can
from console.i18n import t
from console.views import labels
from models import Agency, ConsentRecord, Intake, Referral, StaffUser
from models.audit import record_event
from models.base import utcnow
from models.consent import latest_by_purpose
from models.db import session_scope

PAGE_SIZE = 50
CHANNELS = ("line", "web")
STATE_FILTERS = ("open", "all") + lifecycle.STATES


@dataclass(frozen=True)
class QueueFilter:
    state: str = "open"  # open (default) / all / a lifecycle state
    category: str | None = None
    team: str | None = None
    agency: int | None = None  # cases referred to this agency (any answer but 取り下げ)
    assignee: str | None = None  # "me" / "none" / a staff id
    overdue: bool = False
    urgent: bool = False
    channel: str | None = None
    q: str | None = None  # a receipt number, phone digits, or a name / area (console/search.py)
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """From the query string; junk is a 400, not a silent default."""
        def one_of(name, allowed):
            value = args.get(name) or None
            if value is not None and value not in allowed:
                abort(400)
            return value

        from dialogs import checklist

        page = args.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= 100_000:
            abort(400)
        assignee = args.get("assignee") or None
        if assignee is not None and assignee not in ("me", "none") and not assignee.isdigit():
            abort(400)
        agency = args.get("agency") or None
        if agency is not None and not (agency.isdigit() and len(agency) <= 9):
            abort(400)
        q = search.normalise(args.get("q") or "") or None
        if q is not None and len(q) > search.MAX_LENGTH:
            abort(400)
        return cls(state=one_of("state", STATE_FILTERS) or "open",
                   category=one_of("category", checklist.item_ids()),
                   team=one_of("team", tuple(lifecycle.wording()["teams"])),
                   agency=int(agency) if agency else None,
                   assignee=assignee, overdue=args.get("overdue") == "1",
                   urgent=args.get("show") == "urgent" or args.get("urgent") == "1",
                   channel=one_of("channel", CHANNELS), q=q, page=int(page))

    def args(self, **changes) -> dict:
        """Query-string arguments of this filter with some changed (for links)."""
        values = {"state": self.state, "category": self.category, "team": self.team, "agency": self.agency,
                  "assignee": self.assignee,
                  "overdue": "1" if self.overdue else None, "urgent": "1" if self.urgent else None,
                  "channel": self.channel, "q": self.q, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


@dataclass
class QueueRow:
    intake: Intake
    consent: list[tuple[str, str, str]]
    topics: bool  # may this user see the ◎/〇 items and crisis kinds?
    assignee: str | None
    deadline: datetime
    overdue: bool

    @property
    def primary(self) -> str | None:
        main = marked.primary(self.intake)  # not an item a crisis implied before the checklist
        return labels.item(main) if self.topics and main else None

    @property
    def others(self) -> list[str]:
        if not self.topics:
            return []
        return [labels.item(i) for i in marked.marked(self.intake) if i != self.intake.primary]

    @property
    def guessed(self) -> list[str]:
        """The classifier's guesses and the crisis-implied items the resident did not mark (推定)."""
        if not self.topics:
            return []
        ticked = set(marked.marked(self.intake))
        return [labels.item(i) for i in marked.suggested(self.intake) if i not in ticked]

    @property
    def crisis_kinds(self) -> list[str]:
        return [t(labels.label(labels.CRISIS_KINDS, k)) for k in self.intake.crisis_kinds or []] if self.topics else []

    @property
    def state(self) -> str:
        return lifecycle.state_label(self.intake.status)


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int  # matching the filter
    urgent: int  # open urgent cases, whatever the filter
    waiting_crises: int  # unclaimed crises, whatever the filter (never hidden by paging)
    crises_shown: int
    filter: QueueFilter
    pages: int
    staff: list[tuple[int, str]] = field(default_factory=list)
    agencies: list[tuple[int, str]] = field(default_factory=list)  # the agency filter's choices


def _overdue_condition(now: datetime):
    crisis_t, person_t, other_t = (sla.overdue_before(now, t) for t in sla.TIERS)
    return and_(Intake.status == "new", or_(
        and_(Intake.crisis, Intake.received_at < crisis_t),
        and_(~Intake.crisis, Intake.urgent, Intake.received_at < person_t),
        and_(~Intake.crisis, ~Intake.urgent, Intake.received_at < other_t)))


def _has_item(item: str, dialect: str):
    """The resident marked this checklist id. PostgreSQL: JSON containment, served by the GIN
    index of migration 0070; elsewhere (SQLite) a match on the stored JSON text."""
    if dialect == "postgresql":
        return cast(Intake.categories, JSONB).op("@>")(literal([item], JSONB))
    return cast(Intake.categories, String).like(f'%"{item}"%')


def _conditions(f: QueueFilter, user, now: datetime, dialect: str = "sqlite") -> list:
    where = []
    if f.q:
        # a search looks everywhere, closed cases too; names and phone numbers only for staff
        # who may read the cases (the receipt number alone for the others)
        return [search.condition(f.q, people=can(user, "queue.view_topics"))]
    if f.state == "open":
        where.append(Intake.status != "closed")
    elif f.state != "all":
        where.append(Intake.status == f.state)
    if f.category:
        where.append(_has_item(f.category, dialect))
    if f.team:
        where.append(Intake.team == f.team)
    if f.agency is not None:
        where.append(exists().where(Referral.intake_id == Intake.id, Referral.agency_id == f.agency,
                                    Referral.status != "withdrawn"))
    if f.assignee == "me":
        where.append(Intake.assignee_id == user.id)
    elif f.assignee == "none":
        where.append(Intake.assignee_id.is_(None))
    elif f.assignee:
        where.append(Intake.assignee_id == int(f.assignee))
    if f.overdue:
        where.append(_overdue_condition(now))
    if f.urgent:
        where.append(or_(Intake.urgent, Intake.crisis))
    if f.channel:
        where.append(Intake.channel == f.channel)
    return where


def _consents_by_intake(db: Session, intake_ids: list[int]) -> dict[int, list[ConsentRecord]]:
    found: dict[int, list[ConsentRecord]] = {i: [] for i in intake_ids}
    if intake_ids:
        for record in db.exec(select(ConsentRecord).where(ConsentRecord.intake_id.in_(intake_ids))
                              .order_by(ConsentRecord.id)):
            found[record.intake_id].append(record)
    return found


def latest_actions(records) -> dict[str, str]:
    return {purpose: record.action for purpose, record in latest_by_purpose(records).items()}


def _counts(db: Session, where: list) -> tuple[int, int, int]:
    """The filter's total, and (whatever the filter) the open urgent cases and the unclaimed
    crises: the latter two from the small index of open cases' flags (migration 0070) alone."""
    total = db.exec(select(func.count()).select_from(Intake).where(*where)).one()
    urgent, waiting = db.exec(select(func.count().filter(or_(Intake.urgent, Intake.crisis)),
                                     func.count().filter(and_(Intake.status == "new", Intake.crisis)))
                              .select_from(Intake).where(Intake.status != "closed")).one()
    return total, urgent, waiting


def list_queue(user, f: QueueFilter, now: datetime | None = None) -> Queue:
    if not can(user, "queue.view"):
        abort(403)
    now = now or utcnow()
    order = (Intake.crisis.desc(), Intake.urgent.desc(), Intake.received_at, Intake.id)
    topics = can(user, "queue.view_topics")
    with session_scope() as db:
        where = _conditions(f, user, now, db.get_bind().dialect.name)
        total, urgent, waiting = _counts(db, where)
        pages = max(1, -(-total // PAGE_SIZE))
        # the page's ids first, from the narrow queue indexes; then only those 50 wide rows (the
        # free text makes a row about 1 kB: sorting whole rows of a large match is what is slow)
        page = (select(Intake.id).where(*where).order_by(*order)
                .offset((min(f.page, pages) - 1) * PAGE_SIZE).limit(PAGE_SIZE).subquery())
        intakes = db.exec(select(Intake).join(page, page.c.id == Intake.id).order_by(*order)).all()
        consents = _consents_by_intake(db, [i.id for i in intakes])
        staff = db.exec(select(StaffUser.id, StaffUser.display_name, StaffUser.role)
                        .where(StaffUser.role.in_(("suishin", "admin")))).all()
        agencies = db.exec(select(Agency.id, Agency.name).order_by(Agency.active.desc(), Agency.id)).all()
        record_event(db, "queue.view", actor_id=user.id)
        if f.q:  # that a search was made and of what kind; the term itself may be a phone number
            record_event(db, "queue.search", actor_id=user.id, detail={"kind": search.kind(f.q)})
    names = {sid: name for sid, name, _ in staff}
    rows = []
    for i in intakes:
        due = sla.deadline(i.received_at, i.crisis, i.urgent)
        rows.append(QueueRow(i, labels.consent_status(i.reporter_role, latest_actions(consents[i.id])), topics,
                             names.get(i.assignee_id), due, i.status == "new" and due <= now))
    shown = sum(1 for r in rows if r.intake.crisis and r.intake.status == "new")
    return Queue(rows=rows, total=total, urgent=urgent, waiting_crises=waiting, crises_shown=shown,
                 filter=f, pages=pages, staff=sorted((sid, name) for sid, name, _ in staff),
                 agencies=[(aid, name) for aid, name in agencies])
