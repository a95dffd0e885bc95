"""Admins: the LINE messages the bot set aside after repeated failures, with a retry button.

Rows show ids, times and the kind of failure only: what the resident wrote stays in the
intake flow (a retried event is answered like any other) and never on this page.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from console.permissions import can
from models import WebhookEvent
from models.audit import record_event
from models.db import session_scope
from workers import runtime
from workers.events import process_line_events
from workers.quarantine import release

bp = Blueprint("failed_events", __name__, url_prefix="/console/failed-events")
LIMIT = 500
RETRIED = "もう一度 処理するよう 依頼しました（イベント {id}）。"
NOT_FAILED = "このイベントは すでに 処理済みか、再処理の待ち中です（イベント {id}）。"


def _admin() -> None:
    if not can(current_user, "events.manage"):
        abort(403)


@bp.get("/")
@login_required
def index():
    _admin()
    with session_scope() as db:
        rows = db.exec(select(WebhookEvent).where(WebhookEvent.failed_at.is_not(None),
                                                  WebhookEvent.processed_at.is_(None))
                       .order_by(WebhookEvent.failed_at.desc()).limit(LIMIT)).all()
        record_event(db, "events.view_failed", actor_id=current_user.id)
    return render_template("console/failed_events.html", rows=rows)


@bp.post("/<int:row_id>/retry")
@login_required
def retry(row_id: int):
    _admin()
    if release(row_id):
        with session_scope() as db:
            record_event(db, "event.retry", actor_id=current_user.id, target_type="webhook_event", target_id=row_id)
        runtime.current().jobs.enqueue(process_line_events, row_id)
        flash(RETRIED.format(id=row_id))
    else:
        flash(NOT_FAILED.format(id=row_id), "error")
    return redirect(url_for("failed_events.index"))
