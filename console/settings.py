"""Settings from the environment, parsed strictly (junk is an error, not a silent default)."""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_LINE_API = "https://api.line.me"


def parse_bool(name: str, raw: str | None, default: bool = False) -> bool:
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true/false, got {raw!r}")


def parse_hours(name: str, raw: str | None, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of hours, got {raw!r}") from None
    if not 0 < value < 24 * 365:
        raise ValueError(f"{name} must be more than 0 and less than a year, got {raw!r}")
    return value


def parse_intervals(name: str, value: str | None) -> tuple[float, ...] | None:
    """"2,10,30" -> (2.0, 10.0, 30.0); junk is an error, not a default."""
    if value is None:
        return None
    try:
        intervals = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise ValueError(f"{name} must be seconds separated by commas, e.g. 2,10,30") from None
    if any(i < 0 for i in intervals):
        raise ValueError(f"{name}: intervals cannot be negative")
    return intervals


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
    def from_env(cls, env: os._Environ | dict | None = None) -> "Settings":
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value else None

        return cls(
            database_url=get("DATABASE_URL"),
            redis_url=get("REDIS_URL"),
            secret_key=get("SECRET_KEY"),
            line_channel_secret=get("LINE_CHANNEL_SECRET"),
            line_channel_access_token=get("LINE_CHANNEL_ACCESS_TOKEN"),
            line_api_base_url=(get("LINE_API_BASE_URL") or DEFAULT_LINE_API).rstrip("/"),
            coordinator_label=get("TSUNAGU_COORDINATOR_LABEL") or "相談支援包括化推進員",
            demo_password=get("TSUNAGU_DEMO_PASSWORD"),
            secure_cookies=parse_bool("TSUNAGU_SECURE_COOKIES", get("TSUNAGU_SECURE_COOKIES")),
            office_phone=get("TSUNAGU_OFFICE_PHONE"),
            operator_name=get("TSUNAGU_OPERATOR_NAME") or "",
            elder_abuse_phone=get("TSUNAGU_ELDER_ABUSE_PHONE"),
            oncall_email=get("TSUNAGU_ONCALL_EMAIL"),
            oncall_webhook_url=get("TSUNAGU_ONCALL_WEBHOOK_URL"),
            smtp_url=get("TSUNAGU_SMTP_URL"),
            mail_from=get("TSUNAGU_MAIL_FROM") or "tsunagu@localhost",
            public_url=(get("TSUNAGU_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
            oncall_enabled=parse_bool("TSUNAGU_ONCALL_ENABLED", get("TSUNAGU_ONCALL_ENABLED"), default=True),
            metrics_token=get("TSUNAGU_METRICS_TOKEN"),
            health_max_event_age=float(get("TSUNAGU_HEALTH_MAX_EVENT_AGE")) if get("TSUNAGU_HEALTH_MAX_EVENT_AGE") else None,
            job_retry_intervals=parse_intervals("TSUNAGU_JOB_RETRY_INTERVALS", get("TSUNAGU_JOB_RETRY_INTERVALS")),
            claim_timeout_hours=parse_hours("TSUNAGU_CLAIM_TIMEOUT_HOURS", get("TSUNAGU_CLAIM_TIMEOUT_HOURS"), 72.0),
        )
