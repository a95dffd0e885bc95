"""Admins: the messages the bot set aside, with a retry button: LINE events that failed
repeatedly, and web-chat crisis messages refused by a limit (rate_limited).

Rows show ids, times, the channel, the kind of failure and whether the kept text is a crisis
(危機) only: what the resident wrote stays in the intake flow and never on this page. A LINE
event is put back in the worker's line; a web-chat message is handled at once (the visitor's
waiting messages, in order, as if they wrote again), so a crisis becomes an intake now.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from console.permissions import can
from dialogs.crisis_reply import emergency_reply
from models import WebhookEvent
from models.audit import record_event
from models.db import get_engine, session_scope
from workers import runtime
from workers.events import process_line_events
from workers.locks import user_lock
from workers.quarantine import release

bp = Blueprint("failed_events", __name__, url_prefix="/console/failed-events")
LIMIT = 500
RETRIED = "もう一度 処理するよう 依頼しました（イベント {id}）。"
RETRIED_WEB = "Webチャットのメッセージを処理しました（イベント {id}）。相談になる内容なら受付一覧に出ています。"
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
        shown = [{"row": e, "crisis": _crisis(e)} for e in rows]
    return render_template("console/failed_events.html", rows=shown)


def _crisis(event: WebhookEvent) -> bool:
    """Whether the kept text is a crisis (the text itself never leaves this function)."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    message = payload.get("message") if isinstance(payload.get("message"), dict) else payload  # LINE / web
    text = message.get("text")
    return isinstance(text, str) and bool(emergency_reply(text))


@bp.post("/<int:row_id>/retry")
@login_required
def retry(row_id: int):
    _admin()
    with session_scope() as db:
        event = db.get(WebhookEvent, row_id)
        channel, visitor = (event.channel, event.user_key) if event is not None else (None, None)
    if release(row_id):
        with session_scope() as db:
            record_event(db, "event.retry", actor_id=current_user.id, target_type="webhook_event", target_id=row_id)
        if channel == "web":  # no worker reads web messages: handle it now, as the next message would
            from bot.web.chat import retry_waiting
            with user_lock("web", visitor, engine=get_engine(), timeout=20):
                retry_waiting(visitor, current_app.config["TSUNAGU"].coordinator_label)
            flash(RETRIED_WEB.format(id=row_id))
        else:
            runtime.current().jobs.enqueue(process_line_events, row_id)
            flash(RETRIED.format(id=row_id))
    else:
        flash(NOT_FAILED.format(id=row_id), "error")
    return redirect(url_for("failed_events.index"))
