"""Issue 9 items 7, 9, 10, 11: floods, password guessing, sessions that outlive logout,
and the web chat on a shared device. On SQLite + memory counters and PostgreSQL + Redis."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from models import AuditEvent, Intake, StaffUser, WebhookEvent
from models.db import session_scope
from tests.console.conftest import PASSWORD, login, make_intake, staff  # noqa: F401
from tests.helpers import WebVisitor

INOCHI = "0120-783-556"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)  # a Tuesday, 10:00 JST

    def __call__(self):
        return self.now

    def later(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app):
    app.config["CLOCK"] = c = Clock()
    return c


# ---- 7: rate limits ------------------------------------------------------------------------
def test_a_flood_from_one_chat_session_gets_a_kind_429_and_stores_nothing_more(visitor):
    codes = [visitor.post({"type": "text", "text": "死にたい"}).status_code for _ in range(35)]
    assert codes[:30] == [200] * 30 and set(codes[30:]) == {429}
    refused = visitor.post({"type": "text", "text": "もう死にたい"})
    answer = refused.get_json()
    assert refused.status_code == 429 and "まってから" in answer["message"]
    assert INOCHI in answer["messages"][0]["text"]  # a refused crisis still gets the numbers
    with session_scope() as s:
        assert len(s.exec(select(Intake)).all()) == 1  # one resident, one urgent intake


def test_new_conversations_from_one_address_are_limited_and_refused_crises_are_kept(app):
    """A script dropping its cookie each time would open an urgent intake per crisis line and
    bury real crises: new conversations per address are limited (20 per 10 minutes)."""
    resident = WebVisitor(app.test_client())  # someone already chatting from the same address
    assert resident.post({"type": "start"}).status_code == 200
    codes, answers = [], []
    for n in range(24):
        fresh = WebVisitor(app.test_client())
        reply = fresh.post({"type": "text", "text": f"死にたい {n}"})
        codes.append(reply.status_code)
        answers.append(reply.get_json())
    assert codes[:19] == [200] * 19 and codes[19:] == [429] * 5
    assert all(INOCHI in a["messages"][0]["text"] for a in answers[19:])  # the numbers, always
    with session_scope() as s:
        assert len(s.exec(select(Intake).where(Intake.urgent)).all()) == 19
        kept = s.exec(select(WebhookEvent).where(WebhookEvent.error == "rate_limited")).all()
        assert sorted(e.payload["text"] for e in kept) == sorted(f"死にたい {n}" for n in range(19, 24))
        assert all(e.failed_at is not None and e.processed_at is None for e in kept)  # shown to staff
    # walk 2, B3: a browser refused at its first request stays refused at its next one
    refused = WebVisitor(app.test_client())
    assert refused.post({"type": "start"}).status_code == 429
    assert refused.post({"type": "text", "text": "死にたい"}).status_code == 429
    with session_scope() as s:
        assert len(s.exec(select(Intake).where(Intake.urgent)).all()) == 19
    assert resident.post({"type": "choice", "value": "who:self"}).status_code == 200  # not a new one
    other = app.test_client().post("/chat/api/messages", json={"type": "start", "id": "other-0001"},
                                   environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200  # another address is not affected


def test_the_chat_page_shows_the_429_message(app):
    page = app.test_client().get("/chat").get_data(as_text=True)
    assert "res.status === 429" in page and "answer.message" in page


# ---- 9: login throttle and lockout ---------------------------------------------------------
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, staff):  # noqa: F811
    for _ in range(5):
        assert "正しくありません" in login(client, "suishin", "wrong").get_data(as_text=True)
    page = login(client, "suishin").get_data(as_text=True)
    assert "しばらくログインできません" in page
    assert client.get("/console/").status_code == 302  # not logged in
    with session_scope() as s:
        locked = s.exec(select(AuditEvent).where(AuditEvent.action == "login_locked")).all()
        suishin = s.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
    assert [e.actor_id for e in locked] == [suishin.id]
    assert login(client, "admin").status_code == 302  # other accounts are not locked


def test_the_lock_ends_after_fifteen_minutes(client, staff, clock):  # noqa: F811
    from console import lockout

    for _ in range(5):
        login(client, "viewer", "wrong")
    assert "しばらく" in login(client, "viewer").get_data(as_text=True)
    with session_scope() as s:
        viewer = s.exec(select(StaffUser).where(StaffUser.username == "viewer")).one()
        assert lockout.is_locked(s, "viewer", viewer.id, datetime.now(timezone.utc))
        assert not lockout.is_locked(s, "viewer", viewer.id, datetime.now(timezone.utc) + timedelta(minutes=16))


def test_fifty_fast_guesses_are_refused_with_429(client, staff):  # noqa: F811
    codes = [login(client, "admin", f"guess{n}").status_code for n in range(50)]
    assert 429 in codes and codes.count(200) <= 10


# ---- 10: server-side sessions --------------------------------------------------------------
def test_a_cookie_copied_before_logout_no_longer_opens_an_intake(app, client, staff):  # noqa: F811
    intake_id = make_intake()
    assert login(client, "suishin").status_code == 302
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    assert thief.get(f"/console/intakes/{intake_id}").status_code == 200  # the copy works while logged in
    client.post("/console/logout")
    assert thief.get(f"/console/intakes/{intake_id}").status_code == 302


def test_a_password_change_ends_every_session_of_that_account(client, staff):  # noqa: F811
    assert login(client, "suishin").status_code == 302
    with session_scope() as s:
        user = s.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        user.set_password("a brand new long password")
        s.add(user)
    assert client.get("/console/").status_code == 302


def test_staff_are_logged_out_after_thirty_idle_minutes(client, staff, clock):  # noqa: F811
    assert login(client, "suishin").status_code == 302
    clock.later(minutes=29)
    assert client.get("/console/").status_code == 200  # activity keeps the session alive
    clock.later(minutes=29)
    assert client.get("/console/").status_code == 200
    clock.later(minutes=31)
    response = client.get("/console/")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


# ---- 11: shared devices --------------------------------------------------------------------
def self_with_phone(visitor) -> None:
    visitor.open()
    visitor.tap("who:self")
    visitor.say("家賃が払えなくて困っています。電話は090-1234-5678です")


def test_the_next_person_at_the_browser_after_the_window_starts_afresh(visitor, clock):
    self_with_phone(visitor)
    clock.later(minutes=45)
    again = visitor.open()  # within the window: 続きから is offered
    assert "resume:resume" in [c["value"] for m in again for c in m.get("choices", [])]
    clock.later(hours=2, minutes=1)
    later = visitor.open()  # past it: a stranger, no 続きから and none of the words
    text = "\n".join(m["text"] for m in later)
    assert "resume:resume" not in [c["value"] for m in later for c in m.get("choices", [])]
    assert "家賃" not in text and "5678" not in text


def test_the_chat_cookie_ends_with_the_browser(client):
    response = client.post("/chat/api/messages", json={"type": "start", "id": "cookie-001"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "session=" in cookie and "Expires" not in cookie and "Max-Age" not in cookie
