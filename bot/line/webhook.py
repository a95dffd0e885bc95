"""POST /callback: verify the signature over the raw body, store each event once, enqueue, 200.

The acknowledgement path is short on purpose (LINE waits for it, and retries a slow one):
the body is read once under a size limit, checked with the SDK's signature validator and
parsed once; all its events are written in one statement (INSERT … ON CONFLICT DO NOTHING,
so a redelivery is a no-op) and one job per resident is queued in one Redis round trip, shared
with the webhooks other threads of the process hold at the same moment (group_store).
No LINE API call happens here; the worker answers.

A correctly signed body always gets 200, even when some of its events are malformed: those
are stored as failed (visible to admins) and skipped, so LINE does not redeliver the whole
batch and the good events are processed. When the database is unavailable, nothing is
stored and the answer is 503 (within models.db.CONNECT_TIMEOUT): LINE redelivers it.
"""
from __future__ import annotations

import logging

from linebot.v3 import SignatureValidator

from bot.sanitize import loads
from models.db import database_unavailable
from workers import runtime
from workers.locks import lock_key

from .events_in import prepare, store
from .group_store import GroupStore, StoreUnavailable

log = logging.getLogger(__name__)

PATH = "/callback"
# LINE webhooks are small: a text message is at most 5,000 characters (30 KB even written
# as \uXXXX escapes) and an ordinary event is under 1 KB, so 4 MiB holds a batch of several
# thousand events yet stops a client from making us buffer hundreds of megabytes before the
# signature check can refuse it.
MAX_WEBHOOK_BYTES = 4 * 1024 * 1024
_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"), ("Server", "tsunagu")]


class WebhookFirst:
    """WSGI middleware: POST /callback is answered here, before Flask; every other request
    goes on to the app. Measured with benchmarks/load.py, Flask's request handling (request
    context, the rate limiter's and the login's before-request hooks, the security headers,
    none of which the webhook uses) was most of the acknowledgement's CPU."""

    def __init__(self, app, channel_secret: str):
        self.app = app
        self.validator = SignatureValidator(channel_secret)
        self.group = GroupStore(store_and_enqueue, unavailable=database_unavailable)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        status, text = self.acknowledge(environ)
        body = text.encode()
        headers = [*_HEADERS, ("Content-Length", str(len(body)))]
        if status.startswith("405"):
            headers.append(("Allow", "POST"))
        start_response(status, headers)
        return [body]

    def acknowledge(self, environ) -> tuple[str, str]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", "POST only"
        signature = environ.get("HTTP_X_LINE_SIGNATURE")
        if not signature:
            return "400 Bad Request", "missing X-Line-Signature"
        raw = _read_body(environ)
        if raw is None:
            return "413 Request Entity Too Large", "webhook body too large"
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return "400 Bad Request", "webhook body is not UTF-8"
        if not self.validator.validate(body, signature):
            return "403 Forbidden", "bad signature"
        try:
            parsed = loads(body)  # too deeply nested is malformed too (a 400, not a RecursionError)
        except ValueError:
            return "400 Bad Request", "malformed webhook body"
        events = parsed.get("events") if isinstance(parsed, dict) else None
        if events is None:
            events = []
        if not isinstance(events, list):
            return "400 Bad Request", "malformed webhook body"
        if events:
            try:
                self.group.submit([prepare(event) for event in events])
            except StoreUnavailable:
                # not stored, so not acknowledged: LINE redelivers it (the event ids make a
                # redelivery of what was stored after all a no-op)
                log.warning("webhook of %d event(s) not stored: database unavailable; answered 503", len(events))
                return "503 Service Unavailable", "database unavailable, please redeliver"
        return "200 OK", "OK"


def _read_body(environ) -> bytes | None:
    """The body, or None when it is over MAX_WEBHOOK_BYTES (refused from Content-Length alone
    when it is given, so nothing is read)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size > MAX_WEBHOOK_BYTES:
            return None
        if size >= 0:
            return stream.read(size)
    raw = stream.read(MAX_WEBHOOK_BYTES + 1)  # chunked: read at most one byte past the limit
    return None if len(raw) > MAX_WEBHOOK_BYTES else raw


def store_and_enqueue(rows: list[dict]) -> None:
    enqueue_users(store(rows))


def enqueue_users(users: dict[str, int]) -> None:
    if not users:
        return
    try:
        runtime.current().jobs.enqueue_events(list(users.values()), [lock_key(u) for u in users])
    except Exception as exc:
        # the events are stored: the inbox sweep picks them up when the queue is back
        log.warning("could not enqueue %d job(s) (%s); the stored events wait for the inbox sweep",
                    len(users), type(exc).__name__)
