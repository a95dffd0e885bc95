"""Periodic jobs, declared as data. One timer thread enqueues them; with RQ each runs under
a stable job id, so a second scheduler never doubles them."""
from __future__ import annotations

import logging
import threading

from console.referrals import sweep_reminders

from .alerts import send_oncall_alerts
from .cases import release_stale_claims
from .events import sweep_inbox
from .retention import anonymise_closed_cases, expire_conversations, purge_delivered_copies
from .staff_messages import sweep_staff_messages

log = logging.getLogger(__name__)

PERIODIC = (
    # (job, every N seconds)
    (sweep_inbox, 60),
    (send_oncall_alerts, 30),
    (expire_conversations, 600),
    (purge_delivered_copies, 3600),
    (anonymise_closed_cases, 86400),
    (release_stale_claims, 600),  # claimed cases nobody touched go back to the queue
    (sweep_reminders, 3600),  # referrals unanswered past N business days
    (sweep_staff_messages, 60),  # staff replies to LINE still waiting to be sent
)


def start_periodic(jobs, stop: threading.Event | None = None) -> threading.Event:
    stop = stop or threading.Event()

    def loop(func, every):
        while not stop.wait(every):
            try:
                jobs.enqueue_periodic(func) if hasattr(jobs, "enqueue_periodic") else jobs.enqueue(func)
            except Exception:
                log.warning("could not schedule %s; will try again", func.__name__)

    for func, every in PERIODIC:
        threading.Thread(target=loop, args=(func, every), name=f"every-{func.__name__}", daemon=True).start()
    return stop
