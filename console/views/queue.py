"""The console blueprint: the intake queue and the intake page. Parse, one call, render."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from console import contact_safety, lifecycle
from console.queue import QueueFilter, list_queue
from console.views import case_forms as forms
from console.views import intakes, labels
from dialogs import checklist
from wtforms.fields.choices import SelectChoice

bp = Blueprint("console", __name__, url_prefix="/console")
FILTERS = ("all", "urgent")

ERRORS = {
    400: "リクエストの内容が正しくありません。",
    403: "この画面を見る権限がありません。必要なときは管理者に相談してください。",
    404: "お探しの相談は見つかりませんでした。",
    405: "この操作はできません。画面を読み込み直してください。",
}


@bp.get("/")
@login_required
def queue():
    show = request.args.get("show", "all")
    if show not in FILTERS:
        abort(400)
    view = list_queue(current_user._get_current_object(), QueueFilter.from_args(request.args))
    return render_template("console/queue.html", queue=view, show=show, f=view.filter,
                           wording=lifecycle.wording(), items=checklist.item_ids())


@bp.get("/intakes/<int:intake_id>")
@login_required
def intake(intake_id: int):
    detail = intakes.get_intake(intake_id, current_user._get_current_object())
    i = detail.intake
    state = {"state": i.status}
    now = labels.now_jst().strftime("%Y-%m-%dT%H:%M")
    case_forms = {
        "claim": forms.ClaimForm(**state), "release": forms.ReleaseForm(assignee=i.assignee_id, **state),
        "reassign": forms.ReassignForm(assignee=i.assignee_id, **state),
        "triage": forms.TriageForm(triage_class=detail.case.suggestion.triage_class, **state),
        "move": forms.MoveForm(**state), "meeting": forms.MeetingForm(**state), "plan": forms.PlanForm(**state),
        "approve": forms.ApproveForm(**state), "contact": forms.ContactForm(happened_at=None, **state),
        "close": forms.CloseForm(**state), "reopen": forms.ReopenForm(**state), "override": forms.OverrideForm(**state),
    }
    case_forms["reassign"].to_staff.choices = [SelectChoice(sid, name) for sid, name in detail.case.staff_choices]
    return render_template("console/intake.html", d=detail, c=detail.case, forms=case_forms, now_local=now,
                           wording=lifecycle.wording())


def _error(error):
    return render_template("console/error.html", code=error.code, message=ERRORS[error.code]), error.code


for _code in ERRORS:
    bp.register_error_handler(_code, _error)


@bp.app_context_processor
def console_labels():
    return {"labels": labels, "contact_wording": contact_safety.wording()}


@bp.app_template_filter("jst")
def jst_filter(value):
    return labels.jst(value)
