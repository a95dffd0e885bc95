"""The test doubles themselves: webhook bodies parse as LINE's, the fake validates."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
)

from tests.fakeline import (
    follow_event,
    image_event,
    location_event,
    postback_event,
    signed_webhook,
    sticker_event,
    text_event,
)
from tests.fakeline.fixtures import fake_line  # noqa: F401

SECRET = "0123456789abcdef0123456789abcdef"
USER = "U" + "b" * 32


def test_webhook_events_parse_with_the_line_sdk():
    events = [
        follow_event(USER, "r0"),
        text_event(USER, "こんにちは", "r1", event_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", timestamp=1),
        postback_event(USER, "self", "r2"),
        sticker_event(USER, "r3"),
        image_event(USER, "r4"),
        location_event(USER, "r5"),
    ]
    body, signature = signed_webhook(SECRET, events)

    parsed = WebhookParser(SECRET).parse(body.decode("utf-8"), signature)

    assert isinstance(parsed[0], FollowEvent)
    assert isinstance(parsed[1], MessageEvent) and isinstance(parsed[1].message, TextMessageContent)
    assert parsed[1].message.text == "こんにちは"
    assert parsed[1].webhook_event_id == "01HZZZZZZZZZZZZZZZZZZZZZZZ"
    assert parsed[1].timestamp == 1
    assert parsed[1].delivery_context.is_redelivery is False
    assert parsed[1].source.user_id == USER and parsed[1].reply_token == "r1"
    assert isinstance(parsed[2], PostbackEvent) and parsed[2].postback.data == "self"
    assert isinstance(parsed[3].message, StickerMessageContent)
    assert isinstance(parsed[4].message, ImageMessageContent)
    assert isinstance(parsed[5].message, LocationMessageContent)
    assert len({e.webhook_event_id for e in parsed}) == len(parsed)


def test_wrong_secret_does_not_verify():
    body, signature = signed_webhook(SECRET, [text_event(USER, "x", "r")])
    with pytest.raises(InvalidSignatureError):
        WebhookParser("another-secret").parse(body.decode("utf-8"), signature)


def test_verify_call_body_has_no_events():
    body, _ = signed_webhook(SECRET, [])
    assert json.loads(body)["events"] == []


def post(fake, endpoint, payload, **headers):
    headers.setdefault("Authorization", f"Bearer {fake.access_token}")
    return requests.post(
        f"{fake.base_url}/v2/bot/message/{endpoint}", json=payload, headers=headers, timeout=5
    )


@pytest.mark.parametrize(
    "messages, prop",
    [
        ([], "messages"),
        ([{"type": "text", "text": "x"}] * 6, "messages"),
        ([{"type": "text", "text": ""}], "messages[0].text"),
        ([{"type": "text", "text": "x" * 5001}], "messages[0].text"),
        ([{"type": "bogus"}], "messages[0].type"),
        (
            [{"type": "text", "text": "x", "quickReply": {"items": [
                {"type": "action", "action": {"type": "postback", "label": "a", "data": "d"}}
            ] * 14}}],
            "messages[0].quickReply.items",
        ),
        (
            [{"type": "text", "text": "x", "quickReply": {"items": [
                {"type": "action", "action": {"type": "postback", "label": "a" * 21, "data": "d"}}
            ]}}],
            "messages[0].quickReply.items[0].action.label",
        ),
        (
            [{"type": "text", "text": "x", "quickReply": {"items": [
                {"type": "action", "action": {"type": "postback", "label": "a", "data": "d" * 301}}
            ]}}],
            "messages[0].quickReply.items[0].action.data",
        ),
    ],
)
def test_fake_rejects_what_line_rejects(fake_line, messages, prop):
    response = post(fake_line, "push", {"to": USER, "messages": messages})
    assert response.status_code == 400
    assert prop in [d["property"] for d in response.json()["details"]]
    assert fake_line.delivered == []


def test_fake_checks_auth_and_retry_key(fake_line):
    ok = {"to": USER, "messages": [{"type": "text", "text": "x"}]}
    assert post(fake_line, "push", ok, Authorization="Bearer wrong").status_code == 401
    assert post(fake_line, "push", ok, **{"X-Line-Retry-Key": "nope"}).status_code == 400
    k = str(uuid.uuid4())
    assert post(fake_line, "push", ok, **{"X-Line-Retry-Key": k}).status_code == 200
    again = post(fake_line, "push", ok, **{"X-Line-Retry-Key": k})
    assert again.status_code == 409 and again.headers["x-line-accepted-request-id"]
    assert len(fake_line.delivered) == 1


def test_fail_next_counts_down_and_filters_by_endpoint(fake_line):
    fake_line.fail_next(503, times=2, endpoint="push")
    ok = {"to": USER, "messages": [{"type": "text", "text": "x"}]}
    token = fake_line.issue_reply_token(USER)
    assert post(fake_line, "reply", {"replyToken": token, "messages": ok["messages"]}).ok
    assert [post(fake_line, "push", ok).status_code for _ in range(3)] == [503, 503, 200]
    assert fake_line.texts_to(USER) == ["x", "x"]
