"""A worker readies itself before its first event, so the first residents after a start or a
deploy are not the ones who pay for it: measured with benchmarks/load.py, a cold event loop
answered its first event in 62 ms where a warm one took 11 ms, and 200 residents arriving at
once on freshly started workers waited 0.3 s longer for their first reply.

What the first event would otherwise do once per process (or per connection): read the
wording and the classifier's model, build the dialog's caches, turn the first replies into
the LINE SDK's form, configure the ORM's mappers, compile its queries, and open the database
and Redis connections each event loop uses. Nothing is written and nothing is sent."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import configure_mappers

log = logging.getLogger(__name__)

# typed by the warm-up's imaginary residents: a greeting, and a worry the classifier reads
WARM_WORDS = ("こんにちは", "家賃がはらえなくて、こまっています")


def warm_worker(connections: int = 4) -> None:
    """The classifier's dictionary (~1.7 s) and the wording files first: a broken one stops the
    start, as it would every event. The rest is also done lazily on first use; a failure there
    only means it is."""
    from dialogs.texts import preload
    from dialogs.understanding import warm_up

    warm_up()
    preload()
    for part in (_dialogs, configure_mappers, _queries):
        try:
            part()
        except Exception as exc:  # noqa: BLE001 - the worker must start anyway
            log.warning("warm-up: %s skipped (%s)", getattr(part, "__name__", part), type(exc).__name__)
    try:
        _connections(connections)
    except Exception as exc:  # noqa: BLE001 - database or Redis away: the event loops wait for them
        log.warning("warm-up: connections not opened (%s)", type(exc).__name__)


def warm_in_process(app, jobs) -> threading.Thread:
    """The embedded default's jobs run in the web process: warm it up beside the server
    starting. Until it is done, /healthz says "jobs": "warming" with a 503, so a load balancer
    (or a benchmark) waits for it."""
    jobs.warming = True

    def warm() -> None:
        try:
            with app.app_context():
                warm_worker(connections=jobs.size)
        except Exception as exc:  # noqa: BLE001 - the first events then load it themselves
            log.warning("warm-up: stopped early (%s)", type(exc).__name__)
        finally:
            jobs.warming = False

    thread = threading.Thread(target=warm, name="warm-up", daemon=True)
    thread.start()
    return thread


def _dialogs() -> None:
    """A first turn in every language, rendered as the LINE SDK sends it (its models are built
    once per message and cached: the greetings are the same for every new resident)."""
    from bot.line.render import render_batches
    from bot.line.sender import _messages
    from dialogs.engine import Context, step
    from dialogs.messages import Input, InputKind
    from dialogs.state import DialogState
    from dialogs.texts import LANGUAGES

    now = datetime.now(timezone.utc)
    for lang in LANGUAGES:
        state = DialogState(channel="line", lang=lang)
        for inp in (Input(InputKind.START), *(Input(InputKind.TEXT, text=w) for w in WARM_WORDS)):
            result = step(state, inp, Context(now=now))
            for batch in render_batches(result.messages):
                _messages(batch)
            state = result.state


def _queries() -> None:
    """The ORM queries of a resident's first message, compiled (SQLAlchemy caches the SQL)."""
    from sqlmodel import Session

    from models.db import get_engine

    from .conversation import load_conversation
    from .intakes import latest_open_intake

    with Session(get_engine()) as session, session.no_autoflush:  # closed unflushed: nothing written
        load_conversation(session, "line", "-warm-up-")
        latest_open_intake(session, "line", "-warm-up-")


def _connections(count: int) -> None:
    """One database connection per event loop, open in the pool (each checked out at the same
    time, so the pool keeps `count`), and Redis's."""
    from models.db import get_engine

    from . import runtime

    engine = get_engine()
    opened = [engine.connect() for _ in range(count)]
    try:
        for conn in opened:
            conn.execute(text("SELECT 1"))
    finally:
        for conn in opened:
            conn.close()
    redis = getattr(runtime.current().jobs, "connection", None)
    if redis is not None:
        redis.ping()
