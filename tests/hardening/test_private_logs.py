"""Issue 9 item 3: residents' words and LINE user ids never reach logs or Redis, even when
something fails. Each error path is forced for real (a trigger refusing rows, a route that
raises), then every captured log record and every Redis key and value is searched.

PostgreSQL quotes the row it refused in its own error text ("DETAIL: Failing row contains
(..., もう死にたい, ...)"), and `hide_parameters` does not hide that line; `quote_rows_in_errors`
makes a table refuse writes with such a message, so every path that logs or stores an
exception's text is caught."""
from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from sqlalchemy import text

from models.db import get_engine
from tests.fakeline import text_event
from tests.helpers import run_jobs
from tests.workers.test_poison_events import allow_inserts, refuse_inserts

WORDS = "もう死にたい、借金が三百万円"
FIRST = "もう死にたい"


def everything_in_redis(app) -> bytes:
    """Every key and value of the test Redis, compressed values (RQ's job data) unpacked."""
    from workers import runtime

    redis = getattr(runtime.current().jobs, "connection", None)
    if redis is None:
        return b""
    chunks: list[bytes] = []

    def add(value) -> None:
        if isinstance(value, str):
            value = value.encode()
        if not isinstance(value, bytes):
            return
        chunks.append(value)
        try:
            chunks.append(zlib.decompress(value))
        except zlib.error:
            pass
        try:  # RQ's results stream: base64 of zlib (exc_string) or of a pickle (return_value)
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return
        chunks.append(decoded)
        try:
            chunks.append(zlib.decompress(decoded))
        except zlib.error:
            pass

    for key in redis.scan_iter("*"):
        add(key)
        kind = redis.type(key)
        if kind == b"string":
            add(redis.get(key))
        elif kind == b"hash":
            for field, value in redis.hgetall(key).items():
                add(field), add(value)
        elif kind == b"list":
            for value in redis.lrange(key, 0, -1):
                add(value)
        elif kind in (b"set",):
            for value in redis.smembers(key):
                add(value)
        elif kind == b"zset":
            for value in redis.zrange(key, 0, -1):
                add(value)
        elif kind == b"stream":
            for _id, fields in redis.xrange(key):
                for field, value in fields.items():
                    add(field), add(value)
    return b"\n".join(chunks)


def escaped(secret: str) -> str:
    """How the words look inside stored JSON (and so inside a quoted row)."""
    return json.dumps(secret)[1:-1]


def quote_rows_in_errors(table: str, on: str = "INSERT OR UPDATE") -> None:
    """Writes to `table` fail with an error that quotes the whole row, as PostgreSQL's own
    "Failing row contains (...)" does; SQLSTATE 40001, so our code takes it for a passing
    fault of the database (an OperationalError) and lets it reach the job runner."""
    with get_engine().begin() as conn:
        conn.execute(text("CREATE OR REPLACE FUNCTION quote_row() RETURNS trigger AS $$ BEGIN "
                          "RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not write', "
                          "DETAIL = 'Failing row contains ' || NEW::text; END $$ LANGUAGE plpgsql"))
        conn.execute(text(f"CREATE TRIGGER quote_{table} BEFORE {on} ON {table} FOR EACH ROW "
                          "EXECUTE FUNCTION quote_row()"))


def stop_quoting(table: str) -> None:
    with get_engine().begin() as conn:
        conn.execute(text(f"DROP TRIGGER quote_{table} ON {table}"))


def assert_private(caplog, app, *secrets: str, also: str = "") -> None:
    logged = also + "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    if any(r.exc_info for r in caplog.records):
        formatter = logging.Formatter()
        logged += "\n".join(formatter.formatException(r.exc_info) for r in caplog.records if r.exc_info)
    stored = everything_in_redis(app)
    for secret in secrets:
        assert secret not in logged, f"{secret!r} in the logs"
        for form in (escaped(secret), escaped(secret).replace("\\", "\\\\")):  # as in JSON, as in a quoted row
            assert form not in logged, f"{secret!r} (as \\u escapes) in the logs"
            assert form.encode() not in stored, f"{secret!r} (as \\u escapes) in Redis"
        assert secret.encode() not in stored, f"{secret!r} in Redis"
        assert secret.encode("unicode_escape") not in stored, f"{secret!r} (as \\u escapes) in Redis"


def test_a_failing_web_chat_message_logs_no_words(visitor, caplog):
    caplog.set_level(logging.DEBUG)
    visitor.open()
    refuse_inserts("intake")
    reply = visitor.say(WORDS)
    assert "0120-783-556" in reply[0]["text"]
    assert any("web chat event" in r.getMessage() for r in caplog.records)  # the failure was logged
    assert_private(caplog, visitor.client.application, FIRST, "三百万円")


def test_an_exception_in_a_route_logs_its_type_not_its_message(app, client, caplog):
    caplog.set_level(logging.DEBUG)

    @app.get("/test-raises")
    def raises():
        raise ValueError(f"could not store {WORDS}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/test-raises")
    assert response.status_code == 500
    assert any("ValueError" in r.getMessage() for r in caplog.records)
    assert_private(caplog, app, FIRST, "三百万円")


def test_a_failing_line_event_logs_and_keeps_no_words_or_user_id(app, resident, caplog):
    caplog.set_level(logging.DEBUG)
    refuse_inserts("intake")
    texts = resident.say(WORDS)
    assert any("0120-783-556" in t for t in texts)
    assert any(r.levelno >= logging.WARNING for r in caplog.records)  # the failures were logged
    allow_inserts("intake")
    resident.say("こんにちは")
    run_jobs(app)
    assert_private(caplog, app, FIRST, "三百万円", resident.user_id)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_database_error_names_no_values(app, caplog):
    """SQLAlchemy puts statement parameters in its exception text unless told not to."""
    from sqlalchemy.exc import DBAPIError

    from models import Person
    from models.db import session_scope

    refuse_inserts("person")
    with pytest.raises(DBAPIError) as failure:
        with session_scope() as db:
            db.add(Person(area=WORDS))
    assert FIRST not in str(failure.value) and "parameters hidden" in str(failure.value)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_injected_error_really_quotes_the_words(app, resident):
    """The fault used below carries the words and the user id in its text: without the care
    taken in the code, they would be in the logs."""
    from sqlalchemy.exc import OperationalError

    from models import WebhookEvent
    from models.db import session_scope

    quote_rows_in_errors("webhook_event")
    with pytest.raises(OperationalError) as failure:
        with session_scope() as db:
            db.add(WebhookEvent(event_id="e1", channel="line", user_key=resident.user_id,
                                payload={"text": WORDS}))
    quoted = str(failure.value).replace("\\\\", "\\")  # the row's text doubles backslashes
    assert escaped(FIRST) in quoted and resident.user_id in quoted


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_job_that_fails_for_good_leaves_no_words_in_the_worker_log_or_redis(app, resident, fake_line, caplog):
    """A real `tsunagu worker` process: the job raises an error quoting the resident's row on
    every attempt until RQ gives up. Its log, and RQ's record of the failure (results stream,
    failed registry, job hash), name the error's type, never the words or the LINE user id;
    the record expires within a day."""
    from redis import Redis
    from rq.registry import FailedJobRegistry
    from rq.results import Result

    from tests.conftest import CHANNEL_SECRET, POSTGRES_URL, REDIS_URL
    from workers import runtime
    from workers.jobs import EVENTS_QUEUE, FAILURE_TTL

    caplog.set_level(logging.DEBUG)
    quote_rows_in_errors("webhook_event", on="UPDATE")  # the event cannot be marked processed
    assert resident.post(resident._event(text_event, WORDS)).status_code == 200  # stored, enqueued
    env = dict(os.environ, DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL, SECRET_KEY="0123456789abcdef" * 4,
               LINE_CHANNEL_SECRET=CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN=fake_line.access_token,
               LINE_API_BASE_URL=fake_line.base_url,
               TSUNAGU_JOB_RETRY_INTERVALS="0,0,0")  # the worker decides the retries: quick ones here
    worker = subprocess.run([sys.executable, "-m", "console.cli", "worker", "--burst", "--threads", "1"],
                            cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True,
                            text=True, timeout=180)
    worker_log = worker.stdout + worker.stderr

    redis = Redis.from_url(REDIS_URL)
    # the webhook's job, and the one the worker's start-up sweep adds for the waiting event
    failed = FailedJobRegistry(EVENTS_QUEUE, connection=redis).get_job_ids()
    assert failed, worker_log  # RQ gave up ...
    for job_id in failed:
        result = Result.fetch_latest(runtime.current().jobs.queue.fetch_job(job_id))
        assert "OperationalError" in result.exc_string  # ... and recorded what kind of error it was
        assert 0 < redis.ttl(f"rq:results:{job_id}") <= FAILURE_TTL
        assert 0 < redis.ttl(f"rq:job:{job_id}") <= FAILURE_TTL
    assert "OperationalError" in worker_log
    assert_private(caplog, app, FIRST, "三百万円", resident.user_id, also=worker_log)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_job_failing_in_process_logs_no_words(backend, fake_line, tmp_path, caplog):
    """The embedded default (no Redis) on PostgreSQL: the in-process runner's warning."""
    from console.app import create_app
    from tests.conftest import CHANNEL_SECRET, make_settings
    from tests.helpers import LineResident
    from workers.jobs import make_jobs

    caplog.set_level(logging.DEBUG)
    settings = make_settings(backend[0], None, True, fake_line.base_url, fake_line.access_token)
    app = create_app(settings, jobs=make_jobs(None, []), instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True)
    resident = LineResident(app, app.test_client(), fake_line, CHANNEL_SECRET)
    quote_rows_in_errors("webhook_event", on="UPDATE")
    resident.say(WORDS)
    assert any("process_line_events failed" in r.getMessage() and "OperationalError" in r.getMessage()
               for r in caplog.records)
    assert_private(caplog, app, FIRST, "三百万円", resident.user_id)
    get_engine().dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_an_error_in_a_chat_route_is_logged_without_the_words(app, visitor, caplog):
    """Flask's own "Exception on /chat/..." log: the staff reply waiting for this visitor
    cannot be marked fetched, and the database's error quotes the row."""
    from sqlmodel import select

    from models import Conversation, OutboxMessage
    from models.db import session_scope

    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    visitor.open()
    visitor.say("こんにちは")
    with session_scope() as db:
        key = db.exec(select(Conversation.user_key).where(Conversation.channel == "web")).one()
        db.add(OutboxMessage(channel="web", user_key=key, event_id="staff-1",
                             messages=[{"kind": "text", "text": f"{WORDS}の件で連絡します"}]))
    quote_rows_in_errors("outbox_message", on="UPDATE")
    response = visitor.client.get("/chat/api/replies")
    assert response.status_code == 500
    assert any("/chat/api/replies" in r.getMessage() and "OperationalError" in r.getMessage()
               for r in caplog.records)
    assert_private(caplog, app, FIRST, "三百万円", key)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_web_chat_message_whose_row_is_quoted_in_the_error_logs_no_words(app, visitor, caplog):
    caplog.set_level(logging.DEBUG)
    visitor.open()
    quote_rows_in_errors("intake")
    quote_rows_in_errors("webhook_event", on="INSERT")
    reply = visitor.say(WORDS)
    assert "0120-783-556" in reply[0]["text"]  # the numbers all the same
    assert any("web chat event" in r.getMessage() for r in caplog.records)
    assert_private(caplog, app, FIRST, "三百万円")
