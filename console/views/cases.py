"""The case page's actions: parse the form, one service call (console/cases.py), redirect
back with a message. Permission through console.permissions.can() on the server; a refusal
by role is a 403 (audited), a refusal about this case (not its assignee, stale form, a move
the lifecycle does not allow) is a message on the case page, never a 500."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from console import cases, lifecycle
from console.cases import CaseError
from console.i18n import t
from console.permissions import PERMISSIONS, can
from console.views import case_forms as forms
from models import Intake, StaffUser
from models.audit import record_event
from models.db import session_scope

bp = Blueprint("case", __name__, url_prefix="/console/intakes")


def _done(key: str, **values) -> str:
    return t(lifecycle.wording()["done"][key], **{k: t(v) if isinstance(v, str) else v for k, v in values.items()})


def _back(intake_id: int):
    return redirect(url_for("console.intake", intake_id=intake_id, _anchor="case"), code=303)


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if name == "csrf_token":
            return _done("expired_form")
        for error in errors:
            if isinstance(error, dict):  # a row of members / tasks
                for row_errors in error.values():
                    return str(row_errors[0])
            return f"{getattr(form, name).label.text}{t('：')}{error}"  # lazy wording made text here
    return _done("invalid_form")


def act(intake_id: int, action: str, form, change, done: str):
    """Fetch the case, check `action`, validate the form, make the change, report back."""
    refused = None
    try:
        with session_scope() as db:
            intake = db.get(Intake, intake_id)
            if intake is None:
                abort(404)
            staff = db.get(StaffUser, current_user.id)
            if not can(staff, action, intake):
                refused = "role" if staff is None or staff.role not in PERMISSIONS[action] else "case"
            elif not (request.form.get("state") or "").strip():
                refused = "no_state"  # a stale-form check that cannot be made is a refusal, not a pass
            elif not form.validate_on_submit():
                flash(_first_error(form), "error")
                return _back(intake_id)
            else:
                message = change(db, intake, staff, form)
    except CaseError as error:
        flash(error.message, "error")
        return _back(intake_id)
    if refused == "no_state":
        abort(400, description=_done("missing_state"))
    if refused:
        with session_scope() as db:
            record_event(db, "case.refused", actor_id=current_user.id, target_type="intake", target_id=intake_id)
        if refused == "role":
            abort(403)
        flash(CaseError("approver_required" if action == "plan.approve" else "not_assignee").message, "error")
        return _back(intake_id)
    flash(message or _done(done), "info")
    return _back(intake_id)


def _expected(form) -> str | None:
    return form.state.data or None


def _assignee(form) -> int | None:
    raw = form.assignee.data
    return int(raw) if raw and raw.isdigit() else None


@bp.post("/<int:intake_id>/claim")
@login_required
def claim(intake_id: int):
    return act(intake_id, "case.claim", forms.ClaimForm(),
               lambda db, i, s, f: cases.claim(db, i, s) and None, "claim")


@bp.post("/<int:intake_id>/release")
@login_required
def release(intake_id: int):
    return act(intake_id, "case.work", forms.ReleaseForm(),
               lambda db, i, s, f: cases.release(db, i, s, expected_assignee=_assignee(f)) and None, "release")


@bp.post("/<int:intake_id>/reassign")
@login_required
def reassign(intake_id: int):
    return act(intake_id, "case.reassign", forms.ReassignForm(),
               lambda db, i, s, f: cases.reassign(db, i, s, f.to_staff.data, expected_assignee=_assignee(f)) and None,
               "reassign")


@bp.post("/<int:intake_id>/triage")
@login_required
def triage(intake_id: int):
    return act(intake_id, "case.work", forms.TriageForm(),
               lambda db, i, s, f: cases.triage(db, i, s, f.triage_class.data, f.reason.data, expected=_expected(f))
               and None, "triage")


@bp.post("/<int:intake_id>/move")
@login_required
def move(intake_id: int):
    from console.casepage import PLAIN_MOVES

    def change(db, intake, staff, form):
        target = form.to_state.data
        found = lifecycle.move_between(intake.status, target)
        if found is not None and found.name not in PLAIN_MOVES:
            raise CaseError("not_allowed", state=lifecycle.state_label(intake.status))
        cases.transition(db, intake, staff, target, expected=_expected(form))
        return _done("move", state=lifecycle.state_label(target))

    return act(intake_id, "case.work", forms.MoveForm(), change, "move")


@bp.post("/<int:intake_id>/meeting")
@login_required
def meeting(intake_id: int):
    def change(db, intake, staff, form):
        members = [dict(m) for m in form.members.data]
        cases.record_meeting(db, intake, staff, form.kind.data, form.held_on.data, members, form.outcome.data,
                             expected=_expected(form))

    return act(intake_id, "case.work", forms.MeetingForm(), change, "meeting")


@bp.post("/<int:intake_id>/plan")
@login_required
def plan(intake_id: int):
    def change(db, intake, staff, form):
        cases.record_plan(db, intake, staff, form.goals.data, [dict(t) for t in form.tasks.data],
                          form.review_on.data, meeting_id=_own_meeting(db, intake, form.meeting_id.data),
                          expected=_expected(form))

    return act(intake_id, "case.work", forms.PlanForm(), change, "plan")


def _own_meeting(db, intake, meeting_id):
    from models import Meeting

    meeting = db.get(Meeting, meeting_id) if meeting_id else None
    return meeting.id if meeting is not None and meeting.intake_id == intake.id else None


@bp.post("/<int:intake_id>/plans/<int:plan_id>/approve")
@login_required
def approve(intake_id: int, plan_id: int):
    return act(intake_id, "plan.approve", forms.ApproveForm(),
               lambda db, i, s, f: cases.approve_plan(db, i, s, plan_id, expected=_expected(f)) and None, "approve")


@bp.post("/<int:intake_id>/contact")
@login_required
def contact(intake_id: int):
    def change(db, intake, staff, form):
        from datetime import timezone

        from console.views.labels import JST

        happened = form.happened_at.data.replace(tzinfo=JST).astimezone(timezone.utc)  # typed in JST
        cases.log_contact(db, intake, staff, form.method.data, happened, form.note.data)

    return act(intake_id, "case.work", forms.ContactForm(), change, "contact")


@bp.post("/<int:intake_id>/close")
@login_required
def close(intake_id: int):
    return act(intake_id, "case.work", forms.CloseForm(),
               lambda db, i, s, f: cases.close(db, i, s, f.outcome.data, f.note.data, expected=_expected(f)) and None,
               "close")


@bp.post("/<int:intake_id>/reopen")
@login_required
def reopen(intake_id: int):
    return act(intake_id, "case.reopen", forms.ReopenForm(),
               lambda db, i, s, f: cases.reopen(db, i, s, f.reason.data, expected=_expected(f)) and None, "reopen")


@bp.post("/<int:intake_id>/consent-override")
@login_required
def consent_override(intake_id: int):
    return act(intake_id, "consent.override", forms.OverrideForm(),
               lambda db, i, s, f: cases.override_consent(db, i, s, f.purpose.data, f.reason.data) and None,
               "override")


@bp.errorhandler(400)
def bad_request(error):
    """A form without the state it was drawn in (or otherwise broken): say what to do."""
    message = error.description if isinstance(error.description, str) and not error.description.startswith(
        "The browser") else _done("missing_state")
    return render_template("console/error.html", code=400, message=message), 400


@bp.errorhandler(CSRFError)
def expired(error):
    """A form from a page open too long (or another session): say so, lose nothing else."""
    flash(_done("expired_form"), "error")
    from flask import request

    parts = request.path.split("/")
    if len(parts) > 3 and parts[3].isdigit():
        return _back(int(parts[3]))
    return redirect(url_for("console.queue"), code=303)
