"""Build LINE webhook requests as LINE sends them: event JSON + X-Line-Signature.

    body, signature = signed_webhook(SECRET, [text_event("U…", "こんにちは", token)])
    client.post("/callback", data=body, headers={"X-Line-Signature": signature,
                                                 "Content-Type": "application/json"})

Event shapes follow https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects
(and parse with linebot.v3.webhook.WebhookParser).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

DEFAULT_DESTINATION = "U" + "f" * 32  # the bot's own user id (33 chars)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def signature_for(channel_secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(channel secret, raw body)), the X-Line-Signature value."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_webhook(
    channel_secret: str, events: list[dict], destination: str = DEFAULT_DESTINATION
) -> tuple[bytes, str]:
    """The raw webhook body {"destination", "events"} and its X-Line-Signature.
    `events=[]` is what LINE's "Verify" button sends."""
    payload = {"destination": destination, "events": events}
    try:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate can only travel as a \uXXXX escape
        body = json.dumps(payload).encode("ascii")
    return body, signature_for(channel_secret, body)


def new_event_id(timestamp_ms: int | None = None) -> str:
    """A webhookEventId: a 26-character ULID like LINE's (time-ordered, unique)."""
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    value = (ts << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _message_id() -> str:
    return str(10**17 + secrets.randbelow(9 * 10**17))


def _base(
    event_type: str,
    user_id: str,
    reply_token: str | None,
    event_id: str | None,
    timestamp: int | None,
    redelivery: bool,
) -> dict:
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    event = {
        "type": event_type,
        "timestamp": ts,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id or new_event_id(ts),
        "deliveryContext": {"isRedelivery": redelivery},
        "mode": "active",
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def _message(kind: str, quotable: bool = True, **fields) -> dict:
    """A message object as LINE sends it: type, id, a quote token (not for location), fields."""
    message = {"type": kind, "id": _message_id()}
    if quotable:
        message["quoteToken"] = secrets.token_urlsafe(24)
    return {**message, **fields}


def text_event(
    user_id: str,
    text: str,
    reply_token: str | None,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
) -> dict:
    event = _base("message", user_id, reply_token, event_id, timestamp, redelivery)
    event["message"] = _message("text", text=text)
    return event


def postback_event(
    user_id: str,
    data: str,
    reply_token: str | None,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
) -> dict:
    event = _base("postback", user_id, reply_token, event_id, timestamp, redelivery)
    event["postback"] = {"data": data}
    return event


def follow_event(
    user_id: str,
    reply_token: str,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
    unblocked: bool = False,
) -> dict:
    event = _base("follow", user_id, reply_token, event_id, timestamp, redelivery)
    event["follow"] = {"isUnblocked": unblocked}
    return event


def unfollow_event(
    user_id: str,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
) -> dict:
    """Blocked by the user: no reply token."""
    return _base("unfollow", user_id, None, event_id, timestamp, redelivery)


def sticker_event(
    user_id: str,
    reply_token: str | None,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
    package_id: str = "11537",
    sticker_id: str = "52002734",
) -> dict:
    event = _base("message", user_id, reply_token, event_id, timestamp, redelivery)
    event["message"] = _message("sticker", stickerId=sticker_id, packageId=package_id,
                                stickerResourceType="STATIC", keywords=["Happy", "Smiling"])
    return event


def image_event(
    user_id: str,
    reply_token: str | None,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
) -> dict:
    event = _base("message", user_id, reply_token, event_id, timestamp, redelivery)
    event["message"] = _message("image", contentProvider={"type": "line"})
    return event


def location_event(
    user_id: str,
    reply_token: str | None,
    event_id: str | None = None,
    timestamp: int | None = None,
    redelivery: bool = False,
    title: str = "八王子市役所",
    address: str = "東京都八王子市元本郷町三丁目24番1号",
    latitude: float = 35.6664,
    longitude: float = 139.3160,
) -> dict:
    event = _base("message", user_id, reply_token, event_id, timestamp, redelivery)
    event["message"] = _message("location", quotable=False, title=title, address=address,
                                latitude=latitude, longitude=longitude)
    return event
