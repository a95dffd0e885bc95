"""Rate limits (Flask-Limiter): counters in Redis when REDIS_URL is set, so every web
process shares them; in memory for the demo's single process.

A flood from one client (a script filing hundreds of fake crisis intakes, or guessing
passwords) is refused with a kind 429 before it reaches the database. The limits are generous
for a person: a resident taps or types at most a few times a minute, and an office behind one
address (a library, a 社協 counter) still has room for many residents at once.
"""
from __future__ import annotations

import hashlib
from contextlib import ExitStack, contextmanager

from flask import Flask, current_app, request, session
from flask_limiter import Limiter

CHAT_PER_VISITOR = "30 per minute;300 per hour"
CHAT_PER_ADDRESS = "120 per minute;2000 per hour"
LOGIN_PER_ADDRESS = "20 per minute;200 per hour"
LOGIN_PER_ACCOUNT = "10 per minute;60 per hour"  # and a lockout after repeated failures (console/lockout.py)


def _digest(value: str) -> str:
    """Counters are keyed by a digest: no address or account name is written to Redis."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def address_key() -> str:
    return "addr:" + _digest(request.remote_addr or "-")


def visitor_key() -> str:
    visitor = session.get("chat_visitor")
    return "visitor:" + _digest(visitor) if isinstance(visitor, str) else address_key()


def account_key() -> str:
    username = (request.form.get("username") or "").strip().casefold()
    return "account:" + _digest(username)


def init_app(app: Flask, redis_url: str | None) -> Limiter:
    limiter = Limiter(address_key, app=app, storage_uri=redis_url or "memory://",
                      key_prefix="tsunagu-limits", headers_enabled=True)
    app.extensions["tsunagu_limiter"] = limiter
    return limiter


@contextmanager
def limited(*limits: tuple[str, object, str]):
    """Count this request against each (limit, key function, scope); 429 when one is spent."""
    limiter: Limiter = current_app.extensions["tsunagu_limiter"]
    with ExitStack() as stack:
        for value, key_func, scope in limits:
            stack.enter_context(limiter.limit(value, key_func=key_func, scope=scope))
        yield


def chat_message():
    return limited((CHAT_PER_VISITOR, visitor_key, "chat-visitor"), (CHAT_PER_ADDRESS, address_key, "chat-address"))


def login_attempt():
    return limited((LOGIN_PER_ADDRESS, address_key, "login-address"), (LOGIN_PER_ACCOUNT, account_key, "login-account"))
