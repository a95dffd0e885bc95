"""`tsunagu check`, `tsunagu db upgrade` and `tsunagu line setup` with settings and services that
are wrong or away: one NG line naming the variable and what to do, exit 1, never a traceback and
never a password. The on-call mail settings are tried against a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from console.cli import main
from console.commands.ops import check
from console.settings import Settings, SettingsError
from tests.conftest import CHANNEL_SECRET

GOOD_KEY = "0123456789abcdef" * 4
SMTP_USER, SMTP_PASSWORD = "tsunagu", "mail-pass-4711"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """A migrated SQLite database the checks can reach (read only by them)."""
    from models.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('check') / 'tsunagu.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def base(database) -> dict:
    """A sound configuration: check passes on it (asserted below); each test spoils one thing."""
    return {"DATABASE_URL": database, "SECRET_KEY": GOOD_KEY}


def run_check(env: dict) -> tuple[int, list[str]]:
    lines: list[str] = []
    return check(env=env, out=lines.append), lines


def ng_line(lines: list[str], name: str) -> str:
    found = [line for line in lines if line.startswith(f"NG  {name}:")]
    assert found, f"no NG line for {name} in:\n" + "\n".join(lines)
    return found[0]


def cli_env(**values: str) -> dict:
    """The environment of a subprocess: this one's, without any Tsunagu/LINE settings, plus values."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TSUNAGU_", "LINE_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))}
    return {**env, **values}


def tsunagu(*args: str, env: dict, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console.cli", *args], env=env, cwd=cwd, check=False,
                          capture_output=True, text=True, timeout=60)


# ---- settings that cannot be read ---------------------------------------------------------

@pytest.mark.parametrize("name, raw, expected", [
    ("TSUNAGU_SECURE_COOKIES", "maybe", "true か false"),
    ("TSUNAGU_ONCALL_ENABLED", "perhaps", "true か false"),
    ("TSUNAGU_JOB_RETRY_INTERVALS", "abc", "2,10,30,120,600"),
    ("TSUNAGU_CLAIM_TIMEOUT_HOURS", "abc", "時間数"),
    ("TSUNAGU_HEALTH_MAX_EVENT_AGE", "abc", "秒数"),
    ("TSUNAGU_TRUSTED_PROXIES", "x", "0 以上の整数"),
    ("TSUNAGU_RETENTION_YEARS", "0", "1 以上の整数"),
])
def test_each_unreadable_setting_is_an_ng_line_naming_it_and_the_form(base, name, raw, expected):
    status, lines = run_check({**base, name: raw})
    assert status == 1
    line = ng_line(lines, name)
    assert expected in line and repr(raw) in line
    assert any(line.startswith("OK  DATABASE_URL:") for line in lines)  # the other checks still ran


def test_check_cli_lists_every_bad_setting_and_exits_1_without_a_traceback(database, tmp_path):
    bad = {"TSUNAGU_JOB_RETRY_INTERVALS": "abc", "TSUNAGU_SECURE_COOKIES": "maybe",
           "TSUNAGU_CLAIM_TIMEOUT_HOURS": "abc", "TSUNAGU_HEALTH_MAX_EVENT_AGE": "abc",
           "TSUNAGU_TRUSTED_PROXIES": "x"}
    done = tsunagu("check", env=cli_env(DATABASE_URL=database, SECRET_KEY=GOOD_KEY, **bad), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout and "could not convert" not in done.stdout
    lines = done.stdout.splitlines()
    for name in bad:
        ng_line(lines, name)
    assert "OK  SECRET_KEY: 設定済み（32 文字以上）" in lines


def test_serve_refuses_a_bad_setting_by_its_name(database, tmp_path):
    """The loader is shared: `tsunagu serve` (and the worker) stop on what check reports."""
    done = tsunagu("serve", "--port", str(free_port()), cwd=tmp_path, env=cli_env(
        DATABASE_URL=database, SECRET_KEY=GOOD_KEY, TSUNAGU_HEALTH_MAX_EVENT_AGE="abc", TSUNAGU_TRUSTED_PROXIES="x"))
    assert done.returncode != 0
    assert "could not convert string to float" not in done.stderr
    assert "TSUNAGU_HEALTH_MAX_EVENT_AGE: 秒数" in done.stderr and "TSUNAGU_TRUSTED_PROXIES:" in done.stderr
    with pytest.raises(SettingsError, match="TSUNAGU_HEALTH_MAX_EVENT_AGE") as raised:
        Settings.from_env({"TSUNAGU_HEALTH_MAX_EVENT_AGE": "abc", "TSUNAGU_ONCALL_ENABLED": "perhaps"})
    assert [name for name, _ in raised.value.problems] == ["TSUNAGU_ONCALL_ENABLED", "TSUNAGU_HEALTH_MAX_EVENT_AGE"]


def test_serve_without_a_secret_key_says_so_in_a_line(database, tmp_path):
    env = {k: v for k, v in cli_env(DATABASE_URL=database).items() if k != "SECRET_KEY"}
    done = tsunagu("serve", "--port", str(free_port()), cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "SECRET_KEY: 未設定" in done.stderr and "Traceback" not in done.stderr


def test_serve_refuses_a_short_secret_key(database, tmp_path):
    """Outside walk: `SECRET_KEY=abc tsunagu serve` started, and the key signing staff sessions
    could be guessed; tsunagu check already asked for 32 characters."""
    done = tsunagu("serve", "--port", str(free_port()), cwd=tmp_path,
                   env=cli_env(DATABASE_URL=database, SECRET_KEY="abc"))
    assert done.returncode == 2
    assert "SECRET_KEY: 短すぎます（3 文字）" in done.stderr and "Traceback" not in done.stderr
    done = tsunagu("serve", "--port", str(free_port()), cwd=tmp_path,
                   env=cli_env(DATABASE_URL=database, SECRET_KEY="a" * 40))
    assert done.returncode == 2 and "SECRET_KEY: 同じ文字のくり返しです" in done.stderr
    status, lines = run_check({"DATABASE_URL": database, "SECRET_KEY": " " * 41})
    assert status == 1 and any(line.startswith("NG  SECRET_KEY: 同じ文字のくり返し") for line in lines)


def test_booleans_take_one_documented_set_of_words_everywhere(base):
    """README: true/false (also 1/0, yes/no, on/off); check, serve and worker share the parser."""
    for raw, expected in (("yes", True), ("TRUE", True), ("1", True), ("no", False), ("off", False), ("0", False)):
        assert Settings.from_env({"TSUNAGU_ONCALL_ENABLED": raw}).oncall_enabled is expected
        assert Settings.from_env({"TSUNAGU_SECURE_COOKIES": raw}).secure_cookies is expected
    status, lines = run_check({**base, "TSUNAGU_ONCALL_ENABLED": "no", "TSUNAGU_ONCALL_EMAIL": "oncall@city.example.jp",
                               "TSUNAGU_SMTP_URL": "smtp://127.0.0.1:1"})
    assert status == 0, lines  # switched off: the form is checked, no connection is tried
    assert any(line.startswith("OK  TSUNAGU_ONCALL_ENABLED: false のため") for line in lines)


# ---- the sound configuration, and on-call / metrics settings --------------------------------

def test_a_sound_configuration_passes(base):
    status, lines = run_check(base)
    assert status == 0, lines
    assert not [line for line in lines if line.startswith("NG")]
    assert "OK  TSUNAGU_ONCALL_*: 未設定。時間外の緊急の受付は通知されません（コンソールで確認します）" in lines


@pytest.mark.parametrize("url, expected", [
    ("ftp://u:p%40ss-secret@mail.example.jp", "smtp:// か smtps:// で始まる URL にしてください（今は ftp://）"),
    ("mail.example.jp:587", "smtp:// か smtps://"),
    ("smtp://u:p%40ss-secret@mail.example.jp:abc", "ポート番号が読めません"),
    ("smtp://u:p%40ss-secret@mail.example.jp:587?starttls=true", "?starttls=1"),
    ("smtps://u:p%40ss-secret@mail.example.jp:465?starttls=1", "smtps:// は最初から TLS"),
])
def test_an_smtp_url_the_alert_cannot_use_is_refused_without_showing_it(base, url, expected):
    status, lines = run_check({**base, "TSUNAGU_ONCALL_EMAIL": "oncall@city.example.jp", "TSUNAGU_SMTP_URL": url})
    assert status == 1
    assert expected in ng_line(lines, "TSUNAGU_SMTP_URL")
    assert "ss-secret" not in "\n".join(lines)


@pytest.mark.parametrize("value", ["notanemail", "oncall@", "on call@city.example.jp", "oncall@city.example.jp, nobody"])
def test_an_oncall_address_that_is_not_an_address_is_ng(base, value):
    status, lines = run_check({**base, "TSUNAGU_ONCALL_EMAIL": value, "TSUNAGU_SMTP_URL": "smtp://127.0.0.1:1"})
    assert status == 1
    assert "メールアドレスの形ではありません" in ng_line(lines, "TSUNAGU_ONCALL_EMAIL")


def test_mail_settings_half_set_and_a_bad_webhook_url_are_ng(base):
    status, lines = run_check({**base, "TSUNAGU_ONCALL_EMAIL": "oncall@city.example.jp",
                               "TSUNAGU_ONCALL_WEBHOOK_URL": "hooks.example.jp/T0/secret-path"})
    assert status == 1
    assert "両方を設定してください" in ng_line(lines, "TSUNAGU_ONCALL_EMAIL, TSUNAGU_SMTP_URL")
    assert "http:// か https://" in ng_line(lines, "TSUNAGU_ONCALL_WEBHOOK_URL")
    assert "secret-path" not in "\n".join(lines)


def test_a_short_metrics_token_is_ng_and_a_long_one_ok(base):
    status, lines = run_check({**base, "TSUNAGU_METRICS_TOKEN": "short"})
    assert status == 1
    line = ng_line(lines, "TSUNAGU_METRICS_TOKEN")
    assert "5 文字" in line and "16 文字以上" in line and "short" not in line
    status, lines = run_check({**base, "TSUNAGU_METRICS_TOKEN": "x" * 16})
    assert status == 0 and "OK  TSUNAGU_METRICS_TOKEN: 設定済み（16 文字以上）" in lines


# ---- the SMTP test against a real server ---------------------------------------------------

class Sink:
    def __init__(self):
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def smtp_server(with_auth: bool):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
              and auth_data.password == SMTP_PASSWORD.encode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    sink = Sink()
    extra = {"authenticator": authenticator, "auth_require_tls": False} if with_auth else {}
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **extra)
    controller.start()
    return controller, sink


@pytest.fixture
def plain_smtp():
    controller, sink = smtp_server(with_auth=False)
    yield controller.port, sink
    controller.stop()


@pytest.fixture
def auth_smtp():
    controller, sink = smtp_server(with_auth=True)
    yield controller.port, sink
    controller.stop()


def oncall(port: int, user: str = "", password: str = "") -> dict:
    login = f"{user}:{password}@" if user else ""
    return {"TSUNAGU_ONCALL_EMAIL": "oncall@city.example.jp", "TSUNAGU_SMTP_URL": f"smtp://{login}127.0.0.1:{port}"}


def test_credentials_for_a_server_without_auth_are_ng_before_an_alert_fails(base, plain_smtp):
    port, sink = plain_smtp
    status, lines = run_check({**base, **oncall(port, SMTP_USER, SMTP_PASSWORD)})
    assert status == 1
    line = ng_line(lines, "TSUNAGU_SMTP_URL")
    assert f"127.0.0.1:{port} は AUTH（ログイン）を提供していません" in line
    assert SMTP_PASSWORD not in "\n".join(lines) and sink.messages == 0
    status, lines = run_check({**base, **oncall(port)})  # no credentials: EHLO is all it needs
    assert status == 0 and f"OK  TSUNAGU_SMTP_URL: 127.0.0.1:{port} に接続できました（EHLO。メールは送っていません）" in lines


def test_the_whole_oncall_configuration_passes_against_a_real_server(base, auth_smtp):
    port, sink = auth_smtp
    env = {**base, **oncall(port, SMTP_USER, SMTP_PASSWORD), "TSUNAGU_MAIL_FROM": "Tsunagu <tsunagu@city.example.jp>",
           "TSUNAGU_ONCALL_WEBHOOK_URL": "https://hooks.example.jp/oncall", "TSUNAGU_METRICS_TOKEN": "m" * 32,
           "TSUNAGU_TRUSTED_PROXIES": "1", "TSUNAGU_ONCALL_ENABLED": "true"}
    status, lines = run_check(env)
    assert status == 0, lines
    assert f"OK  TSUNAGU_SMTP_URL: 127.0.0.1:{port} に接続できました（EHLO、ログイン。メールは送っていません）" in lines
    assert sink.messages == 0


def test_a_wrong_smtp_password_or_a_closed_port_is_ng(base, auth_smtp):
    port, _ = auth_smtp
    status, lines = run_check({**base, **oncall(port, SMTP_USER, "wrong-pass-99")})
    assert status == 1 and "ログインを拒否しました（SMTP 535）" in ng_line(lines, "TSUNAGU_SMTP_URL")
    assert "wrong-pass-99" not in "\n".join(lines)
    closed = free_port()
    status, lines = run_check({**base, **oncall(closed)})
    assert status == 1 and f"127.0.0.1:{closed} に接続できません" in ng_line(lines, "TSUNAGU_SMTP_URL")


# ---- LINE: away is not "token refused"; a token with a newline says so ---------------------------

def line_env(base: dict, token: str, api: str) -> dict:
    return {**base, "LINE_CHANNEL_SECRET": "0123456789abcdef" * 2, "LINE_CHANNEL_ACCESS_TOKEN": token,
            "LINE_API_BASE_URL": api}


def test_line_unreachable_is_not_reported_as_a_refused_token(base):
    api = f"http://127.0.0.1:{free_port()}"
    status, lines = run_check(line_env(base, "a-fine-token", api))
    assert status == 1
    line = ng_line(lines, "LINE API unreachable (NewConnectionError)")
    assert api in line and "トークンの問題ではありません" in line
    assert not any("refused" in line or "発行し直し" in line for line in lines)


def test_a_token_with_a_trailing_newline_is_named_as_such(base, fake_line):
    status, lines = run_check(line_env(base, fake_line.access_token + "\n", fake_line.base_url))
    assert status == 1
    assert "空白か改行が入っています" in ng_line(lines, "LINE_CHANNEL_ACCESS_TOKEN")
    assert not any("refused" in line or "発行し直し" in line for line in lines)
    assert fake_line.access_token not in "\n".join(lines)
    status, lines = run_check(line_env(base, fake_line.access_token, fake_line.base_url))
    assert status == 0 and any(line.startswith("OK  LINE access token valid") for line in lines)


# ---- `tsunagu line setup` and `tsunagu db upgrade` -----------------------------------------

@pytest.fixture
def setup_env(monkeypatch, fake_line):
    fake_line.channel_secret = CHANNEL_SECRET
    monkeypatch.setenv("LINE_CHANNEL_SECRET", CHANNEL_SECRET)
    return fake_line


def test_line_setup_with_a_refused_token_is_one_ng_line(setup_env, monkeypatch, capsys):
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "revoked-token")
    assert main(["line", "setup"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("NG  LINE access token refused (HTTP 401): ") and len(err.strip().splitlines()) == 1
    assert setup_env.rich_menus == {}


def test_line_setup_with_a_webhook_url_line_rejects_is_one_ng_line(setup_env, capsys):
    assert main(["line", "setup", "--skip-menu", "--webhook-url", "http://intranet.invalid/callback"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("NG  LINE refused the request (HTTP 400: Invalid webhook endpoint URL): ")
    assert "http://intranet.invalid/callback を受け付けませんでした" in err and "https://" in err
    assert setup_env.webhook_endpoint is None


def test_line_setup_with_line_away_says_so(setup_env, monkeypatch, capsys):
    monkeypatch.setenv("LINE_API_BASE_URL", f"http://127.0.0.1:{free_port()}")
    assert main(["line", "setup", "--skip-menu", "--webhook-url", "https://tsunagu.example.jp/callback"]) == 1
    assert capsys.readouterr().err.startswith("NG  LINE API unreachable (NewConnectionError): ")


def test_db_upgrade_against_an_unreachable_database_names_it_without_the_password(tmp_path):
    port = free_port()
    done = tsunagu("db", "upgrade", cwd=tmp_path, env=cli_env(
        DATABASE_URL=f"postgresql+psycopg://postgres:hunter2-secret@127.0.0.1:{port}/tsunagu"))
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "hunter2-secret" not in output
    assert done.stderr.startswith("NG  DATABASE_URL: データベースに接続できません（OperationalError: ")
    assert f"postgresql+psycopg://postgres:***@127.0.0.1:{port}/tsunagu" in done.stderr


def test_check_on_an_empty_database_says_to_run_db_upgrade(tmp_path):
    status, lines = run_check({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "SECRET_KEY": GOOD_KEY})
    assert status == 1
    line = ng_line(lines, "DATABASE_URL")
    assert "スキーマがまだ作られていません" in line and "`tsunagu db upgrade`" in line and "None" not in line
