"""A worker's warm-up before its first event (workers.warmup): it leaves no trace a resident or
staff member could see, opens a connection for each event loop, and a database that is away
does not stop the worker from starting."""
from __future__ import annotations

import logging

from sqlalchemy import func
from sqlmodel import select

from models import Conversation, Intake, WebhookEvent
from models.db import get_engine, init_engine, session_scope
from workers.warmup import warm_worker


def test_warm_up_writes_and_sends_nothing_and_the_first_resident_is_greeted(app, resident, fake_line):
    with app.app_context():
        warm_worker(connections=3)
    with session_scope() as session:
        for table in (Conversation, Intake, WebhookEvent):
            assert session.exec(select(func.count()).select_from(table)).one() == 0, table.__name__
    assert fake_line.calls == [] and fake_line.delivered == []  # no LINE call at all

    greeting = "\n".join(resident.say("こんにちは"))
    assert "相談" in greeting  # the first resident after a start is answered as ever


def test_each_event_loop_finds_an_open_database_connection(app):
    engine = get_engine()
    engine.dispose()
    with app.app_context():
        warm_worker(connections=3)
    if engine.dialect.name == "postgresql":
        assert engine.pool.checkedin() == 3


def test_a_database_that_is_away_does_not_stop_the_worker(app, caplog):
    init_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="workers.warmup"), app.app_context():
        warm_worker(connections=2)  # returns: the event loops wait for the database themselves
    assert any("connections not opened" in r.getMessage() for r in caplog.records)


def test_on_sqlite_only_an_events_step_is_flushed_to_disk_later(app, resident, backend):
    """models.db.redoable_commit: an event's step commits without its own disk flush (it is
    redone if a power cut loses it); every other writer - the webhook keeping a resident's
    words, a staff member's action - gets a connection that flushes each commit."""
    if backend[1]:
        return  # PostgreSQL's commits are as configured on the server
    assert resident.say("こんにちは")  # a webhook stored, an event stepped and answered
    engine = get_engine()
    held = [engine.connect() for _ in range(engine.pool.size())]
    try:
        assert {conn.exec_driver_sql("PRAGMA synchronous").scalar() for conn in held} == {2}  # FULL
    finally:
        for conn in held:
            conn.close()
