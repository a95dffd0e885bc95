"""Run the statistics' independent statements side by side on PostgreSQL, every one reading
the same snapshot, so the figures agree with each other exactly as if they were counted in one
transaction. On SQLite (the demo) they run one after the other on the caller's session.

The page's work is a dozen scans of 100,000-row tables; on one connection they queue behind
each other, on three they share the database server's cores.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from console import stats_sql as q

STREAMS = 3
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def run(session, jobs: dict[str, Callable[[Any], Any]], streams: int = STREAMS) -> dict[str, Any]:
    """{name: job(session)} for each job, the slowest first (list them in that order)."""
    if q.dialect(session) != "postgresql":
        return {name: job(session) for name, job in jobs.items()}
    engine = session.get_bind()
    local = threading.local()
    with ExitStack() as stack:
        leader = stack.enter_context(engine.connect().execution_options(isolation_level="REPEATABLE READ"))
        stack.enter_context(leader.begin())
        snapshot = leader.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        if not _SNAPSHOT_ID.fullmatch(snapshot):  # inlined below: SET takes no parameters
            raise RuntimeError("unexpected snapshot id")
        opened, lock = [], threading.Lock()

        def follower() -> Session:
            if not hasattr(local, "session"):
                connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
                with lock:
                    opened.append(connection)
                connection.begin()
                connection.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                local.session = Session(bind=connection)
                q.tune_for_reports(local.session)
                with lock:
                    opened.append(local.session)
            return local.session

        try:
            with ThreadPoolExecutor(max_workers=streams, thread_name_prefix="stats") as pool:
                futures = {name: pool.submit(lambda job=job: job(follower())) for name, job in jobs.items()}
                return {name: future.result() for name, future in futures.items()}
        finally:
            for resource in reversed(opened):  # sessions, then their connections; read only
                resource.close()
