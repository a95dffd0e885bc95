"""`tsunagu worker`: event loops for LINE events, and an RQ loop for everything else.

LINE events are the hot path. The webhook pushes their row ids onto a plain Redis list
(workers.jobs.EVENTS_LIST); `--threads` event loops in this process pop them and run the job
in the process itself. Measured with benchmarks/profile_worker.py, an RQ job per event cost
about as much as handling the event (RQ's bookkeeping: ~27 Redis round trips and ~5 ms of CPU
per job), and RQ's default Worker forked a process per job that loaded the Sudachi
dictionary again (1.7 s). A job mostly waits (database commits, LINE calls), so a few loops
share one process; one resident's events stay in order through the per-user lock.

The main thread runs an rq.SimpleWorker (no fork; workers.rq_worker keeps residents' words
out of its failure logs and records) with the scheduler: periodic jobs, alerts,
and the retries of an event job that failed in an event loop (workers.events.run_event).
A job that dies with the process is recovered by the inbox sweep: events and outbox rows are
in the database, and every step is idempotent.
"""
from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

from workers.rq_worker import PrivateWorker

log = logging.getLogger(__name__)

POP_WAIT = 1.0  # seconds an idle event loop waits on Redis before looking at the stop flag


def lower_priority(increment: int) -> None:
    """Let the web processes on the same host go first. LINE waits for the webhook's 200 and
    redelivers (or, in the end, gives up on) a slow one; a reply that comes a moment later
    is fine. Measured with benchmarks/load.py: at the same priority, two workers working
    through a burst took most of the CPU the acknowledgements needed."""
    if increment <= 0 or not hasattr(os, "nice"):
        return
    os.nice(increment)
    # With autogroup scheduling (Linux's default), nice only orders processes of the same
    # session, and a service started on its own (systemd, or setsid) is a session of its own:
    # the group's nice is what counts against the web processes. Lowering it needs no privilege.
    try:
        with open("/proc/self/autogroup", "w") as group:
            group.write(str(min(19, increment)))
    except OSError:
        pass


def run_worker(app, burst: bool = False, start_periodic=None, threads: int = 4) -> int:
    from workers import runtime
    from workers.events import sweep_inbox
    from workers.warmup import warm_worker

    jobs = runtime.current().jobs
    with app.app_context():
        warm_worker(connections=max(1, threads))
        # events stored while no worker (or no Redis) was running, or whose worker died: a second
        # job for an event already queued is harmless (per-user lock, done work is skipped)
        sweep_inbox(older_than=timedelta(0))
        if start_periodic is not None:
            start_periodic()
        stop = threading.Event()
        loops = [threading.Thread(target=event_loop, args=(jobs, stop, burst), name=f"event-loop-{n}", daemon=True)
                 for n in range(max(1, threads))]
        for thread in loops:
            thread.start()
        if burst:
            for thread in loops:
                thread.join()
        queue = jobs.worker_queue()
        PrivateWorker([queue], connection=queue.connection).work(
            with_scheduler=True, burst=burst, logging_level="WARNING")
        stop.set()  # finish the current event, then stop
        for thread in loops:
            thread.join(timeout=30 if burst else 5)
    return 0


def event_loop(jobs, stop: threading.Event, burst: bool = False) -> None:
    from workers.events import run_event

    while not stop.is_set():
        try:
            popped = jobs.pop_event(0 if burst else POP_WAIT)
        except Exception as exc:  # noqa: BLE001 - Redis away: wait; the inbox sweep covers the gap
            log.warning("event loop: cannot reach the queue (%s)", type(exc).__name__)
            stop.wait(POP_WAIT)
            continue
        if popped is None:
            if burst:
                return
            continue
        run_event(*popped)


def run_burst(jobs) -> None:
    """Everything queued, to the end, in this thread: events, then RQ jobs (retries, periodic),
    until both are empty (tests and benchmarks)."""
    while True:
        event_loop(jobs, threading.Event(), burst=True)
        PrivateWorker([jobs.queue], connection=jobs.connection).work(burst=True, logging_level="WARNING")
        if not jobs.events_waiting():
            return
