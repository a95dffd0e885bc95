"""A pooled PostgreSQL connection cut while idle (a database restart, a firewall timeout) is
replaced before it is used: the next request works instead of failing once."""
from __future__ import annotations

import time

from sqlalchemy import create_engine, text

import models.db as db
from tests.conftest import POSTGRES_URL


def test_a_connection_cut_while_idle_is_replaced_before_use(monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING", 0.05)
    db.init_engine(POSTGRES_URL)
    try:
        with db.session_scope() as session:
            pid = session.exec(text("SELECT pg_backend_pid()")).scalar()
        other = create_engine(POSTGRES_URL)
        with other.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        other.dispose()
        time.sleep(0.2)
        with db.session_scope() as session:
            assert session.exec(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        db.get_engine().dispose()

