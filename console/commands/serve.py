"""`tsunagu serve`: the production web process.

With REDIS_URL (jobs in RQ workers) the app runs under gunicorn on Linux: several worker
processes forked from one preloaded app, each with a few threads, so the webhook is never
queued behind one busy interpreter. Without Redis the in-process job thread and its per-user
locks live in one process, so a single multi-threaded waitress process serves (it is also
what runs where gunicorn cannot, e.g. Windows). Flask's development server is never used.
"""
from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def default_workers() -> int:
    return max(2, (os.cpu_count() or 1) * 2)


DEFAULT_THREADS = 4


def serve(app, host: str, port: int, workers: int | None = None, threads: int | None = None) -> None:
    settings = app.config["TSUNAGU"]
    if settings.redis_url and sys.platform.startswith("linux"):
        _gunicorn(app, host, port, workers or default_workers(), threads or DEFAULT_THREADS)
    else:
        serve_single(app, host, port)


def serve_single(app, host: str, port: int, threads: int = 16) -> None:
    from waitress import serve as waitress_serve

    # small bodies only: the LINE webhook (4 MiB) is the largest thing we accept
    waitress_serve(app, host=host, port=port, threads=threads, ident="tsunagu",
                   max_request_body_size=8 * 1024 * 1024, connection_limit=1000)


def _gunicorn(app, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    def post_fork(_server, _worker):
        # connections opened by the master (migrations) must not be shared by the children
        from models.db import get_engine

        get_engine().dispose(close=False)

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"{host}:{port}", "workers": workers, "threads": threads,
                "worker_class": "gthread", "preload_app": True, "post_fork": post_fork,
                "keepalive": 5, "timeout": 30, "graceful_timeout": 20,
                "limit_request_line": 8190, "accesslog": None, "proc_name": "tsunagu-serve",
                "control_socket_disable": True,  # several serve processes may share a host
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()
