"""On-call alert for an urgent intake opened after hours (issue 10): a real SMTP server
(aiosmtpd) and a real HTTP endpoint, on SQLite and on PostgreSQL + Redis."""
from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, request
from sqlmodel import select
from werkzeug.serving import make_server

from models import Intake, OncallAlert
from models.db import session_scope
from workers import runtime
from workers.alerts import send_oncall_alerts

SMTP_PORT = 5525
SATURDAY_NIGHT_MS = int(datetime(2026, 11, 28, 14, 0, tzinfo=timezone.utc).timestamp() * 1000)  # 23:00 JST
TUESDAY_NOON_MS = int(datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc).timestamp() * 1000)  # 12:00 JST


def minutes_after(millis: int, minutes: int = 5) -> datetime:
    """The alert job's clock a few minutes after the message (it looks back one day)."""
    return datetime.fromtimestamp(millis / 1000 + minutes * 60, tz=timezone.utc)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def hook():
    """An HTTP endpoint that fails its first call (to prove the retry) and records the rest."""
    received, calls = [], []
    app = Flask("hook")

    @app.post("/oncall")
    def oncall():
        calls.append(1)
        if len(calls) == 1:
            return "busy", 503
        received.append(request.get_json())
        return "", 204

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/oncall", received
    server.shutdown()


def configure(**values):
    rt = runtime.current()
    rt.settings = dataclasses.replace(rt.settings, public_url="https://tsunagu.example.jp", **values)


def crisis_at(resident, millis: int, words: str = "もう死にたい") -> Intake:
    resident.clock_ms = millis
    resident.say(words)
    with session_scope() as s:
        return s.exec(select(Intake).where(Intake.user_key == resident.user_id).order_by(Intake.id.desc())).first()


def test_after_hours_crisis_mails_the_on_call_address_once(app, resident, smtp, backend):
    configure(oncall_email="oncall@city.example.jp", smtp_url=f"smtp://127.0.0.1:{SMTP_PORT}")
    intake = crisis_at(resident, SATURDAY_NIGHT_MS)
    assert intake.after_hours and intake.crisis

    assert send_oncall_alerts(now=minutes_after(SATURDAY_NIGHT_MS)) == 1
    assert send_oncall_alerts(now=minutes_after(SATURDAY_NIGHT_MS)) == 0  # never twice
    [mail] = smtp.messages
    body = mail.get_content()
    assert mail["To"] == "oncall@city.example.jp" and intake.receipt_no in mail["Subject"]
    assert "自殺の危険" in body and f"https://tsunagu.example.jp/console/intakes/{intake.id}" in body
    assert "死にたい" not in body and resident.user_id not in body and resident.user_id not in mail.as_string()
    with session_scope() as s:
        [alert] = s.exec(select(OncallAlert)).all()
    assert alert.intake_id == intake.id and alert.status == "sent" and alert.sent_at is not None


def test_a_failing_webhook_is_retried_and_recorded(app, resident, hook):
    url, received = hook
    configure(oncall_webhook_url=url)
    intake = crisis_at(resident, SATURDAY_NIGHT_MS)

    assert send_oncall_alerts(now=minutes_after(SATURDAY_NIGHT_MS)) == 0  # 503: not sent yet
    with session_scope() as s:
        alert = s.exec(select(OncallAlert)).one()
        assert (alert.status, alert.attempts, alert.last_error) == ("pending", 1, "HTTP 503")
    assert send_oncall_alerts(now=minutes_after(SATURDAY_NIGHT_MS)) == 1
    assert received == [{"subject": received[0]["subject"], "receipt_no": intake.receipt_no,
                         "received_at": received[0]["received_at"], "crisis_kinds": ["suicide"],
                         "link": f"https://tsunagu.example.jp/console/intakes/{intake.id}"}]


def test_no_alert_in_office_hours(app, resident, smtp):
    configure(oncall_email="oncall@city.example.jp", smtp_url=f"smtp://127.0.0.1:{SMTP_PORT}")
    assert not crisis_at(resident, TUESDAY_NOON_MS).after_hours  # staff are there
    assert send_oncall_alerts(now=minutes_after(TUESDAY_NOON_MS)) == 0 and smtp.messages == []


def test_no_alert_when_switched_off(app, resident, smtp):
    configure(oncall_email="oncall@city.example.jp", smtp_url=f"smtp://127.0.0.1:{SMTP_PORT}", oncall_enabled=False)
    assert crisis_at(resident, SATURDAY_NIGHT_MS).after_hours
    assert send_oncall_alerts(now=minutes_after(SATURDAY_NIGHT_MS)) == 0 and smtp.messages == []
