"""POST /callback: verify the signature over the raw body, store each event once, enqueue, 200.

The acknowledgement path is short on purpose (LINE waits for it, and retries a slow one):
the body is read once under a size limit, checked with the SDK's signature validator and
parsed once; all its events are written in one statement (INSERT … ON CONFLICT DO NOTHING,
so a redelivery is a no-op) and one job per resident is queued in one Redis round trip.
No LINE API call happens here; the worker answers.

A correctly signed body always gets 200, even when some of its events are malformed: those
are stored as failed (visible to admins) and skipped, so LINE does not redeliver the whole
batch and the good events are processed.
"""
from __future__ import annotations

import json
import logging

from flask import Blueprint, abort, current_app, request
from linebot.v3 import SignatureValidator

from workers import runtime

from .events_in import prepare, store

log = logging.getLogger(__name__)
bp = Blueprint("line", __name__)

# LINE webhooks are small: a text message is at most 5,000 characters (30 KB even written
# as \uXXXX escapes) and an ordinary event is under 1 KB, so 4 MiB holds a batch of several
# thousand events yet stops a client from making us buffer hundreds of megabytes before the
# signature check can refuse it.
MAX_WEBHOOK_BYTES = 4 * 1024 * 1024


@bp.post("/callback")
def callback():
    signature = request.headers.get("X-Line-Signature")
    if not signature:
        abort(400, "missing X-Line-Signature")
    request.max_content_length = MAX_WEBHOOK_BYTES  # 413 before reading a bigger body
    raw = request.get_data(cache=False)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "webhook body is not UTF-8")
    if not SignatureValidator(current_app.config["TSUNAGU"].line_channel_secret).validate(body, signature):
        abort(403, "bad signature")
    try:
        parsed = json.loads(body)
    except ValueError:
        abort(400, "malformed webhook body")
    events = parsed.get("events") if isinstance(parsed, dict) else None
    if events is None:
        events = []
    if not isinstance(events, list):
        abort(400, "malformed webhook body")
    users = store([prepare(event) for event in events])
    enqueue_users(users)
    return "OK", 200


def enqueue_users(users: dict[str, int]) -> None:
    if not users:
        return
    try:
        runtime.current().jobs.enqueue_events(list(users.values()))
    except Exception as exc:
        # the events are stored: the inbox sweep picks them up when the queue is back
        log.warning("could not enqueue %d job(s) (%s); the stored events wait for the inbox sweep",
                    len(users), type(exc).__name__)
