"""Settings from the environment, parsed strictly (junk is an error, not a silent default).

Every value that cannot be read is reported with its variable's name and the form it must
take, all at once: `Settings.from_env` raises one SettingsError listing them (so `tsunagu
serve` and `tsunagu worker` refuse to start and say why), and `Settings.load` returns them
beside settings that keep the defaults (so `tsunagu check` prints one NG line each).
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

DEFAULT_LINE_API = "https://api.line.me"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
T = TypeVar("T")


MIN_SECRET_KEY = 32
SECRET_KEY_ADVICE = (f"{MIN_SECRET_KEY} 文字以上のランダムな値を設定してください"
                     "（例: python -c 'import secrets; print(secrets.token_hex(32))'）")


def secret_key_problem(key: str | None) -> str | None:
    """What is wrong with SECRET_KEY (None: nothing). It signs staff sessions: a short or
    guessable one lets anyone forge a login. `tsunagu serve` refuses it; `tsunagu check` says so."""
    if not key:
        return "未設定"
    if len(key) < MIN_SECRET_KEY:
        return f"短すぎます（{len(key)} 文字）"
    if len(set(key)) < 8:
        return "同じ文字のくり返しです（ランダムな値ではありません）"
    return None


class SettingsError(ValueError):
    """One or more settings could not be read; `problems` holds (variable, what to write)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__("設定値を読めません（settings could not be read）:\n"
                         + "\n".join(f"  {name}: {detail}" for name, detail in self.problems))


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"true か false で指定してください（1/0、yes/no、on/off も可）。値: {raw!r}")


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"秒数（0 より大きい数、例: 300）で指定してください。値: {raw!r}")
    return value


def _hours(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value < 24 * 365:  # also refuses nan
        raise ValueError(f"時間数（0 より大きく 1 年未満、例: 72）で指定してください。値: {raw!r}")
    return value


def _intervals(raw: str) -> tuple[float, ...]:
    """"2,10,30" -> (2.0, 10.0, 30.0)."""
    try:
        intervals = tuple(float(part) for part in raw.split(","))
    except ValueError:
        intervals = (math.nan,)
    if not all(math.isfinite(i) and i >= 0 for i in intervals):
        raise ValueError(f"0 以上の秒数をカンマで区切って指定してください（例: 2,10,30,120,600）。値: {raw!r}")
    return intervals


def _no_whitespace(raw: str) -> str:
    if raw != raw.strip() or any(c.isspace() for c in raw):
        # never the value: it is a credential
        raise ValueError("値に空白か改行が入っています（コピーしたときの末尾の改行など）。取り除いてください")
    return raw


def _trusted_proxies(raw: str) -> int:
    # the very parse `tsunagu serve` does
    from console.hardening import trusted_proxies

    try:
        return trusted_proxies({"TSUNAGU_TRUSTED_PROXIES": raw})
    except ValueError:
        raise ValueError(f"信頼するリバースプロキシの数を 0 以上の整数で指定してください（例: 1）。値: {raw!r}") from None


def _retention_years(raw: str) -> int:
    # the very parse the retention sweep does
    from workers.retention import retention_years

    try:
        return retention_years({"TSUNAGU_RETENTION_YEARS": raw})
    except ValueError:
        raise ValueError(f"1 以上の整数（年数、例: 5）で指定してください。値: {raw!r}") from None


# kept for callers of the earlier helpers: the same rules, raising with the variable's name
def parse_bool(name: str, raw: str | None, default: bool = False) -> bool:
    return default if not raw else _named(name, _bool, raw)


def parse_hours(name: str, raw: str | None, default: float) -> float:
    return default if not raw else _named(name, _hours, raw)


def parse_intervals(name: str, value: str | None) -> tuple[float, ...] | None:
    return None if value is None else _named(name, _intervals, value)


def _named(name: str, parse: Callable[[str], T], raw: str) -> T:
    try:
        return parse(raw)
    except ValueError as exc:
        raise SettingsError([(name, str(exc))]) from None


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    secret_key: str | None
    line_channel_secret: str | None
    line_channel_access_token: str | None
    line_api_base_url: str
    coordinator_label: str
    demo_password: str | None
    secure_cookies: bool = False  # set behind HTTPS: session cookies only travel encrypted
    metrics_token: str | None = None  # GET /metrics needs "Authorization: Bearer <token>"; unset: no /metrics
    health_max_event_age: float | None = None  # /healthz is 503 when an event waits longer (seconds)
    office_phone: str | None = None  # the counter's number, in the apology for a message we could not handle
    # who runs the counter, as residents should read it (a city, its 社協); unset: each
    # language's own word for "the city" (dialogs/data/<lang>.yaml operator_default)
    operator_name: str = ""
    elder_abuse_phone: str | None = None  # the city's line for abuse of elderly / disabled people

    @property
    def city_numbers(self) -> dict[str, str]:
        """The city's own numbers for the crisis answer, by the setting name the data uses."""
        numbers = {"TSUNAGU_OFFICE_PHONE": self.office_phone, "TSUNAGU_COUNTER_PHONE": self.office_phone,
                   "TSUNAGU_ELDER_ABUSE_PHONE": self.elder_abuse_phone}
        return {name: number for name, number in numbers.items() if number}
    # on-call alert for urgent intakes opened after hours (workers/alerts.py)
    oncall_email: str | None = None
    oncall_webhook_url: str | None = None
    smtp_url: str | None = None  # smtp://user:password@host:port (smtps:// for TLS; ?starttls=1)
    mail_from: str = "tsunagu@localhost"
    public_url: str = "http://127.0.0.1:5000"  # links in alerts
    oncall_enabled: bool = True
    claim_timeout_hours: float = 72.0  # a claimed case untouched this long returns to the queue
    # seconds between the attempts of a failed job (LINE 429/5xx, Redis or the database away);
    # None: workers.jobs.RETRY_INTERVALS. With Redis the worker that runs the job decides.
    job_retry_intervals: tuple[float, ...] | None = None

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> Settings:
        """The settings, or SettingsError naming every variable that could not be read."""
        settings, problems = cls.load(env)
        if problems:
            raise SettingsError(problems)
        return settings

    @classmethod
    def load(cls, env: os._Environ | dict | None = None) -> tuple[Settings, list[tuple[str, str]]]:
        """The settings and the problems found, (variable, what to write) each; a variable
        that could not be read keeps its default here (for `tsunagu check`)."""
        env = os.environ if env is None else env
        problems: list[tuple[str, str]] = []

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value else None

        def parsed(name: str, parse: Callable[[str], T], default=None):
            raw = get(name)
            if raw is None:
                return default
            try:
                return parse(raw)
            except ValueError as exc:
                problems.append((name, str(exc)))
                return default

        settings = cls(
            database_url=get("DATABASE_URL"),
            redis_url=get("REDIS_URL"),
            secret_key=get("SECRET_KEY"),
            line_channel_secret=parsed("LINE_CHANNEL_SECRET", _no_whitespace),
            line_channel_access_token=parsed("LINE_CHANNEL_ACCESS_TOKEN", _no_whitespace),
            line_api_base_url=(get("LINE_API_BASE_URL") or DEFAULT_LINE_API).rstrip("/"),
            coordinator_label=get("TSUNAGU_COORDINATOR_LABEL") or "相談支援包括化推進員",
            demo_password=get("TSUNAGU_DEMO_PASSWORD"),
            secure_cookies=parsed("TSUNAGU_SECURE_COOKIES", _bool, False),
            office_phone=get("TSUNAGU_OFFICE_PHONE"),
            operator_name=get("TSUNAGU_OPERATOR_NAME") or "",
            elder_abuse_phone=get("TSUNAGU_ELDER_ABUSE_PHONE"),
            oncall_email=get("TSUNAGU_ONCALL_EMAIL"),
            oncall_webhook_url=get("TSUNAGU_ONCALL_WEBHOOK_URL"),
            smtp_url=get("TSUNAGU_SMTP_URL"),
            mail_from=get("TSUNAGU_MAIL_FROM") or "tsunagu@localhost",
            public_url=(get("TSUNAGU_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
            oncall_enabled=parsed("TSUNAGU_ONCALL_ENABLED", _bool, True),
            metrics_token=parsed("TSUNAGU_METRICS_TOKEN", _no_whitespace),
            health_max_event_age=parsed("TSUNAGU_HEALTH_MAX_EVENT_AGE", _seconds),
            job_retry_intervals=parsed("TSUNAGU_JOB_RETRY_INTERVALS", _intervals),
            claim_timeout_hours=parsed("TSUNAGU_CLAIM_TIMEOUT_HOURS", _hours, 72.0),
        )
        # read where they are used (console/hardening.py, workers/retention.py), by the same
        # functions: checked here too, so a bad value stops the start and `tsunagu check` names it
        parsed("TSUNAGU_TRUSTED_PROXIES", _trusted_proxies)
        parsed("TSUNAGU_RETENTION_YEARS", _retention_years)
        return settings, problems
