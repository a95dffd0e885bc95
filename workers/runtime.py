"""What jobs need from the outside world, configured once per process (app or worker)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from console.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    jobs: object  # InProcessJobs | RQJobs
    line_sender_factory: Callable[[], object] | None = None


_runtime: Runtime | None = None


def configure(settings: Settings, jobs) -> Runtime:
    global _runtime
    from models.db import init_engine

    init_engine(settings.database_url)
    factory = None
    if settings.line_enabled:
        from bot.line.sender import LineSender

        sender = LineSender(settings.line_api_base_url, settings.line_channel_access_token)

        def factory():  # one per process: it keeps its connections to LINE alive
            return sender

    _runtime = Runtime(settings=settings, jobs=jobs, line_sender_factory=factory)
    return _runtime


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("workers.runtime.configure() was not called in this process")
    return _runtime
