"""`tsunagu serve` without REDIS_URL, as a real process: one granian web process that also runs
the jobs. /healthz waits for its warm-up, a LINE resident is answered through the fake LINE,
and a resident's words are on disk when the webhook is acknowledged."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import time

import requests

from tests.fakeline import signed_webhook, text_event
from tests.test_cli import free_port, tsunagu

SECRET = "embedded-secret"


def test_the_embedded_default_answers_a_resident_from_its_one_web_process(tmp_path, fake_line):
    port = free_port()
    env = _env(tmp_path, fake_line)
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([*tsunagu(), "serve", "--port", str(port), "--workers", "3"], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        health = _ready(base)
        assert health["jobs"] == "ready" and health["redis"] == "off"

        user = "U" + "e" * 32
        token = fake_line.issue_reply_token(user)
        body, signature = signed_webhook(SECRET, [text_event(user, "こんにちは", token)])
        acked = requests.post(f"{base}/callback", data=body, timeout=5,
                              headers={"X-Line-Signature": signature, "Content-Type": "application/json"})
        assert acked.status_code == 200
        with sqlite3.connect(tmp_path / "t.sqlite3") as db:  # stored when acknowledged
            assert db.execute("SELECT count(*) FROM webhook_event").fetchone() == (1,)
        deadline = time.monotonic() + 20
        while not fake_line.texts_to(user) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "相談" in "\n".join(fake_line.texts_to(user))  # greeted, by the jobs in the web process
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    said = (tmp_path / "serve.log").read_text()
    assert "one web process, not 3" in said  # --workers is not silently ignored
    assert "こんにちは" not in said  # the resident's words never reach the log


def test_events_left_waiting_by_a_stopped_process_are_answered_at_the_next_start(tmp_path, fake_line):
    """A crisis stored just before the process stopped is answered as soon as it is back, not
    at the periodic sweep a minute later."""
    from bot.line.events_in import prepare, store
    from console.app import create_app
    from console.settings import Settings
    from models.db import get_engine
    from workers.jobs import InProcessJobs

    database = f"sqlite:///{tmp_path}/t.sqlite3"
    settings = Settings.from_env({"DATABASE_URL": database, "SECRET_KEY": "0123456789abcdef" * 4})
    create_app(settings, jobs=InProcessJobs(), instance_path=str(tmp_path / "i"))  # the tables
    user = "U" + "f" * 32
    store([prepare(text_event(user, "もう死にたい", fake_line.issue_reply_token(user)))])  # stored, never queued
    get_engine().dispose()

    port = free_port()
    proc = subprocess.Popen([*tsunagu(), "serve", "--port", str(port)], cwd=tmp_path,
                            env=_env(tmp_path, fake_line), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 20  # the periodic sweep would come after 60 s
        while not fake_line.texts_to(user) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "0120-279-338" in "\n".join(fake_line.texts_to(user))  # よりそいホットライン
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_stop_while_an_answer_is_being_sent_lets_it_finish_and_it_is_not_sent_again(tmp_path, fake_line):
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen:
        return subprocess.Popen([*tsunagu(), "serve", "--port", str(port)], cwd=tmp_path,
                                env=_env(tmp_path, fake_line), stdout=open(tmp_path / "serve.log", "a"),
                                stderr=subprocess.STDOUT, start_new_session=True)

    proc = start()
    try:
        _ready(base)
        user = "U" + "d" * 32
        fake_line.delay_next(3, endpoint="reply")  # LINE is slow: the stop comes mid-send
        body, signature = signed_webhook(SECRET, [text_event(user, "こんにちは", fake_line.issue_reply_token(user))])
        assert requests.post(f"{base}/callback", data=body, timeout=5, headers={
            "X-Line-Signature": signature, "Content-Type": "application/json"}).status_code == 200
        time.sleep(1.5)
        proc.terminate()
        proc.wait(timeout=30)
        with sqlite3.connect(tmp_path / "t.sqlite3") as db:
            assert db.execute("SELECT status, sent_via FROM outbox_message").fetchall() == [("sent", "reply")]
            assert db.execute("SELECT count(*) FROM webhook_event WHERE processed_at IS NULL").fetchone() == (0,)
        proc = start()
        _ready(base)
        time.sleep(2)  # anything the restart would send again, it sends at once
        assert [d["endpoint"] for d in fake_line.delivered if d["to"] == user] == ["reply"]  # once, not pushed again
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_port_in_use_is_one_clear_line_not_a_second_server(tmp_path, fake_line):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run([*tsunagu(), "serve", "--port", str(port)], cwd=tmp_path, env=_env(tmp_path, fake_line),
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
    assert "Tsunagu is running" not in done.stdout


def _env(tmp_path, fake_line) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "TSUNAGU_", "DATABASE_URL", "REDIS_URL"))}
    env.update(SECRET_KEY="0123456789abcdef" * 4, TSUNAGU_SECURE_COOKIES="false", DATABASE_URL=f"sqlite:///{tmp_path}/t.sqlite3",
               LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=fake_line.access_token,
               LINE_API_BASE_URL=fake_line.base_url)
    return env


def _ready(base: str) -> dict:
    """/healthz answers 503 while the process warms up, then 200."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{base}/healthz", timeout=2)
            if response.status_code == 200:
                return response.json()
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("tsunagu serve did not become ready")
