"""Tell a person on call when an urgent intake opens outside office hours.

A periodic job (every 30 s, workers/schedule.py) finds urgent after-hours intakes of the last
day without a sent alert, and sends one per configured target: an e-mail over SMTP
(TSUNAGU_ONCALL_EMAIL) and/or a JSON POST (TSUNAGU_ONCALL_WEBHOOK_URL). The alert carries the
receipt number, the crisis kind and a link to the case - never the words or LINE id. Each
attempt is recorded on the case (oncall_alert); a failed one is tried again on the schedule
of RETRY_AT, through the night, then marked failed (on the case, in the log as an error, and
in /metrics). TSUNAGU_ONCALL_ENABLED=false turns it off.
"""
from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import yaml
from sqlmodel import or_, select

from models import Intake, OncallAlert
from models.base import as_utc, utcnow
from models.db import session_scope

from . import runtime
from .locks import user_lock

log = logging.getLogger(__name__)
WORDING = Path(__file__).parent / "data" / "oncall.yaml"
# when each attempt is due, from the alert's first: soon after a blip, then further apart. A
# mail server's restart or greylisting takes minutes, an outage may take hours, and the alert
# matters until staff are in (six tries 30 s apart gave up after 2.5 minutes)
RETRY_AT = [timedelta(minutes=m) for m in (0, 0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 600, 720)]
MAX_ATTEMPTS = len(RETRY_AT)
LOOKBACK = timedelta(days=1)  # never alert for old intakes (e.g. on first deployment)
JST = ZoneInfo("Asia/Tokyo")


@cache
def _wording() -> dict:
    return yaml.safe_load(WORDING.read_text(encoding="utf-8"))


def targets(settings) -> list[str]:
    if not settings.oncall_enabled:
        return []
    return [t for t, on in (("email", settings.oncall_email and settings.smtp_url),
                            ("webhook", settings.oncall_webhook_url)) if on]


def alert_text(intake: Intake, public_url: str) -> tuple[str, str, dict]:
    w = _wording()
    kinds = "、".join(w["kinds"].get(k, k) for k in intake.crisis_kinds or []) or w["kinds"]["none"]
    values = {
        "receipt_no": intake.receipt_no,
        "received_at": as_utc(intake.received_at).astimezone(JST).strftime("%Y-%m-%d %H:%M"),
        "kinds": kinds, "channel": intake.channel,
        "link": f"{public_url}/console/intakes/{intake.id}",
    }
    data = {"receipt_no": intake.receipt_no, "received_at": as_utc(intake.received_at).isoformat(),
            "crisis_kinds": list(intake.crisis_kinds or []), "link": values["link"]}
    return w["subject"].format(**values), w["body"].format(**values), data


def send_oncall_alerts(now: datetime | None = None) -> int:
    """Periodic job. Returns the number of alerts sent in this run. One run at a time across
    all workers (a lock), so an alert is never sent twice by two runs. `now` is for tests that
    replay a fixed night; the job itself runs on the clock."""
    rt = runtime.current()
    if not targets(rt.settings):
        return 0
    with user_lock("oncall", "alerts", getattr(rt.jobs, "connection", None), timeout=120):
        return _send_due(rt.settings, now or utcnow())


def _send_due(settings, now: datetime) -> int:
    wanted = targets(settings)
    since = now - LOOKBACK
    with session_scope() as session:
        intakes = session.exec(select(Intake).where(
            Intake.after_hours.is_(True), or_(Intake.urgent.is_(True), Intake.crisis.is_(True)),
            Intake.received_at >= since)).all()
        done = {(a.intake_id, a.target): a for a in session.exec(select(OncallAlert).where(
            OncallAlert.intake_id.in_([i.id for i in intakes]))).all()} if intakes else {}
        for intake in intakes:
            for target in wanted:
                if (intake.id, target) not in done:
                    row = OncallAlert(intake_id=intake.id, target=target, created_at=now)
                    session.add(row)
                    done[(intake.id, target)] = row
        session.flush()
        todo = [(a.id, a.target, next(i for i in intakes if i.id == a.intake_id))
                for a in done.values() if _due(a, now)]
    sent = 0
    for alert_id, target, intake in todo:
        subject, body, data = alert_text(intake, settings.public_url)
        error = None
        try:
            if target == "email":
                _send_mail(settings, subject, body)
            else:
                _post_webhook(settings.oncall_webhook_url, {"subject": subject, **data})
        except Exception as exc:  # noqa: BLE001 - recorded and tried again next run
            error = type(exc).__name__ if not isinstance(exc, _HTTPStatus) else str(exc)
        with session_scope() as session:
            alert = session.get(OncallAlert, alert_id)
            alert.attempts += 1
            if error is None:
                alert.status, alert.sent_at, alert.last_error = "sent", utcnow(), None
                sent += 1
                log.info("on-call alert %s sent for intake %s by %s", alert.id, intake.id, target)
            else:
                alert.last_error = error[:120]
                if alert.attempts >= MAX_ATTEMPTS:
                    alert.status = "failed"
                    log.error("on-call alert %s for intake %s by %s given up after %d attempts: %s",
                              alert.id, intake.id, target, alert.attempts, alert.last_error)
                else:
                    log.warning("on-call alert %s for intake %s by %s failed (attempt %d, next in %s): %s",
                                alert.id, intake.id, target, alert.attempts,
                                RETRY_AT[alert.attempts] - RETRY_AT[alert.attempts - 1], alert.last_error)
            session.add(alert)
    return sent


def _due(alert: OncallAlert, now: datetime) -> bool:
    return (alert.status == "pending" and alert.attempts < MAX_ATTEMPTS
            and now >= as_utc(alert.created_at) + RETRY_AT[alert.attempts])


def _send_mail(settings, subject: str, body: str) -> None:
    url = urlsplit(settings.smtp_url)
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, settings.mail_from, settings.oncall_email
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25), timeout=10) as smtp:
        if parse_qs(url.query).get("starttls") == ["1"]:
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


class _HTTPStatus(Exception):
    pass


def _post_webhook(url: str, data: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(data, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured by the operator
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if not 200 <= status < 300:
        raise _HTTPStatus(f"HTTP {status}")
