"""`tsunagu db upgrade` and `tsunagu check`: deployment steps an operator runs by hand."""
from __future__ import annotations

import os

from console.settings import Settings


def database_url(settings: Settings, instance: str | None = None) -> str:
    from models.db import default_url

    return settings.database_url or default_url(instance or os.path.abspath("instance"))


def db_upgrade(settings: Settings) -> int:
    from models.migrate import current, upgrade

    url = database_url(settings)
    upgrade(url)
    print(f"database {url.split('@')[-1]} is at revision {current(url)}")
    return 0


def check(settings: Settings, out=print) -> int:
    """Each check prints one line, OK or NG with what to do; exit status 1 if any is NG."""
    results: list[tuple[bool, str]] = []

    def note(ok: bool, message: str) -> None:
        results.append((ok, message))
        out(f"{'OK' if ok else 'NG'}  {message}")

    note(bool(settings.secret_key) and len(settings.secret_key) >= 32,
         "SECRET_KEY is set (32+ characters)" if settings.secret_key and len(settings.secret_key) >= 32
         else "SECRET_KEY must be set to a random value of 32+ characters (e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
    url = database_url(settings)
    try:
        from models.migrate import current, head

        now, newest = current(url), head()
        note(now == newest, f"database reachable, schema at {now}" if now == newest
             else f"database reachable but schema at {now}, newest {newest}: run `tsunagu db upgrade`")
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        note(False, f"database not reachable ({type(exc).__name__}): check DATABASE_URL")
    if settings.redis_url:
        try:
            from redis import Redis

            Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
            note(True, "Redis reachable")
        except Exception as exc:  # noqa: BLE001
            note(False, f"Redis not reachable ({type(exc).__name__}): check REDIS_URL")
    else:
        note(True, "REDIS_URL not set: LINE events are processed inside the web process (one process only)")
    if settings.line_channel_secret or settings.line_channel_access_token:
        if not settings.line_enabled:
            note(False, "set both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (only one is set)")
        else:
            note(len(settings.line_channel_secret) == 32,
                 "LINE_CHANNEL_SECRET looks like a channel secret" if len(settings.line_channel_secret) == 32
                 else "LINE_CHANNEL_SECRET should be the 32-character channel secret from the LINE Developers console")
            from bot.line.setup import LineSetup

            ok, detail = LineSetup(settings.line_api_base_url, settings.line_channel_access_token).bot_info()
            note(ok, f"LINE access token valid (bot {detail})" if ok
                 else f"LINE access token refused ({detail}): issue a new long-lived token")
    else:
        note(True, "LINE not configured: only the web chat is served")
    return 0 if all(ok for ok, _ in results) else 1
