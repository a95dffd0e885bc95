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
import multiprocessing.util
import os
import socket
import sys

log = logging.getLogger(__name__)


def port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (None: it can), checked before starting: granian
    shares a port with another process that asks to (a second `tsunagu serve` would quietly
    serve beside the first, both running jobs), and a port in use was a long traceback."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections closing are no bar
            probe.bind(address)
    except OSError as exc:
        return (f"cannot listen on {host}:{port} ({exc.strerror or exc}): another tsunagu serve or another "
                "program is using it")
    return None


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)


# threads per web process: the webhooks its threads hold at one moment are stored in one INSERT
# (bot.line.group_store), so more threads make fewer, larger INSERTs. benchmarks/load.py, 2 CPUs,
# no worker running: 2 threads acknowledged 2,419 events/s (p99 14.7 ms), 4: 3,240 (10.1 ms),
# 8: 3,701 (11.7 ms), 16: 3,732 (9.9 ms); with 2 workers, 8 did best (2,455/s, p99 20.7 ms).
DEFAULT_THREADS = 8


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
    """Without Redis the jobs run in the web process: at its start (and a restarted one's) the
    events and answers a stopped process left waiting are queued again at once (the periodic
    sweep would take a minute: a crisis must not wait for it), then its periodic jobs (the
    inbox sweep, reminders, on-call alerts) and its warm-up start (with Redis, `tsunagu worker`
    does all of this)."""
    from datetime import timedelta

    from workers import runtime
    from workers.events import sweep_inbox
    from workers.schedule import start_periodic
    from workers.warmup import warm_in_process

    if app.config["TSUNAGU"].redis_url:
        return
    with app.app_context():
        try:
            sweep_inbox(older_than=timedelta(0))
        except Exception as exc:  # noqa: BLE001 - the database away: the periodic sweep retries
            log.warning("start: waiting events not queued (%s)", type(exc).__name__)
    start_periodic(runtime.current().jobs)
    warm_in_process(app, runtime.current().jobs)
    # a stop lets the answer being sent finish: a multiprocessing finalizer runs at the exit of
    # a granian worker (a multiprocessing child, which skips atexit's handlers) and, through
    # multiprocessing's own atexit hook, of any other process
    multiprocessing.util.Finalize(None, runtime.current().jobs.close, exitpriority=10)


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
