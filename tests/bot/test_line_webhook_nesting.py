"""A correctly signed webhook body nested absurdly deep (outside tester, item 8) is malformed
JSON: 400, nothing stored, and the next webhook is answered as usual. Before, 100,000 '[' made
the parser raise RecursionError (an empty 500), and a few hundred levels, which do parse, made
the cleaning of the event do so."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from bot.sanitize import MAX_JSON_DEPTH
from models import WebhookEvent
from models.db import session_scope
from tests.fakeline import signature_for, text_event


def stored() -> list[WebhookEvent]:
    with session_scope() as s:
        return s.exec(select(WebhookEvent)).all()


def post_signed(client, body: bytes):
    return client.post("/callback", data=body, content_type="application/json",
                       headers={"X-Line-Signature": signature_for("test-channel-secret", body)})


def nested_in_event(event: dict, depth: int) -> bytes:
    """The body with `depth` levels of lists in the event's message (written out: json.dumps
    would itself recurse too deep)."""
    event["message"]["extra"] = "@nest@"
    body = json.dumps({"destination": "U" + "f" * 32, "events": [event]})
    return body.replace('"@nest@"', "[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("depth", [100_000, 500])
def test_a_signed_deeply_nested_body_is_400_and_the_next_webhook_is_answered(client, resident, depth):
    if depth == 100_000:  # the tester's body: the parser itself gives up
        body = b'{"destination": "U1", "events": [' + b"[" * depth + b"]" * depth + b"]}"
    else:  # parses, but is far deeper than any LINE event
        body = nested_in_event(text_event(resident.user_id, "こんにちは", "tok"), depth)
    response = post_signed(client, body)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "malformed webhook body"
    assert stored() == []

    assert resident.say("こんにちは")  # the service carries on
    assert len(stored()) == 1


def test_nesting_up_to_the_limit_is_still_an_ordinary_body(client, resident):
    # body, events, event, message: 4 levels before the extra lists
    body = nested_in_event(text_event(resident.user_id, "こんにちは", "tok"), MAX_JSON_DEPTH - 4)
    assert post_signed(client, body).status_code == 200
    assert len(stored()) == 1
    body = nested_in_event(text_event(resident.user_id, "こんにちは", "tok2"), MAX_JSON_DEPTH - 3)
    assert post_signed(client, body).status_code == 400
