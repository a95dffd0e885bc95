"""On-call alert for an urgent intake opened after hours (issue 10): a real SMTP server
(aiosmtpd) and a real HTTP endpoint, on SQLite and on PostgreSQL + Redis."""
from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, request
from sqlmodel import select
from werkzeug.serving import make_server

from models import Intake, OncallAlert
from models.db import session_scope
from workers import runtime
from workers.alerts import MAX_ATTEMPTS, RETRY_AT, send_oncall_alerts

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

    first = minutes_after(SATURDAY_NIGHT_MS)
    assert send_oncall_alerts(now=first) == 0  # 503: not sent yet
    with session_scope() as s:
        alert = s.exec(select(OncallAlert)).one()
        assert (alert.status, alert.attempts, alert.last_error) == ("pending", 1, "HTTP 503")
    assert send_oncall_alerts(now=first + timedelta(seconds=10)) == 0  # not due yet: no hammering
    assert send_oncall_alerts(now=first + RETRY_AT[1]) == 1
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


def test_a_mail_server_down_for_minutes_still_gets_the_alert_through(app, resident):
    """SMTP is down when the crisis comes in (nothing listens on the port) and back ten
    minutes later: the alert goes out then (six tries 30 s apart used to give up at 2.5)."""
    configure(oncall_email="oncall@city.example.jp", smtp_url=f"smtp://127.0.0.1:{SMTP_PORT}")
    intake = crisis_at(resident, SATURDAY_NIGHT_MS)
    first = minutes_after(SATURDAY_NIGHT_MS)
    for due in RETRY_AT[:5]:  # 0, 30 s, 1, 2 and 5 minutes: still down
        assert send_oncall_alerts(now=first + due) == 0
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        assert send_oncall_alerts(now=first + RETRY_AT[5]) == 1
    finally:
        controller.stop()
    [mail] = inbox.messages
    assert intake.receipt_no in mail["Subject"]


def test_an_alert_that_never_gets_through_is_given_up_after_the_night_and_said_loudly(app, resident, caplog):
    configure(oncall_email="oncall@city.example.jp", smtp_url="smtp://127.0.0.1:9")  # nothing there
    intake = crisis_at(resident, SATURDAY_NIGHT_MS)
    first = minutes_after(SATURDAY_NIGHT_MS)
    for due in RETRY_AT[:-1]:
        send_oncall_alerts(now=first + due)
    with session_scope() as s:
        alert = s.exec(select(OncallAlert).where(OncallAlert.intake_id == intake.id)).one()
        assert (alert.status, alert.attempts) == ("pending", MAX_ATTEMPTS - 1)  # ten hours on: still trying
    with caplog.at_level("ERROR", logger="workers.alerts"):
        send_oncall_alerts(now=first + RETRY_AT[-1])
    with session_scope() as s:
        alert = s.exec(select(OncallAlert).where(OncallAlert.intake_id == intake.id)).one()
        assert (alert.status, alert.attempts) == ("failed", MAX_ATTEMPTS)
    assert any(r.levelname == "ERROR" and "given up" in r.getMessage() for r in caplog.records)
    app.config["TSUNAGU"] = dataclasses.replace(app.config["TSUNAGU"], metrics_token="m" * 16)
    metrics = app.test_client().get("/metrics", headers={"Authorization": "Bearer " + "m" * 16}).get_data(as_text=True)
    assert 'tsunagu_oncall_alerts{status="failed"} 1.0' in metrics  # for an alert rule
    assert 'tsunagu_oncall_alerts{status="sent"} 0.0' in metrics
