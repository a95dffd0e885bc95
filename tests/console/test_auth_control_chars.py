"""Console forms reachable without logging in, with control characters (outside tester, item 6),
on SQLite and on PostgreSQL (which refuses U+0000 in a query: the 500 showed only there).

The login treats such a name as one no account has (none can be created with one): the usual
failure, audited and locked out like any unknown name, never counted against a real account.
The language switch ignores a `next` with a control character as it ignores an off-site one."""
from __future__ import annotations

import pytest
from sqlmodel import select

from console.auth import LOGIN_FAILED, LOGIN_LOCKED, safe_next
from models import AuditEvent
from models.db import session_scope
from tests.console.conftest import PASSWORD, login


def audit_rows(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("username", ["walk\x00admin", "admin\x00", "\x00", "ad\x1bmin", "ad\x85min"])
def test_a_username_with_control_characters_is_a_plain_login_failure(client, staff, username):
    response = login(client, username)
    assert response.status_code == 200
    assert LOGIN_FAILED in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302  # not logged in
    [row] = audit_rows("login_failed")
    assert row.actor_id is None and row.target_id.startswith("不明:")  # as an unknown name: a digest
    assert "\x00" not in row.target_id


def test_control_character_names_lock_themselves_not_the_real_account(client, staff):
    for _ in range(5):
        assert LOGIN_FAILED in login(client, "admin\x00", "wrong").get_data(as_text=True)
    assert LOGIN_LOCKED in login(client, "admin\x00", "wrong").get_data(as_text=True)  # like any unknown name
    assert login(client, "admin").status_code == 302  # the account itself is not locked


def test_a_password_with_nul_is_a_wrong_password(client, staff):
    response = login(client, "admin", PASSWORD + "\x00")
    assert response.status_code == 200 and LOGIN_FAILED in response.get_data(as_text=True)


def test_a_login_next_with_a_line_break_goes_home(client, staff):
    response = client.post("/console/login?next=/console/%0D%0AX-Injected:%201",
                           data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize("target", ["/console/\r\nX-Injected: 1", "/console/\nX-Injected: 1", "/console/\x00",
                                    "/\t/evil.example", "/\r\n/evil.example", "/console/\x7f"])
def test_the_language_switch_ignores_a_next_with_control_characters(client, target):
    response = client.post("/console/lang", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/login"  # the default, as for an off-site next
    assert "X-Injected" not in response.headers
    assert "tsunagu_console_lang=en" in response.headers["Set-Cookie"]  # the choice itself still counts
    assert safe_next(target) is None


def test_the_language_switch_still_follows_a_plain_local_next(client):
    response = client.post("/console/lang", data={"lang": "en", "next": "/console/?show=urgent"})
    assert response.headers["Location"] == "/console/?show=urgent"
