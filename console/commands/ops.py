"""`tsunagu db upgrade` and `tsunagu check`: deployment steps an operator runs by hand.

Both answer in lines an operator can act on: "OK  <what>: …" / "NG  <what>: …", the variable
or part named first, then what was found and what to do. Neither prints a password, a token
or an SMTP / webhook URL (they may hold credentials); neither ends in a traceback for a
setting or a service that is wrong or away.
"""
from __future__ import annotations

import os
import re
import smtplib
import sys
from email.utils import getaddresses
from urllib.parse import parse_qs, unquote, urlsplit

from console.settings import Settings, SettingsError

METRICS_TOKEN_MIN = 16  # characters: GET /metrics is guarded by this token alone
SMTP_TIMEOUT = 5  # seconds for the SMTP test in `tsunagu check`
SMTP_SCHEMES = ("smtp", "smtps")  # what workers/alerts.py knows (smtps: TLS from the start)
_ADDRESS = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*")


def database_url(settings: Settings, instance: str | None = None) -> str:
    from models.db import default_url

    return settings.database_url or default_url(instance or os.path.abspath("instance"))


def settings_or_report(err=None) -> Settings | None:
    """The settings from the environment, or None after one NG line per unreadable variable."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        for name, detail in exc.problems:
            print(f"NG  {name}: {detail}", file=err or sys.stderr)
        return None


def shown_url(url: str) -> str:
    """A database URL as it may be printed: the password replaced by ***."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unreadable: show the host part only
        return url.rsplit("@", 1)[-1]


def database_problem(exc: BaseException, url: str) -> str:
    """One line on why the database could not be used: the driver's first line (never the
    password: it is blanked even if a driver were to echo it) and what to check."""
    from alembic.util.exc import CommandError
    from sqlalchemy import exc as sa

    if isinstance(exc, (sa.ArgumentError, sa.NoSuchModuleError)):
        return ("DATABASE_URL の形式が読めません。例: postgresql+psycopg://user:password@host:5432/db"
                f"（{type(exc).__name__}）")
    if isinstance(exc, ImportError):
        return (f"DATABASE_URL のデータベースの種類には対応していません（{type(exc).__name__}: {exc.name}）。"
                "PostgreSQL（postgresql+psycopg://…）か SQLite（sqlite:///…）を指定してください")
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = (first[0] if first else "")[:200]
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # noqa: BLE001
        password = None
    if password:
        reason = reason.replace(str(password), "***")
    cause = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    if isinstance(exc, CommandError):
        return (f"スキーマを更新できません（{cause}）。データベースがこのバージョンのつなぐより新しい"
                "スキーマになっていないか確認してください")
    if isinstance(exc, (sa.OperationalError, sa.InterfaceError)):
        if url.startswith("sqlite"):
            return (f"データベースを開けません（{cause}）。{shown_url(url)} のフォルダがあること、"
                    "書き込めることを確認してください")
        return (f"データベースに接続できません（{cause}）。{shown_url(url)} のデータベースが動いていること、"
                "ホスト名・ポート・ユーザー・パスワード（DATABASE_URL）を確認してください")
    return f"データベースがエラーを返しました（{cause}）。{shown_url(url)} の権限と状態を確認してください"


def _database_errors() -> tuple[type[BaseException], ...]:
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    # ImportError: a URL for a database whose driver is not installed (mysql://…)
    return (DBAPIError, ArgumentError, NoSuchModuleError, CommandError, ImportError)


def db_upgrade(settings: Settings) -> int:
    from models.migrate import current, upgrade

    url = database_url(settings)
    try:
        upgrade(url)
        revision = current(url)
    except _database_errors() as exc:
        print(f"NG  DATABASE_URL: {database_problem(exc, url)}", file=sys.stderr)
        return 1
    print(f"database {url.split('@')[-1]} is at revision {revision}")
    return 0


def check(settings: Settings | None = None, out=print, env=None) -> int:
    """Each check prints one line, OK or NG with what to do; exit status 1 if any is NG.
    Without `settings` they are read from `env` (default: the environment), and each variable
    that cannot be read is one NG line; the other checks still run."""
    results: list[bool] = []
    problems: list[tuple[str, str]] = []
    if settings is None:
        settings, problems = Settings.load(env)

    def note(ok: bool, message: str) -> None:
        results.append(ok)
        out(f"{'OK' if ok else 'NG'}  {message}")

    for name, detail in problems:
        note(False, f"{name}: {detail}")
    unreadable = {name for name, _ in problems}
    for label, part in (("SECRET_KEY", _secret_key), ("DATABASE_URL", _database), ("REDIS_URL", _redis),
                        ("LINE", _line), ("TSUNAGU_ONCALL_*", _oncall), ("TSUNAGU_METRICS_TOKEN", _metrics)):
        try:
            part(settings, note, unreadable)
        except Exception as exc:  # noqa: BLE001 - a check that breaks is an NG line, not a traceback
            note(False, f"{label}: 確認の途中でエラーになりました（{type(exc).__name__}）")
    return 0 if all(results) else 1


def _secret_key(settings: Settings, note, unreadable: set[str]) -> None:
    from console.settings import MIN_SECRET_KEY, SECRET_KEY_ADVICE, secret_key_problem

    problem = secret_key_problem(settings.secret_key)
    if problem is None:
        note(True, f"SECRET_KEY: 設定済み（{MIN_SECRET_KEY} 文字以上）")
    else:
        note(False, f"SECRET_KEY: {problem}: {SECRET_KEY_ADVICE}")


def _database(settings: Settings, note, unreadable: set[str]) -> None:
    from models.migrate import current, head

    url = database_url(settings)
    try:
        now, newest = current(url), head()
    except _database_errors() as exc:
        note(False, f"DATABASE_URL: {database_problem(exc, url)}")
        return
    if now == newest:
        note(True, f"DATABASE_URL: データベースに接続でき、スキーマは最新です（{now}）")
    elif now is None:
        note(False, "DATABASE_URL: データベースに接続できましたが、スキーマがまだ作られていません。"
                    "`tsunagu db upgrade` を実行してください")
    else:
        note(False, f"DATABASE_URL: スキーマが最新ではありません（{now}、最新は {newest}）。"
                    "`tsunagu db upgrade` を実行してください")


def _redis(settings: Settings, note, unreadable: set[str]) -> None:
    if not settings.redis_url:
        note(True, "REDIS_URL: 未設定。LINE のイベントは web プロセスの中で処理します（1 プロセスのみ）")
        return
    try:
        from redis import Redis

        Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
        note(True, "REDIS_URL: Redis に接続できます")
    except Exception as exc:  # noqa: BLE001
        note(False, f"REDIS_URL: Redis に接続できません（{type(exc).__name__}）。REDIS_URL と Redis の状態を確認してください")


def _line(settings: Settings, note, unreadable: set[str]) -> None:
    if unreadable & {"LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"}:
        return  # already an NG line above; the API is asked once the value is fixed
    if not (settings.line_channel_secret or settings.line_channel_access_token):
        note(True, "LINE: 未設定。web チャットだけを提供します")
        return
    if not settings.line_enabled:
        note(False, "LINE: LINE_CHANNEL_SECRET と LINE_CHANNEL_ACCESS_TOKEN の両方を設定してください（片方だけです）")
        return
    if len(settings.line_channel_secret) == 32:
        note(True, "LINE_CHANNEL_SECRET: チャネルシークレットの形です（32 文字）")
    else:
        note(False, "LINE_CHANNEL_SECRET: LINE Developers コンソールにある 32 文字のチャネルシークレットを設定してください")
    from bot.line.setup import LineSetup

    ok, message = LineSetup(settings.line_api_base_url, settings.line_channel_access_token).bot_info()
    note(ok, message)


def _oncall(settings: Settings, note, unreadable: set[str]) -> None:
    s = settings
    if not (s.oncall_email or s.smtp_url or s.oncall_webhook_url):
        note(True, "TSUNAGU_ONCALL_*: 未設定。時間外の緊急の受付は通知されません（コンソールで確認します）")
        return
    if not s.oncall_enabled:
        note(True, "TSUNAGU_ONCALL_ENABLED: false のため、時間外の緊急の通知は送りません（設定の形だけを確かめます）")
    if s.oncall_email or s.smtp_url:
        if not (s.oncall_email and s.smtp_url):
            note(False, "TSUNAGU_ONCALL_EMAIL, TSUNAGU_SMTP_URL: メールで通知するには両方を設定してください"
                        "（片方だけではメールは送られません）")
        for name, value in (("TSUNAGU_ONCALL_EMAIL", s.oncall_email), ("TSUNAGU_MAIL_FROM", s.mail_from)):
            if value and not addresses_ok(value):
                note(False, f"{name}: メールアドレスの形ではありません（例: oncall@city.example.jp）。値: {value!r}")
        if s.smtp_url:
            problem = smtp_url_problem(s.smtp_url)
            if problem:
                note(False, f"TSUNAGU_SMTP_URL: {problem}")
            elif s.oncall_enabled:
                ok, message = smtp_probe(s.smtp_url)
                note(ok, f"TSUNAGU_SMTP_URL: {message}")
            else:
                note(True, "TSUNAGU_SMTP_URL: URL の形は正しく読めます（無効のため接続は試していません）")
    if s.oncall_webhook_url:
        parts = urlsplit(s.oncall_webhook_url)
        if parts.scheme in ("http", "https") and parts.hostname:
            note(True, "TSUNAGU_ONCALL_WEBHOOK_URL: URL の形は正しく読めます（通知を送ってしまうため呼び出しは試していません）")
        else:  # the value is not shown: a webhook URL often holds its own secret
            note(False, "TSUNAGU_ONCALL_WEBHOOK_URL: http:// か https:// で始まる URL にしてください")


def _metrics(settings: Settings, note, unreadable: set[str]) -> None:
    token = settings.metrics_token
    if not token:
        return
    if len(token) < METRICS_TOKEN_MIN:
        note(False, f"TSUNAGU_METRICS_TOKEN: 短すぎます（{len(token)} 文字）。{METRICS_TOKEN_MIN} 文字以上のランダムな値に"
                    "してください（例: python -c 'import secrets; print(secrets.token_urlsafe(32))'）")
    else:
        note(True, f"TSUNAGU_METRICS_TOKEN: 設定済み（{METRICS_TOKEN_MIN} 文字以上）")


def addresses_ok(value: str) -> bool:
    """One or more e-mail addresses (comma-separated, "Name <a@b>" allowed), each local@domain."""
    found = getaddresses([value])
    return bool(found) and all(_ADDRESS.fullmatch(address) for _, address in found)


def smtp_url_problem(url: str) -> str | None:
    """What is wrong with the form of TSUNAGU_SMTP_URL as workers/alerts.py reads it (None: fine).
    The URL is never repeated: it holds the password."""
    parts = urlsplit(url)
    example = "例: smtp://user:password@mail.example.jp:587?starttls=1 または smtps://user:password@mail.example.jp:465"
    if parts.scheme not in SMTP_SCHEMES:
        found = f"今は {parts.scheme}://" if parts.scheme and parts.scheme.isascii() and parts.scheme.isalnum() else "今はそうなっていません"
        return f"smtp:// か smtps:// で始まる URL にしてください（{found}）。{example}"
    try:
        _ = parts.port  # urllib reads the port only when asked
    except ValueError:
        return f"ポート番号が読めません。{example}"
    if not parts.hostname:
        return f"SMTP サーバーのホスト名がありません。{example}"
    starttls = parse_qs(parts.query).get("starttls")
    if starttls not in (None, ["1"], ["0"]):
        return "STARTTLS を使うときは ?starttls=1 と書いてください（ほかの値では STARTTLS をしません）"
    if parts.scheme == "smtps" and starttls == ["1"]:
        return "smtps:// は最初から TLS です。?starttls=1 は smtp://（多くはポート 587）と組み合わせてください"
    return None


def smtp_probe(url: str, timeout: float = SMTP_TIMEOUT) -> tuple[bool, str]:
    """Connect as workers/alerts.py does - EHLO, STARTTLS if asked, log in if the URL has a user -
    and send nothing. (ok, one line naming host:port, never the user or password)."""
    parts = urlsplit(url)
    tls = parts.scheme == "smtps"
    host, port = parts.hostname, parts.port or (465 if tls else 25)
    where = f"{host}:{port}"
    steps = ["EHLO"]
    try:
        with (smtplib.SMTP_SSL if tls else smtplib.SMTP)(host, port, timeout=timeout) as smtp:
            code, _ = smtp.ehlo()
            if code != 250:
                return False, f"{where} が EHLO を受け付けません（SMTP {code}）"
            if parse_qs(parts.query).get("starttls") == ["1"]:
                if not smtp.has_extn("starttls"):
                    return False, f"{where} は STARTTLS を提供していません。?starttls=1 を外すか、smtps:// にしてください"
                smtp.starttls()
                smtp.ehlo()
                steps.append("STARTTLS")
            if parts.username:
                if not smtp.has_extn("auth"):
                    hint = "" if tls or "STARTTLS" in steps else "、または ?starttls=1 を付けてください（TLS の後にだけ AUTH を出すサーバーがあります）"
                    return False, (f"{where} は AUTH（ログイン）を提供していません。このままではメールを送れません。"
                                   f"URL からユーザー名とパスワードを外すか、AUTH のあるサーバー・ポートにしてください{hint}")
                try:
                    smtp.login(unquote(parts.username), unquote(parts.password or ""))
                except smtplib.SMTPAuthenticationError as exc:
                    return False, f"{where} がログインを拒否しました（SMTP {exc.smtp_code}）。TSUNAGU_SMTP_URL のユーザー名とパスワードを確認してください"
                steps.append("ログイン")
    except OSError as exc:  # smtplib's errors are OSErrors too
        if isinstance(exc, smtplib.SMTPException) and not isinstance(
                exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
            return False, f"{where} とのやりとりに失敗しました（{type(exc).__name__}）"
        return False, (f"{where} に接続できません（{type(exc).__name__}）。ホスト名・ポート・"
                       "ファイアウォールと smtp:// / smtps:// の別を確認してください")
    return True, f"{where} に接続できました（{'、'.join(steps)}。メールは送っていません）"
