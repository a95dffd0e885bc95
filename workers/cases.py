"""Periodic case work: claimed cases nobody touched return to the queue.

Scheduled by the worker's periodic table (workers/schedule.py); idempotent, so running it
twice or late does no harm."""
from __future__ import annotations

import logging
from datetime import timedelta

from models.db import session_scope

log = logging.getLogger(__name__)


def release_stale_claims() -> int:
    from console import config_store
    from console.cases import release_stale_claims as release

    with session_scope() as session:
        # 管理 → 設定, defaulting to TSUNAGU_CLAIM_TIMEOUT_HOURS
        hours = config_store.get(session, "claim_timeout_hours")
        released = release(session, timedelta(hours=float(hours)))
    if released:
        log.info("returned %d untouched claimed case(s) to the queue", len(released))
    return len(released)
