"""Referral routes: the coordinator's つなぐ page and reply page for a case, the agency's
inbox and referral page. Parse, one service call, redirect with a message; a refused move
(stale form, wrong state, missing reason) is a message on the page, never a 500."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from console import lifecycle, referral_flow, referral_views, referrals, replies
from console.cases import CaseError
from console.i18n import t
from console.permissions import can
from console.views import labels
from console.views.labels import JST
from models import Intake, Referral
from models.audit import record_event
from models.base import utcnow
from models.db import session_scope

bp = Blueprint("referrals", __name__, url_prefix="/console")
REFUSALS = (referrals.ReferralError, CaseError, replies.ReplyError)


def _me():
    return current_user._get_current_object()


def _now() -> datetime:
    return replies.clock()


def _case(db, intake_id: int) -> Intake | None:
    """The intake for a coordinator page; None (then 403) when the role may not open it."""
    intake = db.get(Intake, intake_id)
    if intake is None:
        abort(404)
    allowed = can(_me(), "intake.view", intake)
    record_event(db, "intake.view" if allowed else "intake.view_denied", actor_id=current_user.id,
                 target_type="intake", target_id=intake.id)
    return intake if allowed else None


# ---- coordinator: つなぐ ------------------------------------------------------------------

@bp.get("/intakes/<int:intake_id>/referrals")
@login_required
def case_referrals(intake_id: int):
    with session_scope() as db:
        intake = _case(db, intake_id)
        panel = referral_views.case_panel(db, intake, _me()) if intake else None
    if panel is None:
        abort(403)
    return render_template("console/referrals/case.html", p=panel, flow=referral_flow)


@bp.post("/intakes/<int:intake_id>/referrals")
@login_required
def refer(intake_id: int):
    agency_ids = [int(v) for v in request.form.getlist("agency_id") if v.isdigit()]
    try:
        with session_scope() as db:
            intake = _case(db, intake_id)
            if intake is None or not can(_me(), "referral.create", intake):
                return abort(403)
            made = referrals.refer(db, intake, _me(), agency_ids, request.form.get("request_note", ""),
                                   expected=request.form.get("expected") or None)
            flash(t("{count} 件の機関へつなぎました（依頼中）。", count=len(made)), "info")
    except REFUSALS as refusal:
        flash(refusal.message, "error")
    return redirect(url_for("referrals.case_referrals", intake_id=intake_id), code=303)


@bp.post("/referrals/<int:referral_id>/withdraw")
@login_required
def withdraw(referral_id: int):
    with session_scope() as db:
        referral = db.get(Referral, referral_id)
        intake_id = referral.intake_id if referral else None
    if intake_id is None or not can(_me(), "referral.withdraw"):
        abort(404 if intake_id is None else 403)
    try:
        with session_scope() as db:
            referrals.withdraw(db, referral_id, _me(), request.form.get("reason", ""),
                               expected=request.form.get("expected") or None)
            flash("依頼を取り下げました。", "info")
    except PermissionError:
        abort(403)
    except REFUSALS as refusal:
        flash(refusal.message, "error")
    return redirect(url_for("referrals.case_referrals", intake_id=intake_id), code=303)


# ---- coordinator: reply to the resident ----------------------------------------------------

@bp.get("/intakes/<int:intake_id>/reply")
@login_required
def reply_page(intake_id: int):
    with session_scope() as db:
        intake = _case(db, intake_id)
        if intake is not None:
            now = _now()
            reach = replies.reach(db, intake)
            page = dict(intake=intake, sent=replies.history(db, intake, now), blocked=reach.blocked,
                        reach_notice=reach.notice(now), reachable=reach.open(now),
                        silent=replies.silent_for(intake), can_reply=can(_me(), "resident.reply", intake))
    if intake is None:
        abort(403)
    return render_template("console/referrals/reply.html", **page)


@bp.post("/intakes/<int:intake_id>/reply")
@login_required
def reply(intake_id: int):
    try:
        with session_scope() as db:
            intake = _case(db, intake_id)
            if intake is None or not can(_me(), "resident.reply", intake):
                return abort(403)
            now = _now()
            replies.send_reply(db, intake, _me(), request.form.get("text", ""), now=now)
            done = replies.wording()["sent_flash"]
            until = replies.reach(db, intake).until
            flash(t(done["web"], until=labels.jst(until)) if intake.channel == "web" else done["line"], "info")
    except REFUSALS as refusal:
        flash(refusal.message, "error")
    return redirect(url_for("referrals.reply_page", intake_id=intake_id), code=303)


@bp.post("/intakes/<int:intake_id>/silent")
@login_required
def silent(intake_id: int):
    with session_scope() as db:
        intake = _case(db, intake_id)
        if intake is None or not can(_me(), "resident.reply", intake):
            return abort(403)
        on = request.form.get("silent") == "on"
        replies.set_silent(db, intake, _me(), on)
    flash("通知音なしで送ります。" if on else "ふつうに（通知ありで）送ります。", "info")
    return redirect(url_for("referrals.reply_page", intake_id=intake_id), code=303)


# ---- agency staff --------------------------------------------------------------------------

@bp.get("/referrals")
@login_required
def inbox():
    if not can(_me(), "referral.list"):
        abort(403)
    with session_scope() as db:
        agency, rows = referral_views.agency_inbox(db, _me())
    return render_template("console/referrals/inbox.html", agency=agency, rows=rows)


@bp.get("/referrals/<int:referral_id>")
@login_required
def agency_referral(referral_id: int):
    with session_scope() as db:
        view = referral_views.for_agency(db, referral_id, _me())
    if view is None:
        abort(404)  # another agency's referral looks like no referral at all
    if current_user.role != "agency":
        return redirect(url_for("referrals.case_referrals", intake_id=view.referral.intake_id), code=303)
    return render_template("console/referrals/agency.html", v=view, methods=lifecycle.wording()["contact_methods"])


VERBS = {
    "accept": (referrals.accept, (), "受理しました。"),
    "decline": (referrals.decline, ("reason",), "辞退しました。推進員に理由が伝わります。"),
    "send_back": (referrals.send_back, ("proposal",), "提案を添えて、つなぎ戻しました。"),
    "complete": (referrals.complete, ("result_note",), "完了にしました。"),
}


@bp.post("/referrals/<int:referral_id>/<verb>")
@login_required
def answer(referral_id: int, verb: str):
    if verb not in VERBS:
        abort(404)
    func, fields, done = VERBS[verb]
    try:
        with session_scope() as db:
            func(db, referral_id, _me(), *[request.form.get(f, "") for f in fields],
                 expected=request.form.get("expected") or None)
        flash(done, "info")
    except (LookupError, PermissionError):
        abort(404)
    except REFUSALS as refusal:
        flash(refusal.message, "error")
    return redirect(url_for("referrals.agency_referral", referral_id=referral_id), code=303)


@bp.post("/referrals/<int:referral_id>/contacts")
@login_required
def contact(referral_id: int):
    form = request.form
    try:
        happened = datetime.strptime(form.get("happened_at", ""), "%Y-%m-%dT%H:%M").replace(tzinfo=JST)
        happened = happened.astimezone(timezone.utc)
    except ValueError:
        happened = utcnow()
    try:
        with session_scope() as db:
            referrals.log_contact(db, referral_id, _me(), form.get("method", ""), happened, form.get("note", ""))
        flash("連絡を記録しました。", "info")
    except (LookupError, PermissionError):
        abort(404)
    except REFUSALS as refusal:
        flash(refusal.message, "error")
    return redirect(url_for("referrals.agency_referral", referral_id=referral_id), code=303)


def _error(error):
    from console.views.queue import ERRORS

    return render_template("console/error.html", code=error.code, message=ERRORS[error.code]), error.code


for _code in (400, 403, 404):
    bp.register_error_handler(_code, _error)


@bp.app_template_filter("referral_move_label")
def referral_move_label(name: str) -> str:
    return referral_flow.move_label(name)
