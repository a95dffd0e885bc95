"""The case page shows whether the person on call was told about an urgent after-hours
intake (workers/alerts.py): sent and when, still retrying, or failed - never silence."""
from __future__ import annotations

import dataclasses
import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from werkzeug.serving import make_server

from models.base import utcnow
from tests.console.conftest import make_intake
from workers import runtime
from workers.alerts import MAX_ATTEMPTS, RETRY_AT, send_oncall_alerts


@pytest.fixture
def hook():
    """A real HTTP endpoint; `answers` decides its status code, call by call."""
    answers: list[int] = []
    app = Flask("oncall-hook")

    @app.post("/oncall")
    def oncall():
        return "", answers.pop(0) if answers else 204

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/oncall", answers
    server.shutdown()


def on_call(url: str) -> None:
    rt = runtime.current()
    rt.settings = dataclasses.replace(rt.settings, public_url="https://tsunagu.example.jp", oncall_webhook_url=url,
                                      oncall_email=None)


def oncall_cell(client, intake_id: int) -> str:
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    found = re.search(r'<dd id="case-oncall">(.*?)</dd>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def test_sent_retrying_and_failed_alerts_are_on_the_case(as_role, hook):
    url, answers = hook
    on_call(url)
    night = utcnow() - timedelta(hours=1)
    crisis = make_intake(received_at=night, after_hours=True, crisis=True, urgent=True, crisis_kinds=["suicide"])
    client = as_role("suishin")
    assert oncall_cell(client, crisis) == "記録なし（通知先が設定されていないか、まだ送っていません）"

    answers.append(503)
    first = utcnow()
    assert send_oncall_alerts(now=first) == 0
    assert oncall_cell(client, crisis) == "当番の連絡システム：送信できず再試行中（1回失敗：HTTP 503）"
    assert send_oncall_alerts(now=first + RETRY_AT[1]) == 1
    cell = oncall_cell(client, crisis)
    assert re.fullmatch(r"当番の連絡システム：送信済み（\d{4}-\d\d-\d\d \d\d:\d\d）", cell), cell

    lost = make_intake(received_at=night, after_hours=True, urgent=True, wants_person=True)
    answers.extend([500] * MAX_ATTEMPTS)
    first = utcnow()
    for due in RETRY_AT:  # each try when it is due, through the night
        send_oncall_alerts(now=first + due)
    assert oncall_cell(client, lost) == \
        f"当番の連絡システム：送れませんでした（{MAX_ATTEMPTS}回失敗：HTTP 500）。当番には届いていません。"


def test_no_line_for_daytime_or_ordinary_intakes(as_role):
    client = as_role("suishin")
    assert oncall_cell(client, make_intake(after_hours=False, crisis=True, urgent=True)) == ""
    assert oncall_cell(client, make_intake(after_hours=True)) == ""  # not urgent: nobody is woken
