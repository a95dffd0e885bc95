"""One lock per channel user, so one person's messages are handled one at a time, in order.

Three kinds, strongest available first:
- Redis (`redis=`): LINE events handled by RQ workers on any host;
- PostgreSQL advisory lock (`engine=` on PostgreSQL): web-chat requests served by several
  web processes, which share the database but maybe not Redis;
- a lock in this process: the embedded default (SQLite, one web process).
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

_local_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


class LockTimeout(RuntimeError):
    """The user's lock stayed taken longer than the timeout."""


def lock_key(user_key: str) -> str:
    """What names a user's lock: a digest, not the LINE user id (Redis keys and the events
    list would hold personal data otherwise)."""
    return hashlib.sha256(user_key.encode()).hexdigest()[:32]


@contextmanager
def user_lock(channel: str, user_key: str | None, redis=None, timeout: int = 60, engine=None,
              key: str | None = None):
    """`key`: the lock_key of the user, when the caller has it and not the user id."""
    name = f"tsunagu:lock:{channel}:{key or lock_key(user_key)}"
    if redis is not None:
        # blocking_timeout raises LockError, so RQ retries the job later instead of racing
        with redis.lock(name, timeout=timeout, blocking_timeout=timeout):
            yield
        return
    if engine is not None and engine.dialect.name == "postgresql":
        shared = _advisory_lock(engine, name, timeout)
        try:
            shared.__enter__()
        except (DBAPIError, LockTimeout) as exc:
            # the database is down or the lock is stuck: the resident must still be answered
            # (a crisis above all), so fall back to this process's lock
            log.warning("shared lock unavailable (%s); using the process lock", type(exc).__name__)
        else:
            try:
                yield
            finally:
                shared.__exit__(None, None, None)
            return
    with _guard:
        lock = _local_locks.setdefault(name, threading.Lock())
    with lock:
        yield


@contextmanager
def _advisory_lock(engine, name: str, timeout: float):
    """A session-level advisory lock on its own connection: held across the several
    transactions one message needs, released even if the request fails."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        # try-and-wait rather than pg_advisory_lock: a stuck holder gives a clear timeout,
        # not a request that hangs until the client gives up
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.rollback()
            if time.monotonic() > deadline:
                raise LockTimeout(f"lock {name[:24]}… still taken after {timeout} s")
            time.sleep(0.02)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
