"""For operators: GET /healthz (load balancers) and GET /metrics (Prometheus, behind a token).

Both read the shared database and Redis, so any web process on any host tells the same
story about the whole service, and no per-process counters need to be gathered. Neither
shows personal data: counts, ages and states only.
"""
from __future__ import annotations

import hmac
import logging
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import func, text
from sqlmodel import select

from models import OncallAlert, OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.db import session_scope
from workers import runtime

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)
LATENCY_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


def database_ok() -> bool:
    try:
        with session_scope() as session:
            session.exec(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health: database check failed (%s)", type(exc).__name__)
        return False


def redis_state() -> str:
    connection = getattr(runtime.current().jobs, "connection", None)
    if connection is None:
        return "off"
    try:
        connection.ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("health: Redis check failed (%s)", type(exc).__name__)
        return "error"


def queue_depth() -> int | None:
    jobs = runtime.current().jobs
    try:
        return jobs.queue.count + jobs.events_waiting() if hasattr(jobs, "queue") else jobs._queue.qsize()
    except Exception:  # noqa: BLE001 - Redis down: reported by redis_state
        return None


def oldest_unprocessed_age(now: datetime | None = None) -> float | None:
    with session_scope() as session:
        oldest = session.exec(select(func.min(WebhookEvent.received_at)).where(
            WebhookEvent.processed_at.is_(None), WebhookEvent.failed_at.is_(None))).first()
    if oldest is None:
        return None
    return max(0.0, ((now or utcnow()) - as_utc(oldest)).total_seconds())


@bp.get("/healthz")
def healthz():
    db_ok = database_ok()
    redis = redis_state()
    warming = getattr(runtime.current().jobs, "warming", False)  # the embedded default's jobs
    body = {
        "ok": db_ok and redis != "error" and not warming,
        "database": "ok" if db_ok else "error",
        "redis": redis,
        "jobs": "warming" if warming else "ready",
        "queue_depth": queue_depth() if redis != "error" else None,
        "oldest_unprocessed_event_age_s": oldest_unprocessed_age() if db_ok else None,
    }
    limit = current_app.config["TSUNAGU"].health_max_event_age
    if limit is not None and (body["oldest_unprocessed_event_age_s"] or 0) > limit:
        body["ok"] = False  # workers are not keeping up (or none is running)
    return body, 200 if body["ok"] else 503


@bp.get("/metrics")
def metrics():
    token = current_app.config["TSUNAGU"].metrics_token
    if not token:
        abort(404)  # not configured: not there at all
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(401)
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from prometheus_client.core import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector())
    # content_type, not mimetype: Flask appends "; charset=utf-8" to a mimetype, and
    # CONTENT_TYPE_LATEST already carries one (a repeated parameter Prometheus 3 refuses)
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _Collector:
    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        with session_scope() as session:
            received = session.exec(select(func.count(WebhookEvent.id))).one()
            processed = session.exec(select(func.count(WebhookEvent.id)).where(WebhookEvent.processed_at.is_not(None))).one()
            failed = session.exec(select(func.count(WebhookEvent.id)).where(WebhookEvent.failed_at.is_not(None))).one()
            sends = session.exec(select(OutboxMessage.status, OutboxMessage.sent_via, func.count(OutboxMessage.id))
                                 .group_by(OutboxMessage.status, OutboxMessage.sent_via)).all()
            alerts = session.exec(select(OncallAlert.status, func.count(OncallAlert.id))
                                  .group_by(OncallAlert.status)).all()
            latencies = session.exec(
                select(WebhookEvent.received_at, OutboxMessage.sent_at)
                .join(OutboxMessage, OutboxMessage.event_id == WebhookEvent.event_id)
                .where(OutboxMessage.seq == 0, OutboxMessage.sent_at.is_not(None))).all()
        yield CounterMetricFamily("tsunagu_events_received", "LINE events stored", value=received)
        yield CounterMetricFamily("tsunagu_events_processed", "LINE events handled by the dialog", value=processed)
        yield CounterMetricFamily("tsunagu_events_failed", "LINE events set aside after failing", value=failed)
        family = CounterMetricFamily("tsunagu_line_sends", "LINE requests by outcome", labels=["outcome"])
        for status, via, count in sends:
            family.add_metric([f"{status}_{via}" if via else status], count)
        yield family
        family = GaugeMetricFamily("tsunagu_oncall_alerts",
                                   "on-call alerts by status (failed: given up, the person on call was not told)",
                                   labels=["status"])
        found = dict(alerts)
        for status in ("pending", "sent", "failed"):  # always all three, so an alert rule sees 0
            family.add_metric([status], found.get(status, 0))
        yield family
        depth = queue_depth()
        if depth is not None:
            yield GaugeMetricFamily("tsunagu_queue_depth", "jobs waiting for a worker", value=depth)
        age = oldest_unprocessed_age()
        yield GaugeMetricFamily("tsunagu_oldest_unprocessed_event_age_seconds",
                                "age of the oldest event not yet handled", value=age or 0.0)
        seconds = [(as_utc(sent) - as_utc(received)).total_seconds() for received, sent in latencies]
        buckets = [(str(b), sum(s <= b for s in seconds)) for b in LATENCY_BUCKETS] + [("+Inf", len(seconds))]
        yield HistogramMetricFamily("tsunagu_reply_latency_seconds",
                                    "event received -> first reply sent (events still stored)",
                                    buckets=buckets, sum_value=sum(seconds))
