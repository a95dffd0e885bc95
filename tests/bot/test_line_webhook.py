"""The webhook and the worker under bad input and failing neighbours: each case has a defined
outcome, and no resident's words are lost or answered twice."""
from __future__ import annotations

import json
import logging

from sqlmodel import select

from models import OutboxMessage, WebhookEvent
from models.db import session_scope
from tests.fakeline import signed_webhook, text_event, unfollow_event
from tests.helpers import run_jobs


def stored_events() -> list[WebhookEvent]:
    with session_scope() as s:
        return s.exec(select(WebhookEvent).order_by(WebhookEvent.id)).all()


def test_missing_signature_is_400_and_nothing_is_stored(client, resident):
    body, _ = signed_webhook("test-channel-secret", [text_event(resident.user_id, "こんにちは", "tok")])
    response = client.post("/callback", data=body, content_type="application/json")
    assert response.status_code == 400
    assert stored_events() == []


def test_bad_signature_is_403_and_nothing_is_stored(resident):
    response = resident.post(text_event(resident.user_id, "こんにちは", "tok"), signature="bm90IHRoZSByaWdodCBvbmU=")
    assert response.status_code == 403
    assert stored_events() == []


def test_malformed_body_with_a_valid_signature_is_400(client):
    from tests.fakeline import signature_for

    body = b'{"destination": "U1", "events": [ this is not json'
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature_for("test-channel-secret", body)})
    assert response.status_code == 400


def test_line_verify_call_without_events_is_200_and_calls_nobody(resident, fake_line):
    response = resident.post()
    assert response.status_code == 200
    assert fake_line.calls == []


def test_redelivered_event_is_answered_once(resident, fake_line):
    event = text_event(resident.user_id, "家賃が払えない", fake_line.issue_reply_token(resident.user_id))
    assert resident.post(event).status_code == 200
    redelivery = dict(event, deliveryContext={"isRedelivery": True})
    assert resident.post(redelivery).status_code == 200
    run_jobs(resident.app)
    assert len(stored_events()) == 1
    assert len(fake_line.delivered) == 1
    assert any("だれの ことで" in t for t in resident.new_texts())


def test_unfollow_needs_no_answer(resident, fake_line):
    assert resident.post(unfollow_event(resident.user_id)).status_code == 200
    run_jobs(resident.app)
    assert fake_line.delivered == []
    assert stored_events()[0].processed_at is not None


def test_sticker_image_and_location_get_a_kind_answer(resident):
    resident.follow()
    resident.tap("who:self")
    for send, word in ((resident.sticker, "スタンプ"), (resident.image, "写真"), (resident.location, "位置情報")):
        texts = send()
        assert any(word in t and "文字で 教えてください" in t for t in texts)
    assert [a["data"] for a in resident.last_quick_reply()][0] == "nav:anonymous"  # the name question again


def test_events_of_one_user_in_one_request_are_handled_in_order(resident, fake_line):
    events = [text_event(resident.user_id, words, fake_line.issue_reply_token(resident.user_id),
                         timestamp=resident.clock_ms + i) for i, words in enumerate(["こんにちは", "家族のこと", "名前を言わずに", "親"])]
    assert resident.post(*events).status_code == 200
    run_jobs(resident.app)
    texts = resident.new_texts()
    assert texts[-1].startswith("その人は だいたい 何歳")  # who -> name -> relation -> age, in order
    assert [c["to"] for c in fake_line.delivered] == [resident.user_id] * 4


def test_spent_reply_token_falls_back_to_push_with_a_retry_key(resident, fake_line):
    token = fake_line.issue_reply_token(resident.user_id)
    fake_line.expire(token)
    resident.post(text_event(resident.user_id, "こんにちは", token))
    run_jobs(resident.app)
    [delivery] = fake_line.delivered
    assert delivery["endpoint"] == "push" and delivery["retry_key"]
    with session_scope() as s:
        row = s.exec(select(OutboxMessage)).first()
    assert row.status == "sent" and row.sent_via == "push"


def test_line_down_then_back_delivers_exactly_once(resident, fake_line):
    fake_line.fail_next(500, times=2)  # the reply and the first push fail
    resident.post(text_event(resident.user_id, "こんにちは", fake_line.issue_reply_token(resident.user_id)))
    run_jobs(resident.app)
    assert len(fake_line.delivered) == 1
    assert fake_line.delivered[0]["endpoint"] == "push"


def test_push_accepted_but_answer_lost_is_not_sent_twice(resident, fake_line):
    token = fake_line.issue_reply_token(resident.user_id)
    fake_line.expire(token)
    fake_line.fail_next(500, times=1, endpoint="push", deliver=True)
    resident.post(text_event(resident.user_id, "こんにちは", token))
    run_jobs(resident.app)
    assert len(fake_line.delivered) == 1  # the retry with the same X-Line-Retry-Key got 409


def test_rate_limited_by_line_is_retried(resident, fake_line):
    fake_line.fail_next(429, times=2)
    resident.post(text_event(resident.user_id, "こんにちは", fake_line.issue_reply_token(resident.user_id)))
    run_jobs(resident.app)
    assert len(fake_line.delivered) == 1


def test_an_answer_line_would_not_take_goes_out_before_the_next_answer(resident, fake_line):
    """LINE refuses the first answer three times (its reply, its push, the push again), so the
    job is tried again later; the resident's second message, already waiting, is answered only
    after the first answer went out: the resident reads them in the order they asked."""
    uid = resident.user_id
    fake_line.fail_next(500, times=3)
    events = [text_event(uid, words, fake_line.issue_reply_token(uid), timestamp=resident.clock_ms + i)
              for i, words in enumerate(["こんにちは", "家族のこと"])]
    assert resident.post(*events).status_code == 200
    run_jobs(resident.app)

    first, second = ("\n".join(m.get("text", "") for m in d["messages"]) for d in fake_line.delivered)
    assert fake_line.delivered[0]["endpoint"] == "push" and "だれの ことで" in first  # the answer to こんにちは
    assert "だれの ことで" not in second and "お名前" in second  # then the answer to 家族のこと
    assert [c["status"] for c in fake_line.calls][:3] == [500, 500, 500]


def test_a_message_stored_before_line_was_switched_off_is_stepped_and_its_answer_kept(backend, tmp_path):
    """LINE's credentials were taken out of the configuration after a message came in: the
    worker still steps the stored event and keeps its answer to send later, instead of failing
    the job over and over."""
    from bot.line.events_in import prepare, store
    from console.app import create_app
    from models.db import get_engine
    from tests.conftest import FAST_RETRIES, make_settings
    from workers.events import process_line_events
    from workers.jobs import make_jobs

    database_url, redis_url = backend
    jobs = make_jobs(redis_url, FAST_RETRIES)
    create_app(make_settings(database_url, redis_url, line=False), jobs=jobs, instance_path=str(tmp_path / "i"))
    try:
        [row_id] = store([prepare(text_event("U" + "5" * 32, "こんにちは", "token-1"))]).values()
        process_line_events(row_id)
        with session_scope() as s:
            event = s.get(WebhookEvent, row_id)
            [answer] = s.exec(select(OutboxMessage)).all()
        assert event.processed_at is not None and event.failed_at is None
        assert (answer.status, answer.reply_token) == ("pending", "token-1")
    finally:
        if getattr(jobs, "connection", None) is not None:
            jobs.connection.close()
        get_engine().dispose()


def test_residents_words_never_reach_the_log(resident, caplog):
    caplog.set_level(logging.DEBUG)
    resident.say("借金が300万円あって夫に言えない")
    resident.tap("who:self")
    assert "借金" not in caplog.text and "夫に言えない" not in caplog.text
    assert resident.user_id not in caplog.text


def test_queue_down_keeps_the_event_and_the_sweep_answers_it_later(app, resident, fake_line):
    from datetime import timedelta

    from workers import runtime
    from workers.events import sweep_inbox
    from workers.jobs import InProcessJobs, RQJobs

    working = runtime.current().jobs
    runtime.current().jobs = RQJobs("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        response = resident.post(text_event(resident.user_id, "家賃が払えない", fake_line.issue_reply_token(resident.user_id)))
    finally:
        runtime.current().jobs = working
    assert response.status_code == 200  # stored safely, so LINE must not redeliver
    [event] = stored_events()
    assert event.processed_at is None and json.dumps(event.payload, ensure_ascii=False).count("家賃が払えない") == 1
    assert fake_line.delivered == []

    assert sweep_inbox(older_than=timedelta(0)) == 1
    run_jobs(app)
    assert stored_events()[0].processed_at is not None
    assert any("だれの ことで" in t for t in resident.new_texts())
    assert isinstance(working, (InProcessJobs, RQJobs))
