"""Test doubles for LINE: a fake Messaging API server and webhook request builders."""
from tests.fakeline.server import DEFAULT_ACCESS_TOKEN, FakeLine
from tests.fakeline.webhook import (
    follow_event,
    image_event,
    location_event,
    new_event_id,
    postback_event,
    signature_for,
    signed_webhook,
    sticker_event,
    text_event,
    unfollow_event,
)

__all__ = [
    "DEFAULT_ACCESS_TOKEN",
    "FakeLine",
    "follow_event",
    "image_event",
    "location_event",
    "new_event_id",
    "postback_event",
    "signature_for",
    "signed_webhook",
    "sticker_event",
    "text_event",
    "unfollow_event",
]
