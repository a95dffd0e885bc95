import pytest
from sqlmodel import select

from console.auth import LOGIN_FAILED, LOGIN_LOCKED, safe_next
from console.staff import seed_demo_staff
from models import AuditEvent, StaffUser
from models.db import session_scope
from tests.console.conftest import PASSWORD, login, make_intake


def audit_rows(action: str | None = None) -> list[AuditEvent]:
    with session_scope() as db:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.exec(query))


def staff_id(username: str) -> int:
    with session_scope() as db:
        return db.exec(select(StaffUser).where(StaffUser.username == username)).one().id


# (method, path, role or None for anonymous, expected status)
ROUTES = [
    ("get", "/console/", None, 302),
    ("get", "/console/?show=urgent", None, 302),
    ("get", "/console/intakes/{id}", None, 302),
    ("post", "/console/logout", None, 302),
    ("get", "/console/", "admin", 200),
    ("get", "/console/", "suishin", 200),
    ("get", "/console/", "viewer", 403),
    ("get", "/console/", "agency", 403),
    ("get", "/console/intakes/{id}", "admin", 200),
    ("get", "/console/intakes/{id}", "suishin", 200),
    ("get", "/console/intakes/{id}", "viewer", 403),
    ("get", "/console/intakes/{id}", "agency", 403),
    ("get", "/console/intakes/999999", "suishin", 404),
    ("get", "/console/?show=junk", "suishin", 400),
]


@pytest.mark.parametrize("method, path, role, status", ROUTES)
def test_route_needs_login_and_role(client, staff, method, path, role, status):
    path = path.format(id=make_intake())
    if role:
        assert login(client, role).status_code == 302
    response = getattr(client, method)(path)
    assert response.status_code == status
    if role is None:
        assert response.headers["Location"].startswith("/console/login?next=")


def test_login_success_redirects_and_is_audited(client, staff):
    response = login(client, "suishin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    page = client.get("/console/").get_data(as_text=True)
    assert "推進員（デモ）" in page and "ログアウト" in page
    assert [(e.action, e.actor_id) for e in audit_rows("login")] == [("login", staff_id("suishin"))]


def test_login_follows_a_local_next_only(client, staff):
    ok = client.post("/console/login?next=/console/?show=urgent", data={"username": "admin", "password": PASSWORD})
    assert ok.headers["Location"] == "/console/?show=urgent"
    client.post("/console/logout")
    evil = client.post("/console/login?next=https://evil.example/", data={"username": "admin", "password": PASSWORD})
    assert evil.headers["Location"] == "/console/"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example", "", None, "console"])
def test_safe_next_refuses_other_hosts(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("username, password", [("suishin", "wrong password"), ("nobody", PASSWORD)])
def test_failed_login_shows_japanese_error_and_is_audited(client, staff, username, password):
    response = login(client, username, password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert LOGIN_FAILED in page
    assert client.get("/console/").status_code == 302  # still not logged in
    failed = audit_rows("login_failed")
    assert len(failed) == 1
    assert failed[0].actor_id == (staff_id("suishin") if username == "suishin" else None)
    assert audit_rows("login") == []


def test_failed_login_records_the_username_tried_never_the_password(client, staff, caplog):
    """Walk finding 19: the audit row says which account was tried (staff data); the password is
    never stored, nor a name that is no account (it may be a password typed into the wrong box,
    walk 2 B16), and nothing typed goes to the logs."""
    login(client, "Suishin", "secret-typed-by-mistake")
    login(client, "Ghost.User", "secret-typed-by-mistake")
    with session_scope() as db:
        known, unknown = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert (known.action, known.target_type, known.target_id) == ("login_failed", "username", "suishin")
    row = unknown
    assert (row.action, row.actor_id, row.target_type) == ("login_failed", None, "username")
    assert row.target_id.startswith("不明:") and "ghost" not in row.target_id
    assert "secret-typed-by-mistake" not in repr(row.model_dump())
    assert "ghost.user" not in caplog.text.lower() and "secret-typed-by-mistake" not in caplog.text


def test_lockout_looks_the_same_for_unknown_and_existing_usernames(client, staff):
    """Walk finding 19: five misses lock a username whether or not it exists, with one message."""
    pages = {}
    for username in ("suishin", "ghostuser"):
        for _ in range(5):
            assert LOGIN_FAILED in login(client, username, "wrong").get_data(as_text=True)
        pages[username] = login(client, username, "wrong").get_data(as_text=True)
    assert LOGIN_LOCKED in pages["suishin"] and LOGIN_LOCKED in pages["ghostuser"]
    assert pages["suishin"].replace("suishin", "") == pages["ghostuser"].replace("ghostuser", "")
    assert login(client, "SUISHIN").status_code == 200  # locked whatever the case typed
    locked = audit_rows("login_locked")
    names = {r.target_id for r in locked}  # the unknown name only as a keyed digest
    assert len(names) == 2 and "suishin" in names and "ghostuser" not in names


def test_staff_429_page_speaks_to_staff_not_residents(client, staff):
    """Walk finding 18."""
    codes = [login(client, "admin", f"guess{n}") for n in range(12)]
    refused = next(r for r in codes if r.status_code == 429)
    page = refused.get_data(as_text=True)
    assert "ログインの試行が多すぎた" in page
    assert "110" not in page and "119" not in page and "メッセージが 多すぎます" not in page


def test_empty_form_shows_field_errors(client, staff):
    page = client.post("/console/login", data={}).get_data(as_text=True)
    assert "ユーザー名を入力してください。" in page and "パスワードを入力してください。" in page
    assert audit_rows() == []


def test_inactive_staff_cannot_log_in_and_loses_the_session(client, staff):
    assert login(client, "suishin").status_code == 302
    with session_scope() as db:
        db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one().active = False
    assert client.get("/console/").status_code == 302
    assert LOGIN_FAILED in login(client, "suishin").get_data(as_text=True)


def test_logout_ends_the_session(client, staff):
    login(client, "admin")
    response = client.post("/console/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/console/login"
    assert "ログアウトしました。" in client.get("/console/login").get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    assert [e.action for e in audit_rows()] == ["login", "logout"]


def test_seed_demo_staff_is_idempotent_and_never_resets_or_reactivates(app):
    """Issue 9 item 19: restarting the demo leaves existing accounts as they are."""
    assert seed_demo_staff("first") == ["admin", "suishin", "agency", "viewer"]
    with session_scope() as db:
        viewer = db.exec(select(StaffUser).where(StaffUser.username == "viewer")).one()
        viewer.active = False
        db.add(viewer)
    assert seed_demo_staff("second") == ["admin", "suishin", "agency", "viewer"]
    with session_scope() as db:
        users = {u.username: u for u in db.exec(select(StaffUser))}
    assert {u: users[u].role for u in users} == {"admin": "admin", "suishin": "suishin", "agency": "agency", "viewer": "viewer"}
    assert all(u.password_hash.startswith("$argon2") and "second" not in u.password_hash for u in users.values())
    assert users["viewer"].active is False  # an admin's deactivation survives a restart
    client = app.test_client()
    assert login(client, "suishin", "second").status_code == 200
    assert login(client, "suishin", "first").status_code == 302


def test_login_form_rejects_a_missing_csrf_token(app, staff):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = login(client, "suishin")
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302
    assert audit_rows() == []
