"""Staff passwords (walk finding 12): a simple policy, a forced change after an admin chose the
password, パスワードを変える for everyone (other sessions end), usernames in one case."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from console.accounts import AdminError, check_password
from models import AuditEvent, StaffUser
from models.db import session_scope
from models.migrate import alembic_config
from models.staff import verify_password
from tests.console.conftest import PASSWORD, login

GOOD = "ひまわり畑で 3 回まわる"  # 12+ characters, not common, not the username


@pytest.mark.parametrize("password, username, message", [
    ("short pw 1", None, "12 文字以上"),
    ("aaaaaaaaaaaaaaaa", None, "よく使われる"),
    ("abababababababab", None, "よく使われる"),
    ("password1234", None, "よく使われる"),
    ("Password2026!", None, "よく使われる"),
    ("qwertyuiop12", None, "よく使われる"),
    ("tanaka-himitsu-99", "Tanaka", "ユーザー名を含め"),
    ("tanaka2tanaka2", "tanaka2", "ユーザー名を含め"),
])
def test_weak_staff_passwords_are_refused(password, username, message):
    with pytest.raises(AdminError) as refused:
        check_password(password, username)
    assert message in str(refused.value)


@pytest.mark.parametrize("password", [PASSWORD, GOOD, "Kiku-no-hana-2026"])
def test_reasonable_passwords_pass(password):
    assert check_password(password, "tanaka") == password


def _user(username: str) -> StaffUser:
    with session_scope() as db:
        return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def _change(client, current, new, again=None):
    return client.post("/console/password", data={"current": current, "new": new, "again": again or new})


def test_admin_refuses_weak_passwords_and_case_twins(as_role):
    admin = as_role("admin")
    weak = admin.post("/console/admin/staff", data={"username": "tanaka", "display_name": "田中", "role": "suishin",
                                                    "password": "aaaaaaaaaaaa"})
    assert weak.status_code == 400 and "よく使われる" in weak.get_data(as_text=True)
    made = admin.post("/console/admin/staff", data={"username": "Tanaka", "display_name": "田中", "role": "suishin",
                                                    "password": GOOD})
    assert made.status_code == 302 and _user("tanaka").display_name == "田中"  # stored in one case
    for twin in ("TANAKA", "tanaka", " Tanaka "):
        again = admin.post("/console/admin/staff", data={"username": twin, "display_name": "x", "role": "suishin",
                                                         "password": GOOD})
        assert again.status_code == 400 and "すでに使われています" in again.get_data(as_text=True)
    demo_twin = admin.post("/console/admin/staff", data={"username": "ADMIN", "display_name": "x", "role": "admin",
                                                         "password": GOOD})
    assert demo_twin.status_code == 400


def test_an_admin_made_password_must_be_changed_before_anything_else(app, as_role):
    admin = as_role("admin")
    assert admin.post("/console/admin/staff", data={"username": "tanaka", "display_name": "田中", "role": "suishin",
                                                    "password": GOOD}).status_code == 302
    tanaka = app.test_client()
    first = login(tanaka, "TANAKA", GOOD)  # any case logs in
    assert first.headers["Location"] == "/console/password"
    for path in ("/console/", "/console/stats/", "/console/counts", "/console/admin/staff"):
        blocked = tanaka.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/console/password", path
    page = tanaka.get("/console/password").get_data(as_text=True)
    assert "管理者が決めたパスワードでログインしました" in page and "パスワードを変える" in page

    wrong = _change(tanaka, "not my password", "kinmokusei no kaori 7")
    assert wrong.status_code == 400 and "いまのパスワードが正しくありません" in wrong.get_data(as_text=True)
    mismatch = _change(tanaka, GOOD, "kinmokusei no kaori 7", "kinmokusei no kaori 8")
    assert mismatch.status_code == 400 and "一致しません" in mismatch.get_data(as_text=True)
    same = _change(tanaka, GOOD, GOOD)
    assert same.status_code == 400 and "同じパスワード" in same.get_data(as_text=True)
    weak = _change(tanaka, GOOD, "password1234")
    assert weak.status_code == 400 and "よく使われる" in weak.get_data(as_text=True)
    assert tanaka.get("/console/").status_code == 302  # still held at the password page

    done = _change(tanaka, GOOD, "kinmokusei no kaori 7")
    assert done.status_code == 302 and done.headers["Location"] == "/console/"
    assert tanaka.get("/console/").status_code == 200  # this browser carries on
    user = _user("tanaka")
    assert not user.must_change_password and verify_password(user.password_hash, "kinmokusei no kaori 7")
    assert login(app.test_client(), "tanaka", GOOD).status_code == 200  # the admin's password is gone

    # an admin reset forces the change again
    assert admin.post(f"/console/admin/staff/{user.id}/password", data={"password": GOOD}).status_code == 302
    assert tanaka.get("/console/").status_code == 302  # the reset ended tanaka's session
    assert login(app.test_client(), "tanaka", GOOD).headers["Location"] == "/console/password"


@pytest.mark.parametrize("role", ["suishin", "agency", "viewer", "admin"])
def test_every_role_can_change_their_password_and_other_sessions_end(app, staff, role):
    here, elsewhere = app.test_client(), app.test_client()
    assert login(here, role).status_code == 302 and login(elsewhere, role).status_code == 302
    assert 'id="nav-password"' in here.get("/console/password").get_data(as_text=True)
    new = "sakura no ki no shita de 5"
    assert _change(here, PASSWORD, new).status_code == 302
    assert here.get("/console/password").status_code == 200  # still signed in here
    gone = elsewhere.get("/console/password")
    assert gone.status_code == 302 and "/console/login" in gone.headers["Location"]  # the other session ended
    assert login(app.test_client(), role, new).status_code == 302
    with session_scope() as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.action == "staff.password_change")).all()
    assert [r.actor_id for r in rows] == [_user(role).id]


def test_demo_accounts_are_not_forced_to_change(client, staff):
    response = login(client, "suishin")
    assert response.headers["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_migration_puts_usernames_in_one_case(backend):
    """0100 on a database where ADMIN sits next to admin: both keep a way in, no twins."""
    from alembic import command

    url, _ = backend
    config = alembic_config(url)
    command.upgrade(config, "0070")
    engine = create_engine(url)
    with engine.begin() as conn:
        for name in ("admin", "ADMIN", "Tanaka"):
            conn.execute(text("INSERT INTO staff_user (username, display_name, role, password_hash, active, city_staff, "
                              "created_at) VALUES (:u, :u, 'suishin', 'x', true, false, CURRENT_TIMESTAMP)"), {"u": name})
    command.upgrade(config, "head")
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(text("SELECT username FROM staff_user ORDER BY id"))]
        assert names == ["admin", "admin-2", "tanaka"]
        with pytest.raises(Exception):
            conn.execute(text("INSERT INTO staff_user (username, display_name, role, password_hash, active, city_staff, "
                              "created_at) VALUES ('TANAKA', 'x', 'suishin', 'x', true, false, CURRENT_TIMESTAMP)"))
    engine.dispose()
