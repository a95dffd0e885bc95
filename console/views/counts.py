"""Counts only, no personal data: cases by state, by checklist item, by month (JST);
contacts (回) apart from cases (件). For viewers, and for coordinators at a glance."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlmodel import select

from console import lifecycle, marked
from console.permissions import can
from console.views import labels
from dialogs import checklist
from models import ContactLog, Intake
from models.audit import record_event
from models.base import as_utc
from models.db import session_scope

bp = Blueprint("counts", __name__, url_prefix="/console")


def gather(db) -> dict:
    by_state = dict(db.exec(select(Intake.status, func.count()).group_by(Intake.status)).all())
    by_category: Counter = Counter()
    by_month: Counter = Counter()
    nine_hours = timedelta(hours=9)  # JST has no daylight saving
    for intake in db.exec(select(Intake.categories, Intake.crisis_kinds, Intake.complete, Intake.crisis,
                                 Intake.received_at)):
        by_category.update(set(marked.marked(intake)))  # not what a crisis implied (推定)
        received_at = intake.received_at
        by_month[(as_utc(received_at) + nine_hours).strftime("%Y-%m")] += 1
    contacts = db.exec(select(func.count()).select_from(ContactLog)).one()
    contacted_cases = db.exec(select(func.count(func.distinct(ContactLog.intake_id)))).one()
    return {
        "states": [(lifecycle.state_label(s), by_state.get(s, 0)) for s in lifecycle.STATES],
        "categories": [(labels.item(c), by_category.get(c, 0)) for c in checklist.item_ids()],
        "months": sorted(by_month.items(), reverse=True),
        "total": sum(by_state.values()),
        "contacts": contacts,
        "contacted_cases": contacted_cases,
    }


@bp.get("/counts")
@login_required
def index():
    if not can(current_user, "counts.view"):
        abort(403)
    with session_scope() as db:
        counts = gather(db)
        record_event(db, "counts.view", actor_id=current_user.id)
    return render_template("console/counts.html", counts=counts)
