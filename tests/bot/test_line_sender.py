"""LineSender with the real line-bot-sdk against the local fake LINE server."""
from __future__ import annotations

import socket
import time
import uuid

import pytest

from bot.line.render import render_batches
from bot.line.sender import LineSender, SendResult
from dialogs.messages import Choice, Message
from tests.fakeline.fixtures import fake_line  # noqa: F401

USER = "U" + "a" * 32
SECRET_TEXT = "私の名前は山田花子です。"  # personal data: must never show up in results


@pytest.fixture
def sender(fake_line):
    return LineSender(fake_line.base_url, fake_line.access_token)


@pytest.fixture
def batch():
    [first] = render_batches(
        [Message(SECRET_TEXT, kind="info"), Message("続けますか？", (Choice("はい", "yes"),))]
    )
    return first


def key() -> str:
    return str(uuid.uuid4())


def assert_log_safe(result: SendResult) -> None:
    assert SECRET_TEXT not in result.detail
    assert USER not in result.detail
    assert len(result.detail) <= 200


def test_reply_delivers_once_then_the_token_is_spent(fake_line, sender, batch):
    token = fake_line.issue_reply_token(USER)

    first = sender.reply(token, batch)
    again = sender.reply(token, batch)

    assert (first.outcome, first.status) == ("sent", 200)
    assert (again.outcome, again.status) == ("reply_token_invalid", 400)
    assert fake_line.messages_to(USER) == batch  # the user got it exactly once
    assert fake_line.messages_to(USER)[-1]["quickReply"]["items"][0]["action"]["data"] == "yes"
    assert_log_safe(again)


def test_expired_reply_token_is_reported_so_the_worker_can_push(fake_line, sender, batch):
    token = fake_line.issue_reply_token(USER)
    fake_line.expire(token)

    result = sender.reply(token, batch)

    assert result.outcome == "reply_token_invalid"
    assert fake_line.delivered == []


def test_unknown_reply_token_is_invalid(fake_line, sender, batch):
    assert sender.reply("not-a-token-line-gave-us", batch).outcome == "reply_token_invalid"
    assert fake_line.delivered == []


def test_push_is_delivered_with_its_retry_key(fake_line, sender, batch):
    retry_key = key()

    result = sender.push(USER, batch, retry_key)

    assert (result.outcome, result.status) == ("sent", 200)
    assert fake_line.delivered == [
        {"endpoint": "push", "to": USER, "messages": batch, "retry_key": retry_key}
    ]


def test_push_again_with_the_same_key_is_sent_but_delivered_only_once(fake_line, sender, batch):
    retry_key = key()
    assert sender.push(USER, batch, retry_key).outcome == "sent"

    again = sender.push(USER, batch, retry_key)

    assert (again.outcome, again.status) == ("sent", 409)
    assert fake_line.messages_to(USER) == batch
    assert_log_safe(again)


def test_lost_answer_then_retry_with_same_key_does_not_duplicate(fake_line, sender, batch):
    """LINE delivered, but we saw a 500: the retry with the same key must not send twice."""
    retry_key = key()
    fake_line.fail_next(500, endpoint="push", deliver=True)

    first = sender.push(USER, batch, retry_key)
    retry = sender.push(USER, batch, retry_key)

    assert first.outcome == "retry_later"
    assert retry.outcome == "sent"
    assert fake_line.messages_to(USER) == batch


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_and_rate_limit_mean_retry_later(fake_line, sender, batch, status):
    fake_line.fail_next(status, endpoint="push")
    retry_key = key()

    result = sender.push(USER, batch, retry_key)

    assert (result.outcome, result.status) == ("retry_later", status)
    assert fake_line.delivered == []
    assert len(fake_line.calls) == 1  # the sender does not retry by itself
    # the worker's retry (same key) goes through
    assert sender.push(USER, batch, retry_key).outcome == "sent"
    assert fake_line.messages_to(USER) == batch


def test_reply_server_error_is_retry_later(fake_line, sender, batch):
    fake_line.fail_next(500, endpoint="reply")
    assert sender.reply(fake_line.issue_reply_token(USER), batch).outcome == "retry_later"
    assert fake_line.delivered == []


def test_wrong_access_token_fails_without_retry(fake_line, batch):
    wrong = LineSender(fake_line.base_url, "not-the-channel-token")

    pushed = wrong.push(USER, batch, key())
    replied = wrong.reply(fake_line.issue_reply_token(USER), batch)

    assert (pushed.outcome, pushed.status) == ("failed", 401)
    assert (replied.outcome, replied.status) == ("failed", 401)
    assert fake_line.delivered == []


def test_message_line_rejects_fails_with_a_log_safe_reason(fake_line, sender):
    too_long = [{"type": "text", "text": SECRET_TEXT * 500}]  # 6000 characters

    result = sender.push(USER, too_long, key())

    assert (result.outcome, result.status) == ("failed", 400)
    assert "messages[0].text" in result.detail
    assert_log_safe(result)
    assert fake_line.delivered == []


def test_malformed_retry_key_fails(fake_line, sender, batch):
    result = sender.push(USER, batch, "not-a-uuid")
    assert (result.outcome, result.status) == ("failed", 400)
    assert fake_line.delivered == []


def test_batch_the_sdk_refuses_fails_without_a_request(fake_line, sender):
    six = [{"type": "text", "text": SECRET_TEXT} for _ in range(6)]

    result = sender.push(USER, six, key())

    assert (result.outcome, result.status) == ("failed", None)
    assert_log_safe(result)
    assert fake_line.calls == []


def test_timeout_is_retry_later_and_returns_promptly(fake_line, batch):
    fake_line.delay_next(3, endpoint="push")
    impatient = LineSender(fake_line.base_url, fake_line.access_token, timeout=0.3)

    started = time.monotonic()
    result = impatient.push(USER, batch, key())

    assert (result.outcome, result.status) == ("retry_later", None)
    assert time.monotonic() - started < 2


def test_unreachable_line_is_retry_later(batch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    offline = LineSender(f"http://127.0.0.1:{port}", "token", timeout=1)

    result = offline.push(USER, batch, key())

    assert (result.outcome, result.status) == ("retry_later", None)


def test_sender_from_env_talks_to_the_configured_line(fake_line, batch):
    # the fake_line fixture points LINE_API_BASE_URL / LINE_CHANNEL_ACCESS_TOKEN at itself
    result = LineSender.from_env().push(USER, batch, key())
    assert result.outcome == "sent"
    assert fake_line.messages_to(USER) == batch
