"""Where jobs run: RQ on Redis when REDIS_URL is set, otherwise one in-process thread.

Either way a job is a plain module-level function called with plain arguments, so the
same code runs under `tsunagu worker` and inside the demo.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable

from .errors import describe

log = logging.getLogger(__name__)

EVENTS_QUEUE = "events"
# LINE events waiting for a worker, as webhook_event row ids (no personal data): a plain Redis
# list, popped by the worker's event loops. RQ's own bookkeeping (about 27 Redis round trips and
# 5 ms of worker CPU per job, measured with benchmarks/profile_worker.py) cost as much as handling
# the event itself; RQ still runs everything else, and the retries of an event that failed here.
EVENTS_LIST = "tsunagu:line-events"
RETRY_INTERVALS = [2, 10, 30, 120, 600]  # seconds; LINE 5xx/429 and Redis hiccups
# how long RQ keeps a failed job's record (failed registry, results stream): long enough to look
# at the next working day, short because it is about a resident's message (RQ's default: a year).
# The record holds the exception's type and place only (workers.rq_worker), never its text.
FAILURE_TTL = 24 * 3600


class InProcessJobs:
    """A few worker threads: jobs run off the request path, with the same retries. A job
    mostly waits (database commits, LINE calls), so several threads keep replies flowing
    while one waits; one person's events stay in order through the per-user lock."""

    def __init__(self, retry_intervals: list[float] | None = None, threads: int = 4):
        self._queue: queue.Queue = queue.Queue()
        self._intervals = RETRY_INTERVALS if retry_intervals is None else retry_intervals
        self._threads: list[threading.Thread] = []
        self.size = threads
        self.warming = False  # workers.warmup.warm_in_process is readying this process
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._running = 0  # jobs under way

    def enqueue(self, func: Callable, *args) -> None:
        self._queue.put((func, args, 0))
        self._ensure_thread()

    def enqueue_events(self, row_ids: list[int], lock_keys: list[str] | None = None, once: bool = True) -> None:
        from .events import process_line_events

        for row_id, key in zip(row_ids, lock_keys or [None] * len(row_ids)):
            self.enqueue(process_line_events, row_id, key)

    def _ensure_thread(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self.size:
                thread = threading.Thread(target=self._run, name=f"tsunagu-jobs-{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _run(self) -> None:
        while True:
            func, args, attempt = self._queue.get()
            if self._closing.is_set():  # stopping: its event waits in the database for the next start
                self._queue.task_done()
                continue
            with self._lock:
                self._running += 1
            try:
                func(*args)
            except Exception as exc:  # type and place only: the message may quote a resident
                log.warning("job %s failed (attempt %d): %s", func.__name__, attempt + 1, describe(exc))
                if attempt < len(self._intervals):
                    delay = self._intervals[attempt]
                    threading.Timer(delay, self._queue.put, [(func, args, attempt + 1)]).start()
            finally:
                with self._lock:
                    self._running -= 1
                self._queue.task_done()

    def close(self, timeout: float = 15.0) -> None:
        """At the process's exit: take no new job and let the ones under way finish, so an
        answer being sent is also recorded as sent (cut off, it was sent again after the
        restart). What was not started waits in the database; the next start queues it."""
        self._closing.set()
        deadline = time.monotonic() + timeout
        while self._running and time.monotonic() < deadline:
            time.sleep(0.02)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every queued job has run (tests and the demo's shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError("in-process jobs did not finish")
            time.sleep(0.01)


QUEUED_TTL = 60  # seconds a "job waiting" mark lives (see RQJobs.enqueue_events)
# KEYS[1]: the events list; ARGV[1]: QUEUED_TTL, then (item, mark) pairs. A script, so that the
# mark and the job are set together (a mark without its job would hold back the user's next one).
# Mark names are built by the caller and passed as values: one Redis, not a cluster.
_ENQUEUE_ONCE = """
for i = 2, #ARGV, 2 do
  if redis.call('SET', ARGV[i + 1], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('RPUSH', KEYS[1], ARGV[i])
  end
end
return 0
"""


def queued_mark(lock_key: str) -> str:
    """The Redis key saying that the user (by lock key) has a job waiting in the events list."""
    return f"tsunagu:queued:{lock_key}"


class RQJobs:
    def __init__(self, redis_url: str, retry_intervals: list[float] | None = None):
        from redis import Redis
        from rq import Queue

        self.url = redis_url
        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        self.queue = Queue(EVENTS_QUEUE, connection=self.connection)
        self._intervals = RETRY_INTERVALS if retry_intervals is None else retry_intervals
        self._enqueue_once = self.connection.register_script(_ENQUEUE_ONCE)

    def enqueue(self, func: Callable, *args) -> None:
        from rq import Retry

        self.queue.enqueue(func, *args, retry=Retry(max=len(self._intervals), interval=self._intervals),
                           result_ttl=0, failure_ttl=FAILURE_TTL)

    def enqueue_events(self, row_ids: list[int], lock_keys: list[str] | None = None, once: bool = True) -> None:
        """One round trip for all the events of a webhook, for the worker's event loops: "row
        id" or "row id:lock key" (workers.locks.lock_key, a digest), which spares the worker a
        transaction to find whose event it is before it can take their lock.

        `once`: a user who already has a job waiting gets no second one (their job handles all
        their waiting events when it runs: a resident's five quick messages were five jobs, four
        of which took the lock and a transaction to find nothing left). The job's mark is
        cleared when it starts (workers.events), so an event stored after that gets a job of its
        own; a mark outlives a lost job by QUEUED_TTL at most, and the inbox sweep (once=False)
        does not look at marks."""
        if not row_ids:
            return
        if not lock_keys:
            self.connection.rpush(EVENTS_LIST, *row_ids)
            return
        items = [f"{r}:{k}" for r, k in zip(row_ids, lock_keys)]
        if not once:
            self.connection.rpush(EVENTS_LIST, *items)
            return
        args = [QUEUED_TTL]
        for item, key in zip(items, lock_keys):
            args += [item, queued_mark(key)]
        self._enqueue_once(keys=[EVENTS_LIST], args=args)

    def pop_event(self, timeout: float = 0) -> tuple[int, str | None] | None:
        """The next waiting (event row id, lock key or None); wait up to `timeout` seconds
        (0: do not wait)."""
        if timeout:
            item = self.connection.blpop([EVENTS_LIST], timeout=timeout)
            item = item[1] if item else None
        else:
            item = self.connection.lpop(EVENTS_LIST)
        if item is None:
            return None
        row_id, _, key = item.decode().partition(":")
        return int(row_id), key or None

    def events_waiting(self) -> int:
        return self.connection.llen(EVENTS_LIST)

    def retry_later(self, func: Callable, *args) -> None:
        """A job that failed in an event loop becomes the RQ job it used to be: RQ runs it
        now and then again after each retry interval, its failure recorded as RQ keeps them."""
        self.enqueue(func, *args)

    def worker_queue(self):
        """The queue on a connection of its own for an RQ worker loop: RQ blocks on it for
        minutes, which the 5 s socket timeout of the shared connection would cut (the worker
        then logged 'could not connect to Redis' and slept 1, 2, 4, 8 s before looking again)."""
        from redis import Redis
        from rq import Queue

        return Queue(EVENTS_QUEUE, connection=Redis.from_url(self.url, socket_connect_timeout=2))

    def enqueue_periodic(self, func: Callable) -> None:
        """At most one copy of a periodic job, queued or running, whoever schedules it (every
        worker runs a scheduler). Enqueueing the id of a job still running overwrote it, and
        the two copies' clean-ups then failed (seen with a long inbox sweep)."""
        from rq.job import Job, JobStatus

        job_id = f"periodic-{func.__name__}"
        try:
            status = Job.fetch(job_id, connection=self.connection).get_status()
        except Exception:  # not there: done (and deleted, result_ttl=0) or never queued
            status = None
        if status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            return
        self.queue.enqueue(func, job_id=job_id, result_ttl=0, failure_ttl=FAILURE_TTL)


def make_jobs(redis_url: str | None, retry_intervals: list[float] | None = None):
    return RQJobs(redis_url, retry_intervals) if redis_url else InProcessJobs(retry_intervals)
