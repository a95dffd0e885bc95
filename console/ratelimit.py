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
from limits import parse

CHAT_PER_VISITOR = "30 per minute;300 per hour"
CHAT_PER_ADDRESS = "120 per minute;2000 per hour"
# a script that drops its cookie each time starts a new conversation per message: each one
# that reads as a crisis opens an urgent intake (and an after-hours alert), so new
# conversations per address are counted apart, tighter than messages
CHAT_NEW_PER_ADDRESS = "20 per 10 minutes;60 per hour"
# crisis messages refused by a limit are kept for staff, up to this many per address
KEPT_CRISIS_PER_ADDRESS = "60 per hour"
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


def chat_message(new_visitor: bool = False):
    limits = [(CHAT_PER_VISITOR, visitor_key, "chat-visitor"), (CHAT_PER_ADDRESS, address_key, "chat-address")]
    if new_visitor:
        limits.append((CHAT_NEW_PER_ADDRESS, address_key, "chat-new-visitor"))
    return limited(*limits)


def room_to_keep_refused_crisis() -> bool:
    """Counts one refused crisis message against the address; False once the budget is spent."""
    limiter: Limiter = current_app.extensions["tsunagu_limiter"]
    item = parse(KEPT_CRISIS_PER_ADDRESS)
    return limiter.limiter.hit(item, "kept-crisis", address_key())


def login_attempt():
    return limited((LOGIN_PER_ADDRESS, address_key, "login-address"), (LOGIN_PER_ACCOUNT, account_key, "login-account"))
