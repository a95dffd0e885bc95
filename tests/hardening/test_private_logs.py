"""Issue 9 item 3: residents' words and LINE user ids never reach logs or Redis, even when
something fails. Each error path is forced for real (a trigger refusing rows, a route that
raises), then every captured log record and every Redis key and value is searched."""
from __future__ import annotations

import logging
import zlib

import pytest

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


def assert_private(caplog, app, *secrets: str) -> None:
    logged = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    if any(r.exc_info for r in caplog.records):
        formatter = logging.Formatter()
        logged += "\n".join(formatter.formatException(r.exc_info) for r in caplog.records if r.exc_info)
    stored = everything_in_redis(app)
    for secret in secrets:
        assert secret not in logged, f"{secret!r} in the logs"
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
