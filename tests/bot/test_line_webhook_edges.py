"""Hostile but correctly signed webhook bodies (issue 9 items 2, 8 and 14), on SQLite and on
PostgreSQL + Redis/RQ: 200 for a signed body, bad events stored as failed and skipped, the
good ones answered; control characters never reach the database; the body size is bounded."""
from __future__ import annotations

import json

from sqlmodel import select

from bot.line.webhook import MAX_WEBHOOK_BYTES
from models import Intake, WebhookEvent
from models.db import session_scope
from tests.fakeline import signature_for, signed_webhook, text_event
from tests.helpers import run_jobs


def stored() -> list[WebhookEvent]:
    with session_scope() as s:
        return s.exec(select(WebhookEvent).order_by(WebhookEvent.id)).all()


def test_nul_and_control_characters_are_stripped_and_the_message_answered(resident):
    texts = resident.say("家賃が\x00払えない\x07\x1b[31m\ud800")

    assert any("だれの ことで" in t for t in texts)  # answered by the dialog
    [event] = stored()
    assert event.processed_at is not None and event.failed_at is None
    assert event.payload["message"]["text"] == "家賃が払えない[31m"


def test_nul_in_a_crisis_text_still_opens_the_urgent_intake(resident):
    texts = resident.say("死\x00にたい")
    assert any("0120-783-556" in t for t in texts)
    with session_scope() as s:
        assert s.exec(select(Intake)).one().crisis


def test_bad_events_are_stored_as_failed_and_the_good_one_is_answered(resident, fake_line):
    uid, now = resident.user_id, resident.clock_ms

    def event(words, **changes):
        e = text_event(uid, words, fake_line.issue_reply_token(uid), timestamp=now)
        for path, value in changes.items():
            target = e
            *parents, leaf = path.split(".")
            for p in parents:
                target = target[p]
            target[leaf] = value
        return e

    bad = [
        event("a", webhookEventId="E" * 65),
        event("b", **{"source.userId": "U" + "0" * 64}),
        event("c", replyToken="r" * 65),
        event("d", timestamp=10**20),
        event("e", timestamp=-5),
        event("f", **{"message.text": {"not": "a string"}}),
        "not an event at all",
    ]
    good = event("こんにちは")
    response = resident.post(*bad, good)

    assert response.status_code == 200
    run_jobs(resident.app)
    rows = stored()
    assert len(rows) == len(bad) + 1
    failed = [r for r in rows if r.failed_at is not None]
    assert sorted(r.error for r in failed) == sorted([
        "invalid:webhookEventId", "invalid:userId", "invalid:replyToken", "invalid:timestamp",
        "invalid:timestamp", "invalid:message.text", "invalid:webhookEventId"])
    assert all(r.processed_at is None and len(r.event_id) <= 64 for r in failed)
    [ok] = [r for r in rows if r.failed_at is None]
    assert ok.processed_at is not None
    assert len(fake_line.delivered) == 1  # only the good event was answered

    # a redelivery of the whole batch stores nothing twice
    assert resident.post(*bad, good).status_code == 200
    assert len(stored()) == len(rows)


def test_three_thousand_events_in_one_body_are_all_stored_once(resident, client, fake_line):
    users = [f"U{n:032x}" for n in range(300)]
    events = [text_event(u, "こんにちは", None, timestamp=resident.clock_ms + i)
              for i in range(10) for u in users]
    body, signature = signed_webhook("test-channel-secret", events)
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature})
    assert response.status_code == 200
    rows = stored()
    assert len(rows) == 3000 and len({r.event_id for r in rows}) == 3000


def test_a_body_over_the_limit_is_refused_before_it_is_stored(client):
    body = json.dumps({"destination": "U1", "events": [], "pad": "x" * MAX_WEBHOOK_BYTES}).encode()
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature_for("test-channel-secret", body)})
    assert response.status_code == 413
    assert stored() == []


def test_a_body_that_is_not_utf8_is_400(client):
    body = b'{"events": ["\xff\xfe"]}'
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature_for("test-channel-secret", body)})
    assert response.status_code == 400


def test_redis_down_then_back_answers_each_event_once(app, resident, fake_line):
    """Issue 9 item 6: webhooks while the queue is unreachable are stored and acknowledged;
    when it is back the sweep enqueues them (twice here, as two sweeps may) and each is
    answered once."""
    from datetime import timedelta

    from workers import runtime
    from workers.events import sweep_inbox
    from workers.jobs import RQJobs

    working = runtime.current().jobs
    runtime.current().jobs = RQJobs("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        first = text_event(resident.user_id, "こんにちは", fake_line.issue_reply_token(resident.user_id),
                           timestamp=resident.clock_ms)
        second = text_event(resident.user_id, "家族のこと", fake_line.issue_reply_token(resident.user_id),
                            timestamp=resident.clock_ms + 1)
        assert resident.post(first).status_code == 200
        assert resident.post(second).status_code == 200
        assert resident.post(dict(first, deliveryContext={"isRedelivery": True})).status_code == 200
    finally:
        runtime.current().jobs = working
    assert len(stored()) == 2 and fake_line.delivered == []

    assert sweep_inbox(older_than=timedelta(0)) == 1  # one job for the resident
    sweep_inbox(older_than=timedelta(0))
    run_jobs(app)
    assert len(fake_line.delivered) == 2
    assert all(e.processed_at is not None for e in stored())
    replied_with = [token for token, _ in fake_line._delivery_meta]
    assert replied_with == [first["replyToken"], second["replyToken"]]  # in the order they were sent
