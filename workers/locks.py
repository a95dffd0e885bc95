"""One lock per channel user, so one person's messages are handled one at a time, in order.

Three kinds, strongest available first:
- Redis (`redis=`): LINE events handled by RQ workers on any host;
- PostgreSQL advisory lock (`engine=` on PostgreSQL): web-chat requests served by several
  web processes, which share the database but maybe not Redis;
- a lock in this process: the embedded default (SQLite, one web process).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import threading
import time
from contextlib import contextmanager

from redis.exceptions import LockError
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
              key: str | None = None, clearing: str | None = None):
    """`key`: the lock_key of the user, when the caller has it and not the user id.
    `clearing`: a Redis key deleted in the same round trip as the lock is first tried."""
    name = f"tsunagu:lock:{channel}:{key or lock_key(user_key)}"
    if redis is not None:
        with _redis_lock(redis, name, timeout, clearing):
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


POLL = 0.01  # seconds between tries of a taken Redis lock (redis-py's Lock: 0.1)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@contextmanager
def _redis_lock(redis, name: str, timeout: float, clearing: str | None = None):
    """SET NX PX with a random token, released by a script that deletes it only if it still
    holds our token (as redis-py's Lock does, without its uuid1 and thread-local per use; one
    round trip each way). Taken longer than `timeout`: LockError, so the job is retried later
    instead of racing. A lock that expired while held is only logged at release: the work is
    committed by then, and a retry would find nothing to do."""
    token = secrets.token_hex(16)
    deadline = time.monotonic() + timeout
    while True:
        if clearing is not None:
            with redis.pipeline(transaction=False) as pipe:
                taken = pipe.delete(clearing).set(name, token, nx=True, px=int(timeout * 1000)).execute()[1]
            clearing = None
        else:
            taken = redis.set(name, token, nx=True, px=int(timeout * 1000))
        if taken:
            break
        if time.monotonic() > deadline:
            raise LockError(f"lock {name[:24]}… still taken after {timeout} s")
        time.sleep(POLL)
    try:
        yield
    finally:
        if not _release_script(redis)(keys=[name], args=[token]):
            log.warning("lock %s… had expired before it was released", name[:24])


@functools.lru_cache(maxsize=8)
def _release_script(redis):
    return redis.register_script(_RELEASE)  # EVALSHA, loading the script again if Redis lost it


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
