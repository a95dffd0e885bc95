"""`tsunagu serve`: the production web process.

With REDIS_URL (jobs in RQ workers) the app runs under granian on Linux: several web
processes, each importing `console.wsgi:app`, with a few threads each, so the webhook is never
queued behind one busy interpreter. granian parses HTTP in Rust: measured with
benchmarks/load.py (16 connections, the same app and machine) it acknowledged 15-30 % more
webhooks per second than gunicorn's gthread workers, at a lower p99. Without Redis the
in-process job thread and its per-user locks live in one process, so a single multi-threaded
waitress process serves (it is also what runs where granian cannot). Flask's development
server is never used.
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


def serve(app, host: str, port: int, workers: int | None = None, threads: int | None = None) -> None:
    settings = app.config["TSUNAGU"]
    if settings.redis_url and sys.platform.startswith("linux"):
        _granian(host, port, workers or default_workers(), threads or DEFAULT_THREADS)
    else:
        serve_single(app, host, port)


def serve_single(app, host: str, port: int, threads: int = 16) -> None:
    from waitress import serve as waitress_serve

    # small bodies only: the LINE webhook (4 MiB) is the largest thing we accept
    waitress_serve(app, host=host, port=port, threads=threads, ident="tsunagu",
                   max_request_body_size=8 * 1024 * 1024, connection_limit=1000)


def _granian(host: str, port: int, workers: int, threads: int) -> None:
    """The app was created (and the database migrated) in this process already; each web
    process creates its own (its own database pool and Redis connections)."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian("console.wsgi:app", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
            blocking_threads=threads, respawn_failed_workers=True, workers_kill_timeout=20,
            log_access=False).serve()
