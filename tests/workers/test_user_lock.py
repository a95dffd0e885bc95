"""One person's messages one at a time, also across web processes: the web chat runs in
several web processes, which share PostgreSQL, so the lock is a PostgreSQL advisory lock."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import create_engine

from models.db import get_engine, init_engine
from tests.conftest import POSTGRES_URL
from workers.locks import user_lock

HOLD = 1.5


def _holder(visitor: str) -> subprocess.Popen:
    """Another process (as a second web process would) takes the visitor's lock and holds it."""
    code = textwrap.dedent(f"""
        import sys, time
        from sqlalchemy import create_engine
        from workers.locks import user_lock
        engine = create_engine({POSTGRES_URL!r})
        with user_lock("web", {visitor!r}, engine=engine):
            print("held", flush=True)
            time.sleep({HOLD})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_visitor_locked_in_another_process_waits_and_others_do_not():
    engine = create_engine(POSTGRES_URL)
    proc = _holder("visitor-a")
    try:
        start = time.monotonic()
        with user_lock("web", "visitor-b", engine=engine):
            other = time.monotonic() - start
        with user_lock("web", "visitor-a", engine=engine):
            same = time.monotonic() - start
    finally:
        proc.wait(timeout=10)
        engine.dispose()
    assert other < 0.5, "a different visitor must not wait"
    assert same > HOLD - 0.6, "the same visitor must wait for the other process to finish"


def test_the_lock_is_given_back_when_the_work_fails():
    engine = create_engine(POSTGRES_URL)
    try:
        with pytest.raises(ValueError):
            with user_lock("web", "visitor-c", engine=engine):
                raise ValueError("the step failed")
        start = time.monotonic()
        with user_lock("web", "visitor-c", engine=engine, timeout=2):
            assert time.monotonic() - start < 0.5
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_database_down_a_crisis_in_the_web_chat_still_gets_the_numbers(visitor):
    visitor.open()
    live = get_engine().url.render_as_string(hide_password=False)
    init_engine("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")  # nobody listens
    try:
        answer = visitor.say("もう死にたい")
    finally:
        init_engine(live)
    text = "\n".join(m.get("text", "") for m in answer)
    assert "110" in text and "119" in text
    # and with the database back, the same visitor's next message is handled as usual
    assert visitor.tap("who:self")
