"""Periodic case work: claimed cases nobody touched return to the queue.

Scheduled by the worker's periodic table (workers/schedule.py); idempotent, so running it
twice or late does no harm."""
from __future__ import annotations

import logging
from datetime import timedelta

from models.db import session_scope

from . import runtime

log = logging.getLogger(__name__)


def release_stale_claims() -> int:
    from console.cases import release_stale_claims as release

    hours = runtime.current().settings.claim_timeout_hours
    with session_scope() as session:
        released = release(session, timedelta(hours=hours))
    if released:
        log.info("returned %d untouched claimed case(s) to the queue", len(released))
    return len(released)
