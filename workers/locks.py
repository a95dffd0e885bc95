"""One lock per channel user, so one person's messages are handled one at a time, in order."""
from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager

_local_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def user_lock(channel: str, user_key: str, redis=None, timeout: int = 60):
    # a digest, not the LINE user id: Redis keys are personal data otherwise
    name = f"tsunagu:lock:{channel}:{hashlib.sha256(user_key.encode()).hexdigest()[:32]}"
    if redis is not None:
        # blocking_timeout raises LockError, so RQ retries the job later instead of racing
        with redis.lock(name, timeout=timeout, blocking_timeout=timeout):
            yield
        return
    with _guard:
        lock = _local_locks.setdefault(name, threading.Lock())
    with lock:
        yield
