"""`tsunagu staff add NAME --role admin`: a first admin for a real deployment, the password
from stdin (never argv, never printed or logged)."""
from __future__ import annotations

import os
import subprocess

from sqlmodel import Session, create_engine, select

from models import StaffUser
from models.staff import verify_password
from tests.test_cli import tsunagu


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "REDIS_URL", "SECRET_KEY"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    return env


def test_staff_add_reads_the_password_from_stdin(tmp_path):
    secret = "first admin password 123"
    result = subprocess.run([*tsunagu(), "staff", "add", "chief", "--role", "admin", "--display-name", "管理者 山田"],
                            input=secret + "\n", capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "chief" in result.stdout
    assert secret not in result.stdout + result.stderr
    engine = create_engine(_env(tmp_path)["DATABASE_URL"])
    with Session(engine) as db:
        user = db.exec(select(StaffUser).where(StaffUser.username == "chief")).one()
        assert user.role == "admin" and user.display_name == "管理者 山田"
        assert verify_password(user.password_hash, secret)
    engine.dispose()


def test_staff_add_refuses_a_short_password_and_an_agency_without_directory(tmp_path):
    short = subprocess.run([*tsunagu(), "staff", "add", "chief", "--role", "admin"], input="short\n",
                           capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), timeout=60)
    assert short.returncode == 1 and "12 文字以上" in short.stderr
    no_agency = subprocess.run([*tsunagu(), "staff", "add", "kodomo1", "--role", "agency", "--agency", "kodomo"],
                               input="long enough password\n", capture_output=True, text=True, cwd=tmp_path,
                               env=_env(tmp_path), timeout=60)
    assert no_agency.returncode != 0 and "kodomo" in no_agency.stderr
    loaded = subprocess.run([*tsunagu(), "directory", "load"], capture_output=True, text=True, cwd=tmp_path,
                            env=_env(tmp_path), timeout=60)
    assert loaded.returncode == 0 and "13" in loaded.stdout
    ok = subprocess.run([*tsunagu(), "staff", "add", "kodomo1", "--role", "agency", "--agency", "kodomo"],
                        input="long enough password\n", capture_output=True, text=True, cwd=tmp_path,
                        env=_env(tmp_path), timeout=60)
    assert ok.returncode == 0, ok.stderr
