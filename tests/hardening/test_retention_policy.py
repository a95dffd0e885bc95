"""Issue 9 item 16: closed cases lose their personal data after the retention period,
never-processed events lose their words too, and every run is in the audit log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import AuditEvent, Conversation, Intake, Person, Reporter, WebhookEvent
from models.base import utcnow
from models.db import session_scope
from workers.retention import anonymise_closed_cases, purge_delivered_copies, retention_years


def file_intake(visitor) -> int:
    visitor.open()
    visitor.tap("who:self")
    visitor.say("父が借金で困っています。電話は090-1234-5678")
    visitor.say("人と話したい")  # opens an urgent intake at once
    with session_scope() as s:
        return s.exec(select(Intake)).one().id


def test_a_closed_case_past_retention_keeps_its_statistics_and_loses_the_personal_data(visitor):
    intake_id = file_intake(visitor)
    with session_scope() as s:
        intake = s.get(Intake, intake_id)
        intake.status, intake.received_at = "closed", utcnow() - timedelta(days=365 * 5 + 2)
        s.add(intake)
    assert anonymise_closed_cases(years=5) == 1
    with session_scope() as s:
        intake = s.get(Intake, intake_id)
        reporter, person = s.get(Reporter, intake.reporter_id), s.get(Person, intake.person_id)
        events = s.exec(select(WebhookEvent)).all()
        conversations = s.exec(select(Conversation)).all()
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "retention")).all()
    assert intake.free_text == "" and intake.user_key == "-" and intake.suggested and intake.urgent  # statistics stay
    assert reporter.contact == {} and person.area is None
    assert "借金" not in str([e.payload for e in events]) and conversations == []
    assert [(a.target_type, a.target_id) for a in audit] == [("intakes", "1")]


def test_open_and_recent_cases_are_kept(visitor):
    intake_id = file_intake(visitor)
    assert anonymise_closed_cases(years=5) == 0
    with session_scope() as s:
        intake = s.get(Intake, intake_id)
        intake.status = "closed"  # closed, but received today
        s.add(intake)
    assert anonymise_closed_cases(years=5) == 0
    with session_scope() as s:
        assert "借金" in s.get(Intake, intake_id).free_text
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "retention")).all()) == 2


def test_words_of_an_event_never_processed_are_blanked_after_the_keep_time(app):
    with session_scope() as s:
        s.add(WebhookEvent(event_id="old-unprocessed", channel="line", user_key="U" + "0" * 32,
                           payload={"type": "message", "message": {"type": "text", "text": "ずっと残る言葉"}},
                           received_at=utcnow() - timedelta(days=40)))
        s.add(WebhookEvent(event_id="new-unprocessed", channel="line", user_key="U" + "1" * 32,
                           payload={"type": "message", "message": {"type": "text", "text": "まだ処理待ち"}},
                           received_at=utcnow()))
    purge_delivered_copies()
    with session_scope() as s:
        payloads = {e.event_id: e.payload for e in s.exec(select(WebhookEvent))}
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "retention")).all()
    assert "ずっと残る言葉" not in str(payloads["old-unprocessed"])
    assert "まだ処理待ち" in str(payloads["new-unprocessed"])
    assert audit and audit[0].target_type == "copies"


@pytest.mark.parametrize("raw, years", [(None, 5), ("", 5), ("7", 7)])
def test_retention_years_from_the_environment(raw, years):
    assert retention_years({} if raw is None else {"TSUNAGU_RETENTION_YEARS": raw}) == years


@pytest.mark.parametrize("raw", ["0", "five", "-1", "2.5"])
def test_bad_retention_years_are_an_error(raw):
    with pytest.raises(ValueError):
        retention_years({"TSUNAGU_RETENTION_YEARS": raw})
