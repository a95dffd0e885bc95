"""The worker's hot statements run on the database driver (models.db.on_driver): on PostgreSQL
a lost connection must still come out as SQLAlchemy's OperationalError (the job is retried
later, nothing counted against the event: workers.events.TRANSIENT) and must not be reused."""
from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from models.db import get_engine, on_driver, session_scope
from workers.events import TRANSIENT


def test_a_connection_lost_under_a_driver_statement_is_a_transient_fault_and_not_reused(app, backend):
    if not backend[0].startswith("postgresql"):
        pytest.skip("the driver path is PostgreSQL's")
    with pytest.raises(TRANSIENT) as raised:
        with session_scope() as session:
            [(pid,)] = on_driver(session, "SELECT pg_backend_pid()")
            with get_engine().connect() as other:  # the database drops the worker's connection
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                other.commit()
            on_driver(session, "SELECT 1")
    assert isinstance(raised.value, exc.OperationalError) and raised.value.connection_invalidated
    with session_scope() as session:  # the next transaction gets a working connection
        assert on_driver(session, "SELECT %(n)s::int", {"n": 2}) == [(2,)]


def test_a_new_residents_conversation_is_written_once_and_a_second_writer_is_refused(app, backend):
    """The claim found no conversation row: the step's state is one INSERT on the driver. A
    second writer for the same resident (their lock lapsed under load) meets the unique key,
    so its event fails and is tried again instead of starting a second conversation."""
    if not backend[0].startswith("postgresql"):
        pytest.skip("the driver path is PostgreSQL's")
    from sqlmodel import select

    from models import Conversation
    from workers.conversation import adopt_conversation, write_adopted

    long_key = "U" + "あ" * 200  # longer than the column: fitted, as the ORM's flush would
    with session_scope() as session:
        conv = adopt_conversation(session, "line", long_key, None, None, None, None)
        conv.state = {"step": "start", "note": "\x00ゼロ"}
        write_adopted(session, conv)
    with pytest.raises(exc.IntegrityError):
        with session_scope() as session:
            write_adopted(session, adopt_conversation(session, "line", long_key, None, None, None, None))
    with session_scope() as session:
        [stored] = session.exec(select(Conversation)).all()
    assert stored.user_key == long_key[:64] and stored.state["step"] == "start"
