"""`tsunagu serve`: the production web process.

With REDIS_URL (jobs in RQ workers) the app runs under granian on Linux: several web
processes, each importing `console.wsgi:app`, with a few threads each, so the webhook is never
queued behind one busy interpreter. granian parses HTTP in Rust: measured with
benchmarks/load.py (16 connections, the same app and machine) it acknowledged 15-30 % more
webhooks per second than gunicorn's gthread workers, at a lower p99. Without Redis the
in-process jobs and their per-user locks live in one process, so granian runs one web
process (`console.wsgi_embedded:app`), which also runs the jobs: 200 residents at once were
answered at p95 0.73 s where the same on waitress took 1.5 s (its HTTP handling in Python
doubled the process's CPU per event). Where granian cannot run, one multi-threaded waitress
process serves (and `tsunagu demo`). Flask's development server is never used.
"""
from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)


# a thread waiting on the database leaves the interpreter to another; more than two mostly
# queued for the interpreter (benchmarks/load.py: 2 x 2 and 3 x 1 best on 2 CPUs)
DEFAULT_THREADS = 2


# the embedded default's one process also runs the jobs: threads for requests beside them
EMBEDDED_THREADS = 4


def serve(app, host: str, port: int, workers: int | None = None, threads: int | None = None) -> None:
    settings = app.config["TSUNAGU"]
    if not sys.platform.startswith("linux"):
        start_in_process_work(app)
        serve_single(app, host, port)
    elif settings.redis_url:
        _granian(host, port, workers or default_workers(), threads or DEFAULT_THREADS)
    else:
        # one web process: the in-process jobs and their per-user locks live in it
        if workers and workers > 1:
            log.warning("without REDIS_URL the jobs run in the web process: one web process, not %d", workers)
        _granian(host, port, 1, threads or EMBEDDED_THREADS, target="console.wsgi_embedded:app")


def start_in_process_work(app) -> None:
    """Without Redis the jobs run in the web process: its periodic jobs (the inbox sweep,
    reminders, on-call alerts) and its warm-up start there (with Redis, `tsunagu worker`)."""
    from workers import runtime
    from workers.schedule import start_periodic
    from workers.warmup import warm_in_process

    if app.config["TSUNAGU"].redis_url:
        return
    start_periodic(runtime.current().jobs)
    warm_in_process(app, runtime.current().jobs)


def serve_single(app, host: str, port: int, threads: int = 16) -> None:
    from waitress import serve as waitress_serve

    # small bodies only: the LINE webhook (4 MiB) is the largest thing we accept
    waitress_serve(app, host=host, port=port, threads=threads, ident="tsunagu",
                   max_request_body_size=8 * 1024 * 1024, connection_limit=1000)


def _granian(host: str, port: int, workers: int, threads: int, target: str = "console.wsgi:app") -> None:
    """The app was created (and the database migrated) in this process already; each web
    process creates its own (its own database pool and Redis connections)."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian(target, address=host, port=port, interface=Interfaces.WSGI, workers=workers,
            blocking_threads=threads, respawn_failed_workers=True, workers_kill_timeout=20,
            log_access=False).serve()
