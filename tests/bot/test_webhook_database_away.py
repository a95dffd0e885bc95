"""The database unavailable while LINE delivers webhooks: each webhook is answered 503 within
the connect timeout (not after the OS's TCP timeout, and not once per webhook one after the
other), nothing is acknowledged that was not stored, and LINE's redelivery, once the database
is back, is stored and answered once."""
from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.line.group_store import HOLD_OFF, GroupStore, StoreUnavailable
from models import WebhookEvent
from models.db import CONNECT_TIMEOUT, init_engine, session_scope
from tests.conftest import CHANNEL_SECRET, POSTGRES_URL
from tests.fakeline import signed_webhook, text_event
from tests.helpers import run_jobs


class SilentHost:
    """A database host that takes TCP connections and never says a word (a hung server, or a
    firewall that lets the handshake through): a client without a connect timeout waits for
    minutes. Counts the connections made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


class Outage:
    """A write that fails as a lost database does, after a while (a connect timeout)."""

    def __init__(self, takes: float = 0.3):
        self.calls = 0
        self.takes = takes

    def __call__(self, rows):
        self.calls += 1
        time.sleep(self.takes)
        raise OperationalError("INSERT", {}, ConnectionRefusedError("database away"))


def test_an_unavailable_database_fails_the_waiting_webhooks_together_not_one_by_one():
    outage = Outage()
    store = GroupStore(outage, unavailable=lambda exc: isinstance(exc, OperationalError))

    def submit(n: int) -> str:
        try:
            store.submit([{"event_id": f"e{n}"}])
            return "stored"
        except StoreUnavailable as exc:
            assert isinstance(exc.__cause__, (OperationalError, type(None)))
            return "unavailable"

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(submit, range(8)))
    assert outcomes == ["unavailable"] * 8
    assert outage.calls == 1  # the seven that waited behind the first write were not tried again
    assert time.monotonic() - started < 8 * outage.takes  # not one wait per webhook

    assert submit(9) == "unavailable" and outage.calls == 1  # within HOLD_OFF: not tried at all
    time.sleep(HOLD_OFF)
    assert submit(10) == "unavailable" and outage.calls == 2  # then tried again


def test_webhooks_behind_a_write_that_never_comes_back_get_an_answer():
    """A database that keeps the connection but no longer answers: no timeout of the
    connection's notices, and every webhook queued behind the write waited forever."""
    released = threading.Event()
    groups: list[list[str]] = []

    def hung_write(rows):
        groups.append([row["event_id"] for row in rows])
        if not released.is_set():
            released.wait(30)

    store = GroupStore(hung_write, wait_limit=0.3)

    def submit(event_id: str) -> str:
        try:
            store.submit([{"event_id": event_id}])
            return "stored"
        except StoreUnavailable:
            return "unavailable"

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(submit, "first")
        while not store._writing:
            time.sleep(0.001)
        behind = [pool.submit(submit, f"e{n}") for n in range(3)]
        assert [f.result(timeout=5) for f in behind] == ["unavailable"] * 3  # not forever
        assert submit("next") == "unavailable"  # at once, within HOLD_OFF
        released.set()  # the database answers again
        assert first.result(timeout=5) == "stored"
    time.sleep(HOLD_OFF)
    assert submit("later") == "stored"
    assert groups == [["first"], ["later"]]  # those that gave up were not written behind their back


def test_a_refused_row_still_fails_alone_when_the_database_is_there():
    class RefusesOne:
        calls = 0

        def __call__(self, rows):
            self.calls += 1
            if any(row["event_id"] == "bad" for row in rows):
                raise ValueError("a row the database refuses")

    write = RefusesOne()
    store = GroupStore(write, unavailable=lambda exc: isinstance(exc, OperationalError))
    with pytest.raises(ValueError):
        store.submit([{"event_id": "bad"}])
    store.submit([{"event_id": "good"}])  # no hold-off after a refused row
    assert write.calls == 2


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # a host that does not answer
def test_webhooks_while_the_database_host_is_silent_get_503_and_their_redelivery_is_answered_once(
        app, fake_line):
    users = [f"U{n:032x}" for n in range(6)]
    webhooks = [signed_webhook(CHANNEL_SECRET, [text_event(user, "家賃が払えない", fake_line.issue_reply_token(user))])
                for user in users]

    def post(webhook) -> int:
        body, signature = webhook
        return app.test_client().post("/callback", data=body, content_type="application/json",
                                      headers={"X-Line-Signature": signature}).status_code

    silent = SilentHost()
    init_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent.port}/test")
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(post, webhooks))
        took = time.monotonic() - started
    finally:
        silent.close()
        init_engine(POSTGRES_URL)
    assert statuses == [503] * 6  # not acknowledged: LINE redelivers them
    assert took < 2 * CONNECT_TIMEOUT + 2  # the connect timeout, not the OS's two minutes, nor six of them
    assert len(silent.accepted) <= 2  # the webhooks that waited meanwhile did not each try again

    time.sleep(HOLD_OFF)
    with session_scope() as session:
        assert session.exec(select(WebhookEvent)).all() == []
    redelivered = [signed_webhook(CHANNEL_SECRET, [dict(event, deliveryContext={"isRedelivery": True})
                                                   for event in _events(body)]) for body, _ in webhooks]
    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(post, redelivered + redelivered[:2])) == [200] * 8  # two of them twice
    run_jobs(app)
    assert sorted(d["to"] for d in fake_line.delivered) == sorted(users)  # each answered once


def test_starting_against_a_silent_database_host_fails_in_seconds_not_never():
    """`tsunagu serve` migrates at start: against a host that takes the connection and never
    answers it hung without a word (an outside walk found it)."""
    from sqlalchemy.exc import OperationalError as SAOperationalError

    from models.migrate import upgrade

    silent = SilentHost()
    started = time.monotonic()
    try:
        with pytest.raises(SAOperationalError, match="timeout"):
            upgrade(f"postgresql+psycopg://postgres@127.0.0.1:{silent.port}/test")
    finally:
        silent.close()
    assert time.monotonic() - started < CONNECT_TIMEOUT + 5


def _events(body: str) -> list[dict]:
    import json

    return json.loads(body)["events"]
