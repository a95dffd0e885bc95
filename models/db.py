"""Engine and sessions. Nothing connects at import time; `init_engine` is called by the app."""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from psycopg.types.json import Json
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from . import limits  # noqa: F401  (registers the flush listener that makes every write fit)

_engine: Engine | None = None


def default_url(instance_path: str | os.PathLike) -> str:
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'tsunagu.sqlite3'}"


def make_engine(url: str) -> Engine:
    # hide_parameters: a failed statement's exception text (which reaches logs and RQ's
    # failed-job record) names the SQL only, never the values: residents' words, LINE ids
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")  # each commit on disk before it returns
            cursor.close()

        @event.listens_for(engine, "checkin")
        def _back_to_full(dbapi_connection, record):
            if record.info.pop(_RELAXED, False):
                dbapi_connection.execute("PRAGMA synchronous=FULL")

        return engine
    engine = create_engine(url, hide_parameters=True, connect_args=connect_args(url))
    _ping_when_idle(engine)
    return engine


CONNECT_TIMEOUT = 3  # seconds
# A database host that does not answer (down, or a network dropping packets) fails a new
# connection within CONNECT_TIMEOUT, and an open one once its data has gone unacknowledged for
# 15 s (tcp_user_timeout) or it has sat idle without answering keepalives for about 20 s, not
# after the OS's TCP timeouts of minutes: a webhook gets its 503 while LINE still waits, and
# `tsunagu serve` starting against such a host says so instead of hanging.
_PG_CONNECT_ARGS = {"connect_timeout": CONNECT_TIMEOUT, "keepalives": 1, "keepalives_idle": 10,
                    "keepalives_interval": 5, "keepalives_count": 2, "tcp_user_timeout": 15_000}


def connect_args(url: str) -> dict:
    """The driver's connection settings for `url` (PostgreSQL: the timeouts above)."""
    return dict(_PG_CONNECT_ARGS) if url.startswith("postgresql") else {}


def database_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or lost the connection (SQLAlchemy's or the
    driver's OperationalError), as opposed to a statement it refused: trying again later
    helps, trying again now does not."""
    import sqlite3

    import psycopg
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    # SQLAlchemy's, or the driver's own (the webhook's INSERT runs on the driver connection)
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, psycopg.OperationalError,
                            psycopg.InterfaceError, sqlite3.OperationalError, sqlite3.InterfaceError))


IDLE_PING = 10.0  # seconds: a pooled connection unused this long is checked before it is used


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for connections that sat idle: pinging on every checkout was
    one more round trip per transaction (a webhook: ping + INSERT). A connection in steady use
    was fine a moment ago; one that sat idle may have been cut (a database restart, a firewall
    timeout), and is then replaced before anyone uses it."""
    from sqlalchemy import exc

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since > IDLE_PING:
            try:
                alive = engine.dialect.do_ping(dbapi_connection)
            except Exception:  # noqa: BLE001 - any failure: take a new connection
                alive = False
            if not alive:
                raise exc.DisconnectionError()  # the pool discards it and connects again


def init_engine(url: str) -> Engine:
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url)
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        raise RuntimeError("database not initialised: call models.db.init_engine(url) first")
    return _engine


_SQLITE_WRITER = threading.RLock()


@contextmanager
def writer_turn():
    """SQLite takes one writer at a time, and a writer that finds it taken sleeps and looks
    again, longer each time (1, 2, 5 … 100 ms). The embedded default's own writers on the hot
    path (the webhook's INSERT, an event's transaction) queue here instead, each woken the
    moment the one before commits. PostgreSQL: nothing to wait for."""
    if get_engine().dialect.name != "sqlite":
        yield
        return
    with _SQLITE_WRITER:
        yield


_RELAXED = "tsunagu_synchronous_normal"


def redoable_commit(session) -> None:
    """For a transaction that is redone if lost (an event's step: the event stays waiting until
    it commits): on SQLite its commit is not written through to the disk at once but with the
    next commit that is (the webhook's INSERT, or a checkpoint), which saves a disk flush per
    event. A power cut in between loses only steps that are then done again, as after a crash;
    never a resident's stored words. Call first in the transaction. PostgreSQL: nothing."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
    connection.info[_RELAXED] = True  # kept with the DBAPI connection in the pool


@contextmanager
def session_scope():
    """One transaction: commit on success, roll back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def on_driver(session, sql: str, params: dict | list[dict] | None = None) -> list:
    """Run `sql` (psycopg's placeholders: %(name)s) on the driver's cursor of the session's own
    PostgreSQL connection, in its transaction, once for `params` (a dict) or once per row (a
    list of dicts), and return the rows it returned (a list; empty when none). Values that are
    dicts or lists go as JSON, as the tables' JSON columns take them. For the few statements of
    the hot path: SQLAlchemy's statement handling cost several times the statement itself
    (about 230 Python calls each, counted with benchmarks/profile_worker.py). Driver errors
    come out as SQLAlchemy's, as from session.execute (OperationalError for a lost server, with
    the connection invalidated, so the callers' handling is the same), and hide the parameters
    as the engine does."""

    def adapted(row: dict) -> dict:
        return {k: Json(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}

    connection = session.connection()
    dbapi = connection.dialect.loaded_dbapi
    try:
        with connection.connection.driver_connection.cursor() as cursor:
            if isinstance(params, list):
                cursor.executemany(sql, [adapted(row) for row in params])
            else:
                cursor.execute(sql, adapted(params) if params else params)
            return cursor.fetchall() if cursor.description is not None else []
    except dbapi.Error as exc:
        lost = connection.dialect.is_disconnect(exc, connection.connection, None)
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(sql, None, exc, dbapi.Error, hide_parameters=True,
                                  connection_invalidated=lost, dialect=connection.dialect) from exc
