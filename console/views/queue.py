"""The console blueprint: the intake queue and the intake page. Parse, one call, render."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from console.views import intakes, labels

bp = Blueprint("console", __name__, url_prefix="/console")
FILTERS = ("all", "urgent")

ERRORS = {
    400: "リクエストの内容が正しくありません。",
    403: "この画面を見る権限がありません。必要なときは管理者に相談してください。",
    404: "お探しの相談は見つかりませんでした。",
}


@bp.get("/")
@login_required
def queue():
    show = request.args.get("show", "all")
    if show not in FILTERS:
        abort(400)
    view = intakes.list_queue(current_user._get_current_object(), urgent_only=show == "urgent")
    return render_template("console/queue.html", queue=view, show=show)


@bp.get("/intakes/<int:intake_id>")
@login_required
def intake(intake_id: int):
    detail = intakes.get_intake(intake_id, current_user._get_current_object())
    return render_template("console/intake.html", d=detail)


def _error(error):
    return render_template("console/error.html", code=error.code, message=ERRORS[error.code]), error.code


for _code in ERRORS:
    bp.register_error_handler(_code, _error)


@bp.app_context_processor
def console_labels():
    return {"labels": labels}


@bp.app_template_filter("jst")
def jst_filter(value):
    return labels.jst(value)
