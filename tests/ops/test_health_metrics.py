"""GET /healthz for load balancers and GET /metrics for Prometheus, on SQLite and on
PostgreSQL + Redis: real outages (a dead Redis port, a dead database port), real events."""
from __future__ import annotations

import dataclasses

from models.db import get_engine, init_engine
from tests.fakeline import text_event
from tests.helpers import run_jobs
from workers import runtime
from workers.jobs import RQJobs

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_healthy_service_reports_its_parts(client, backend):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and body["ok"]
    assert body["database"] == "ok"
    assert body["redis"] == ("ok" if backend[1] else "off")
    assert body["queue_depth"] == 0 and body["oldest_unprocessed_event_age_s"] is None


def test_the_embedded_default_is_not_ready_until_its_jobs_have_warmed_up(app, client, backend):
    if backend[1]:
        return  # with Redis the jobs run in `tsunagu worker`, which warms up before taking any
    from workers.warmup import warm_in_process

    jobs = runtime.current().jobs
    jobs.warming = True  # as warm_in_process sets it while it runs
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["jobs"] == "warming"
    warm_in_process(app, jobs).join(timeout=60)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["jobs"] == "ready"


def test_an_event_waiting_for_a_worker_shows_its_age_and_the_queue(app, client, resident, backend):
    if not backend[1]:
        return  # in-process jobs start at once; the waiting state exists with Redis workers
    resident.post(text_event(resident.user_id, "こんにちは", "tok"))
    body = client.get("/healthz").get_json()
    assert body["queue_depth"] == 1 and body["oldest_unprocessed_event_age_s"] >= 0
    app.config["TSUNAGU"] = dataclasses.replace(app.config["TSUNAGU"], health_max_event_age=-1)
    assert client.get("/healthz").status_code == 503  # older than allowed: workers are behind
    run_jobs(app)
    app.config["TSUNAGU"] = dataclasses.replace(app.config["TSUNAGU"], health_max_event_age=60)
    assert client.get("/healthz").get_json()["oldest_unprocessed_event_age_s"] is None


def test_redis_down_is_503(client):
    working = runtime.current().jobs
    runtime.current().jobs = RQJobs(DEAD_REDIS)
    try:
        response = client.get("/healthz")
    finally:
        runtime.current().jobs = working
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error" and response.get_json()["database"] == "ok"


def test_database_down_is_503(client, backend):
    url = backend[0]
    dead = "postgresql+psycopg://postgres@127.0.0.1:1/none" if url.startswith("postgresql") else "sqlite:////nonexistent/dir/x.db"
    init_engine(dead)
    try:
        response = client.get("/healthz")
    finally:
        init_engine(url)
    assert response.status_code == 503 and response.get_json()["database"] == "error"


def test_metrics_are_not_public(client, app):
    assert client.get("/metrics").status_code == 404  # no token configured: no endpoint
    app.config["TSUNAGU"] = dataclasses.replace(app.config["TSUNAGU"], metrics_token="s3cret")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_metrics_count_events_sends_and_reply_latency(client, app, resident):
    app.config["TSUNAGU"] = dataclasses.replace(app.config["TSUNAGU"], metrics_token="s3cret")
    resident.say("家賃が払えない")
    resident.say("こんにちは")
    text = client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).get_data(as_text=True)
    assert "tsunagu_events_received_total 2.0" in text
    assert "tsunagu_events_processed_total 2.0" in text
    assert "tsunagu_events_failed_total 0.0" in text
    assert 'tsunagu_line_sends_total{outcome="sent_reply"} 2.0' in text
    assert 'tsunagu_reply_latency_seconds_bucket{le="+Inf"} 2.0' in text
    assert "tsunagu_queue_depth" in text
    assert resident.user_id not in text and "家賃" not in text
    get_engine()  # still the app's engine
