"""Group commit for the acknowledgement: webhooks arriving together are stored together.

Under load several web threads of one process hold a verified webhook at the same moment, and
each used to make its own INSERT and its own RPUSH. Measured with benchmarks/load.py and no
worker running (so only the acknowledgement used the CPU), one webhook's INSERT cost about
0.14 ms of the web process's CPU and 0.17 ms of PostgreSQL's, of 0.68 ms in all: most of it
per statement, not per row. Here the first thread to arrive writes, in one INSERT and one
RPUSH, the events of every thread that came while it waited its turn; the others wait for it
(a thread with no one waiting beside it writes at once, as before). Each thread answers LINE
only after its events are stored, so nothing is acknowledged that is not in the database.

A statement that fails (PostgreSQL away, a row it refuses) fails every webhook in it; so a
group that fails is written again one webhook at a time, and only the webhooks that fail on
their own get the error (LINE redelivers them) — one bad webhook does not fail its neighbours.
Unless the database is unavailable (`unavailable(exc)`): then each webhook alone would only wait
for it again (a connect timeout each, one after the other), so every webhook of the group gets
StoreUnavailable at once, and so does every webhook in the next HOLD_OFF seconds without trying:
LINE is answered 503 in milliseconds and redelivers, and the web threads stay free for the rest.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

# rows of one INSERT (events_in.CHUNK writes larger groups in several statements, one transaction)
MAX_GROUP = 200
HOLD_OFF = 1.0  # seconds after the database was found unavailable
# seconds a webhook waits behind a write that has not come back: a database that keeps the
# connection but no longer answers (hung, or data acknowledged by something in between) is
# noticed by no timeout of the connection's, and every webhook queued behind it waited forever
WAIT_LIMIT = 10.0


class StoreUnavailable(RuntimeError):
    """The events were not stored: the database is unavailable (its error is the cause)."""


class _Waiter:
    __slots__ = ("rows", "done", "leads", "error")

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.done = threading.Event()
        self.leads = False  # woken to write the next group, not because its rows are written
        self.error: BaseException | None = None


class GroupStore:
    """`submit(rows)` returns once the rows are stored and queued by `write` (or raises what
    storing them raised). `write(rows)` is called with the rows of one or more webhooks."""

    def __init__(self, write: Callable[[list[dict]], None], max_group: int = MAX_GROUP,
                 unavailable: Callable[[BaseException], bool] = lambda exc: False, wait_limit: float = WAIT_LIMIT):
        self._write = write
        self._max = max_group
        self._unavailable = unavailable
        self._down_until = 0.0  # time.monotonic() until which submit fails without trying
        self._wait_limit = wait_limit
        self._lock = threading.Lock()
        self._waiting: list[_Waiter] = []
        self._writing = False  # a thread is writing a group; newcomers wait for the next one

    def submit(self, rows: list[dict]) -> None:
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("the database was unavailable a moment ago")
        me = _Waiter(rows)
        with self._lock:
            self._waiting.append(me)
            leads = not self._writing
            self._writing = True
        if not leads:
            if not me.done.wait(self._wait_limit) and self._give_up(me):
                self._down_until = time.monotonic() + HOLD_OFF
                raise StoreUnavailable(f"the write before this one has not come back in {self._wait_limit:g} s")
            me.done.wait()
            if not me.leads:  # written by the thread that led
                if me.error is not None:
                    raise me.error
                return
        self._lead()
        if me.error is not None:
            raise me.error

    def _give_up(self, me: _Waiter) -> bool:
        """Stop waiting, unless the turn to write was handed to `me` meanwhile (then it leads).
        Rows already taken into a group may still be stored; LINE's redelivery is then a no-op."""
        with self._lock:
            if me.leads:
                return False
            if me in self._waiting:
                self._waiting.remove(me)
            return True

    def _lead(self) -> None:
        """Write the waiting webhooks (up to MAX_GROUP rows), then hand the turn to the first
        thread still waiting, or end it. The leader's own rows are in the group it writes."""
        with self._lock:
            group, count = [], 0
            while self._waiting and (not group or count + len(self._waiting[0].rows) <= self._max):
                waiter = self._waiting.pop(0)
                group.append(waiter)
                count += len(waiter.rows)
        try:
            self._write_group(group)
        finally:
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.leads = True
                    successor.done.set()
                else:
                    self._writing = False
            for waiter in group:
                if not waiter.leads:
                    waiter.done.set()

    def _write_group(self, group: list[_Waiter]) -> None:
        if time.monotonic() < self._down_until:  # it waited behind the write that found it away
            for waiter in group:
                waiter.error = StoreUnavailable("the database was unavailable a moment ago")
            return
        try:
            self._write([row for waiter in group for row in waiter.rows])
            return
        except BaseException as exc:  # noqa: BLE001 - each webhook is tried on its own below
            if self._unavailable(exc) or len(group) == 1:
                for waiter in group:
                    waiter.error = self._failure(exc)
                return
        for waiter in group:
            try:
                self._write(waiter.rows)
            except BaseException as exc:  # noqa: BLE001 - its thread raises it
                waiter.error = self._failure(exc)

    def _failure(self, exc: BaseException) -> BaseException:
        """What the webhook's thread raises: the error, or StoreUnavailable (caused by it)."""
        if not self._unavailable(exc):
            return exc
        self._down_until = time.monotonic() + HOLD_OFF
        failure = StoreUnavailable("the database is unavailable")
        failure.__cause__ = exc
        return failure
