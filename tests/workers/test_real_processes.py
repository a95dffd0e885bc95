"""Real `tsunagu serve` and `tsunagu worker` processes on PostgreSQL + Redis, against the fake
LINE server: a worker killed with SIGKILL between the dialog step and the send, in the middle
of a reply and in the middle of a push, each message delivered exactly once after a restart
(issue 9 item 5); 2 web + 3 worker processes keeping one resident's messages in order and once
(issue 10).

The product's own reply-token rules are used (no test settings): the restarted worker waits
for the killed one's per-user lock to lapse (60 s), by which time LINE has let the reply token
expire; the fake is told to expire it then."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from redis import Redis
from sqlalchemy import text
from sqlmodel import select

from models import OutboxMessage, WebhookEvent
from models.db import get_engine, init_engine, session_scope
from tests.conftest import CHANNEL_SECRET, POSTGRES_URL, REDIS_URL, _reset_postgres
from tests.fakeline import signed_webhook, text_event

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# free ports, not fixed ones: another checkout's tests on this machine must not post to ours
SERVE_PORTS = (_free_port(), _free_port())


@pytest.fixture
def env(fake_line, tmp_path):
    _reset_postgres()
    Redis.from_url(REDIS_URL).flushdb()
    from models.migrate import upgrade

    upgrade(POSTGRES_URL)
    init_engine(POSTGRES_URL)
    values = dict(os.environ, DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL, SECRET_KEY="0123456789abcdef" * 4,
                  LINE_CHANNEL_SECRET=CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN=fake_line.access_token,
                  LINE_API_BASE_URL=fake_line.base_url)
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        log = open(tmp_path / f"{len(procs)}-{args[0]}.log", "w")  # kept for a failing test's report
        proc = subprocess.Popen([sys.executable, "-m", "console.cli", *args], cwd=ROOT, env=values,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    Redis.from_url(REDIS_URL).flushdb()


def wait_for(check, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def post(port: int, *events) -> int:
    body, signature = signed_webhook(CHANNEL_SECRET, list(events))
    return requests.post(f"http://127.0.0.1:{port}/callback", data=body, timeout=10,
                         headers={"X-Line-Signature": signature, "Content-Type": "application/json"}).status_code


def processed() -> list[WebhookEvent]:
    with session_scope() as s:
        return s.exec(select(WebhookEvent).where(WebhookEvent.processed_at.is_not(None))).all()


def test_worker_killed_in_the_middle_of_a_reply_answers_once_after_restart(env, fake_line):
    serve = env("serve", "--port", str(SERVE_PORTS[0]), "--workers", "1")
    wait_for(lambda: _up(SERVE_PORTS[0]), what="tsunagu serve")
    user = "U" + "1" * 32
    token = fake_line.issue_reply_token(user)
    fake_line.delay_next(4, endpoint="reply")  # LINE is slow: the worker waits inside the reply
    assert post(SERVE_PORTS[0], text_event(user, "こんにちは", token)) == 200
    worker = env("worker", "--threads", "1")
    wait_for(lambda: not fake_line._injections, timeout=180, what="the reply to be in flight")
    time.sleep(0.5)
    os.killpg(worker.pid, signal.SIGKILL)  # mid-send: LINE still delivers what it got
    wait_for(lambda: len(fake_line.delivered) == 1, what="LINE to finish the reply")
    assert processed() == []  # the worker died before recording anything

    restart_after_the_token_expired(env, fake_line, token)
    assert [d["endpoint"] for d in fake_line.delivered] == ["reply"]  # not pushed a second time
    assert len(fake_line.texts_to(user)) >= 1
    serve.poll()


def test_worker_killed_in_the_middle_of_a_push_answers_once_after_restart(env, fake_line):
    """The reply token had expired before the worker got to the event, so it pushed; it was
    killed while LINE took the push. The step is done again after the restart: the same retry
    key goes with the push, and LINE drops the repeat (409)."""
    env("serve", "--port", str(SERVE_PORTS[0]), "--workers", "1")
    wait_for(lambda: _up(SERVE_PORTS[0]), what="tsunagu serve")
    user = "U" + "2" * 32
    token = fake_line.issue_reply_token(user)
    assert post(SERVE_PORTS[0], text_event(user, "こんにちは", token)) == 200
    fake_line.expire(token)
    fake_line.delay_next(4, endpoint="push")
    worker = env("worker", "--threads", "1")
    wait_for(lambda: not fake_line._injections, timeout=180, what="the push to be in flight")
    time.sleep(0.5)
    os.killpg(worker.pid, signal.SIGKILL)
    wait_for(lambda: len(fake_line.delivered) == 1, what="LINE to finish the push")
    assert processed() == []

    restart_after_the_token_expired(env, fake_line, token)
    assert [d["endpoint"] for d in fake_line.delivered] == ["push"]  # once
    assert {"endpoint": "push", "status": 409} in fake_line.calls  # the repeat, dropped by LINE
    assert len(fake_line.texts_to(user)) >= 1


def test_worker_killed_before_the_send_answers_once_after_restart(env, fake_line):
    """The worker has taken the event and is writing the resident's conversation (held up by a
    lock the test takes on the conversation table) when it is killed: nothing went to LINE.
    After the restart the reply token has expired, so the answer goes by push, once."""
    user = "U" + "3" * 32
    token = _kill_the_worker_while_it_writes("conversation", user, env, fake_line)
    assert fake_line.delivered == [] and processed() == []

    restart_after_the_token_expired(env, fake_line, token)
    assert [d["endpoint"] for d in fake_line.delivered] == ["push"]
    assert fake_line.delivered[0]["retry_key"]
    assert len(fake_line.texts_to(user)) >= 1


def test_worker_killed_after_the_send_before_the_commit_answers_once_after_restart(env, fake_line):
    """The worker has sent the answer and is writing its outbox rows (held up by a lock the test
    takes on the outbox table) when it is killed: LINE has the answer, the database has none of
    the step. After the restart the step is done again; the reply's mark tells it went, so
    nothing is sent a second time."""
    user = "U" + "4" * 32
    token = _kill_the_worker_while_it_writes("outbox_message", user, env, fake_line)
    assert [d["endpoint"] for d in fake_line.delivered] == ["reply"] and processed() == []

    restart_after_the_token_expired(env, fake_line, token)
    assert [d["endpoint"] for d in fake_line.delivered] == ["reply"]  # not pushed a second time
    assert processed() and _outbox_of(user) == [("sent", "reply")]


def restart_after_the_token_expired(env, fake_line, token: str) -> None:
    """Restart the worker; it takes the event up again once the killed worker's lock lapses
    (60 s), past a reply token's life, so LINE calls the token invalid by then."""
    fake_line.expire(token)
    env("worker", "--threads", "1")  # its start-up inbox sweep finds the event again
    wait_for(lambda: len(processed()) == 1, timeout=120, what="the restarted worker")
    time.sleep(2)  # anything sent twice would have arrived by now


def _kill_the_worker_while_it_writes(table: str, user: str, env, fake_line) -> str:
    """`user` says こんにちは; the worker is SIGKILLed while its write to `table` waits for a lock
    the test holds (reads pass, writes wait). Returns the event's reply token."""
    env("serve", "--port", str(SERVE_PORTS[0]), "--workers", "1")
    wait_for(lambda: _up(SERVE_PORTS[0]), what="tsunagu serve")
    token = fake_line.issue_reply_token(user)
    with get_engine().connect() as blocker:
        blocker.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))
        assert post(SERVE_PORTS[0], text_event(user, "こんにちは", token)) == 200
        worker = env("worker", "--threads", "1")
        wait_for(lambda: _waiting_to_write(table), timeout=180, what=f"the worker to write {table}")
        os.killpg(worker.pid, signal.SIGKILL)
        blocker.rollback()
    return token


def _waiting_to_write(table: str) -> bool:
    """A statement writing `table` waits for the test's lock."""
    with get_engine().connect() as conn:
        return bool(conn.execute(text(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND (query ILIKE :insert OR query ILIKE :update)"),
            {"insert": f"INSERT INTO {table} %", "update": f"UPDATE {table} %"}).first())


def _outbox_of(user: str) -> list[tuple[str, str | None]]:
    with session_scope() as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.user_key == user)).all()
        return [(row.status, row.sent_via) for row in rows]


def test_two_web_and_three_worker_processes_keep_each_residents_order(env, fake_line):
    for port in SERVE_PORTS:
        env("serve", "--port", str(port), "--workers", "2")
    for _ in range(3):
        env("worker", "--threads", "2")
    for port in SERVE_PORTS:
        wait_for(lambda port=port: _up(port), what=f"serve on {port}")
    residents = [f"U{n:032x}" for n in range(6)]
    words = ["こんにちは", "家族のこと", "親", "75歳以上", "元本郷町"]
    tokens: dict[str, list[str]] = {u: [] for u in residents}
    clock = int(time.time() * 1000)
    for i, w in enumerate(words):  # every message right after the other, alternating web processes
        for n, user in enumerate(residents):
            token = fake_line.issue_reply_token(user)
            tokens[user].append(token)
            assert post(SERVE_PORTS[(i + n) % 2], text_event(user, w, token, timestamp=clock + i)) == 200
    wait_for(lambda: len(processed()) == len(residents) * len(words), timeout=120, what="all events")
    wait_for(lambda: len(fake_line.delivered) >= len(residents) * len(words), timeout=60, what="all replies")
    replies = [d for d in fake_line.delivered if d["endpoint"] == "reply"]
    used = [m[0] for m in fake_line._delivery_meta if m[0]]
    assert len(used) == len(set(used)) == len(residents) * len(words)  # each message answered once
    for user in residents:
        order = [t for t in used if t in tokens[user]]
        assert order == tokens[user], f"{user}: replies out of order"
        assert len(fake_line.texts_to(user)) >= len(words)
    assert len(replies) == len(used)


def _up(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False
