"""One bad event never blocks a resident (issue 9 item 4).

The fault is injected in the database itself (a trigger that refuses a row, as a broken
constraint or a full disk would), on SQLite and on PostgreSQL + Redis/RQ: no code of ours is
mocked. After its attempts the event is set aside, the resident hears from us at once, their
next message goes through, and an admin can retry it from the console.
"""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import AuditEvent, Intake, WebhookEvent
from models.db import get_engine, session_scope
from tests.console.conftest import as_role, login, staff  # noqa: F401  (fixtures)
from tests.helpers import run_jobs
from workers import runtime

OFFICE_PHONE = "042-000-0000"
INOCHI = "0120-783-556"  # いのちの電話: part of the answer to a suicide crisis


def refuse_inserts(table: str, user_key: str | None = None) -> None:
    """A trigger that makes every INSERT into `table` (for one user) fail."""
    engine = get_engine()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            when = f"WHEN (NEW.user_key = '{user_key}')" if user_key else ""
            conn.execute(text("CREATE OR REPLACE FUNCTION refuse_row() RETURNS trigger AS $$ "
                              "BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql"))
            conn.execute(text(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW {when} "
                              "EXECUTE FUNCTION refuse_row()"))
        else:
            when = f"WHEN NEW.user_key = '{user_key}'" if user_key else ""
            conn.execute(text(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} {when} "
                              "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"))


def allow_inserts(table: str) -> None:
    engine = get_engine()
    with engine.begin() as conn:
        on = f" ON {table}" if engine.dialect.name == "postgresql" else ""
        conn.execute(text(f"DROP TRIGGER refuse_{table}{on}"))


@pytest.fixture
def office_phone(app):
    rt = runtime.current()
    rt.settings = dataclasses.replace(rt.settings, office_phone=OFFICE_PHONE)
    return OFFICE_PHONE


def events() -> list[WebhookEvent]:
    with session_scope() as s:
        return s.exec(select(WebhookEvent).order_by(WebhookEvent.id)).all()


def test_a_crisis_message_that_cannot_be_stored_still_gets_the_numbers_and_the_next_goes_through(
        app, resident, office_phone, as_role):
    refuse_inserts("intake")  # the crisis intake cannot be written

    texts = resident.say("もう死にたい")

    assert any(INOCHI in t for t in texts), texts  # the emergency numbers, at once
    assert any(OFFICE_PHONE in t and "ごめんなさい" in t for t in texts)
    [event] = events()
    assert event.failed_at is not None and event.processed_at is None and event.attempts == 3

    # the resident is not blocked: the next message is answered by the dialog as usual
    texts = resident.say("こんにちは")
    assert texts and not any("ごめんなさい" in t for t in texts)
    assert events()[1].processed_at is not None

    # an admin sees the failed event (no words on the page) and retries it once fixed
    admin = as_role("admin")
    page = admin.get("/console/failed-events/").get_data(as_text=True)
    assert f'data-event="{event.id}"' in page and "死にたい" not in page
    allow_inserts("intake")
    response = admin.post(f"/console/failed-events/{event.id}/retry")
    assert response.status_code == 302
    run_jobs(app)
    with session_scope() as s:
        assert s.exec(select(Intake)).first().crisis
        assert s.get(WebhookEvent, event.id).processed_at is not None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "event.retry")).first().target_id == str(event.id)
    assert 'data-event=' not in admin.get("/console/failed-events/").get_data(as_text=True)


def test_an_ordinary_message_that_fails_gets_an_apology_without_emergency_numbers(app, resident, office_phone):
    refuse_inserts("conversation", resident.user_id)

    texts = resident.say("家賃が払えない")

    assert len(texts) == 1 and OFFICE_PHONE in texts[0] and "110" not in texts[0]
    allow_inserts("conversation")
    assert resident.say("こんにちは")  # answered by the dialog
    assert [e.failed_at is not None for e in events()] == [True, False]


def test_only_admins_see_failed_events(app, as_role):
    for role in ("suishin", "viewer"):
        client = as_role(role)
        assert client.get("/console/failed-events/").status_code == 403
        assert client.post("/console/failed-events/1/retry").status_code == 403
