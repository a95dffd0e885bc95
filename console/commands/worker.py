"""`tsunagu worker`: RQ job loops that do not fork a process per job.

RQ's default Worker forks a "work horse" for every job; each fresh process then loads the
Sudachi dictionary on its first classify() (about 1.7 s), so every job paid it again. Here
the dictionary is loaded once and jobs run in the worker process itself (rq.SimpleWorker;
workers.rq_worker keeps residents' words out of its failure logs and records).
A job mostly waits (database commits, LINE calls), so one process runs a few job loops in
threads (`--threads`); one resident's events stay in order through the per-user lock.
A job that dies with the process is recovered by the inbox sweep: events and outbox rows
are in the database, and every step is idempotent.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from rq.timeouts import TimerDeathPenalty

from workers.rq_worker import PrivateWorker

log = logging.getLogger(__name__)


class ThreadWorker(PrivateWorker):
    """A job loop in a non-main thread: only the main thread may install signal handlers;
    it stops these loops when it is asked to stop. Job timeouts use a timer, not SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


def run_worker(app, burst: bool = False, start_periodic=None, threads: int = 4) -> int:
    from dialogs.understanding import warm_up
    from workers import runtime
    from workers.events import sweep_inbox

    jobs = runtime.current().jobs
    warm_up()
    with app.app_context():
        # events stored while no worker (or no Redis) was running, or whose worker died: a second
        # job for an event already queued is harmless (per-user lock, done work is skipped)
        sweep_inbox(older_than=timedelta(0))
        if start_periodic is not None:
            start_periodic()
        loops = [ThreadWorker([jobs.queue], connection=jobs.connection) for _ in range(max(0, threads - 1))]
        running = [threading.Thread(target=_work, args=(w, burst), name=f"rq-loop-{n}", daemon=True)
                   for n, w in enumerate(loops)]
        for thread in running:
            thread.start()
        PrivateWorker([jobs.queue], connection=jobs.connection).work(
            with_scheduler=True, burst=burst, logging_level="WARNING")
        for loop in loops:
            loop._stop_requested = True  # finish the current job, then stop
        for thread in running:
            thread.join(timeout=30 if burst else 5)
    return 0


def _work(worker: PrivateWorker, burst: bool) -> None:
    worker.work(burst=burst, logging_level="WARNING")
