"""The commands a new user and an operator run: `tsunagu demo` and `tsunagu worker`."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.fakeline import text_event


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tsunagu() -> list[str]:
    found = shutil.which("tsunagu", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "console.cli"]


def test_demo_runs_on_a_fresh_folder_with_nothing_set(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))}
    env["TSUNAGU_DEMO_PASSWORD"] = "demo-pass-123"
    proc = subprocess.Popen([*tsunagu(), "demo", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        printed = ""
        deadline = time.monotonic() + 30
        while "staff logins" not in printed and time.monotonic() < deadline:
            printed += proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/chat" in printed
        assert "in-process" in printed
        # issue 9 item 19: a password from the environment is never echoed to the console
        assert "demo-pass-123" not in printed and "TSUNAGU_DEMO_PASSWORD" in printed
        for _ in range(50):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/chat", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "つなぐ 相談チャット" in page
        assert (tmp_path / "instance" / "tsunagu.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_worker_command_answers_line_events_from_redis(app, resident, fake_line, backend):
    database_url, redis_url = backend
    token = fake_line.issue_reply_token(resident.user_id)
    assert resident.post(text_event(resident.user_id, "こんにちは", token)).status_code == 200
    assert fake_line.delivered == []  # nothing is sent on the webhook path

    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url,
               LINE_CHANNEL_SECRET="test-channel-secret", LINE_CHANNEL_ACCESS_TOKEN=fake_line.access_token,
               LINE_API_BASE_URL=fake_line.base_url)
    done = subprocess.run([*tsunagu(), "worker", "--burst"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert any("だれの ことで" in t for t in resident.new_texts())
    assert "こんにちは" not in done.stderr + done.stdout  # the worker's log holds no resident words
    assert json.dumps(fake_line.delivered[0]["messages"], ensure_ascii=False).count("だれの ことで") == 1
