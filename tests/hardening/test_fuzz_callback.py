"""Issue 9 "How to prove it": a fuzz test of /callback with correctly signed but hostile bodies
(Hypothesis, PostgreSQL + Redis/RQ). Each body mixes mangled events — wrong types, missing and
over-long fields, impossible timestamps, unknown event and message types, control characters,
repeated ids — with one good crisis message from a resident. Whatever comes: a signed JSON
object is acknowledged with 200 (never a 5xx, so LINE does not redeliver the batch forever),
the good crisis is answered with the emergency numbers, and the stored events and intakes load.
"""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models import Intake, WebhookEvent
from models.db import session_scope
from tests.fakeline.webhook import new_event_id, signature_for, text_event
from tests.helpers import run_jobs

FUZZ = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
postgres_only = pytest.mark.parametrize("backend", ["postgres"], indirect=True)

HOSTILE_TEXT = st.text(st.characters(codec=None, categories=("Cc", "Cs", "Lo", "Nd", "Zs", "Po")), max_size=80)
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
    HOSTILE_TEXT, st.builds(lambda ch, n: ch * n, st.sampled_from(["U", "x", "\x00", "あ"]), st.integers(60, 3000)),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
# (path into the event, e.g. ("message", "text")) -> replaced by an odd value, or removed
PATHS = [("type",), ("webhookEventId",), ("timestamp",), ("replyToken",), ("mode",), ("source",),
         ("source", "userId"), ("source", "type"), ("message",), ("message", "type"), ("message", "text"),
         ("message", "id"), ("deliveryContext",), ("deliveryContext", "isRedelivery"), ("postback",)]
mutations = st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(st.just("<remove>"), ODD_VALUES)),
                     min_size=1, max_size=4)
bad_events = st.lists(st.tuples(mutations, st.booleans()), max_size=6)


def mangle(event: dict, changes) -> dict:
    event = copy.deepcopy(event)
    for path, value in changes:
        node = event
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if value == "<remove>":
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    return event


def signed(secret: str, payload) -> tuple[bytes, str]:
    body = json.dumps(payload, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
    return body, signature_for(secret, body)


@postgres_only
@FUZZ
@given(bad=bad_events, crisis_first=st.booleans())
def test_fuzz_the_line_webhook_with_signed_hostile_bodies(app, resident, bad, crisis_first):
    good = resident._event(text_event, "もう死にたい")
    events = []
    for changes, reuse_good_id in bad:
        event = mangle(resident._event(text_event, "家賃が払えません"), changes)
        if reuse_good_id:
            event["webhookEventId"] = good["webhookEventId"]  # a clash with the good one
        events.append(event)
    events.insert(0 if crisis_first else len(events), good)
    body, signature = signed(resident.secret, {"destination": "U" + "0" * 32, "events": events})
    response = resident.client.post("/callback", data=body, headers={"X-Line-Signature": signature},
                                    content_type="application/json")
    assert response.status_code == 200, response.data[:200]
    run_jobs(app)
    answered = "\n".join(resident.new_texts())
    if not (crisis_first is False and any(r for _, r in bad)):  # a clash stored first wins the id
        assert "0120-783-556" in answered or "110" in answered, answered[:200]
    with session_scope() as s:
        s.exec(select(WebhookEvent)).all()
        s.exec(select(Intake)).all()
    resident.new_texts()


@postgres_only
@FUZZ
@given(payload=st.one_of(ODD_VALUES, st.fixed_dictionaries({"events": ODD_VALUES}),
                         st.fixed_dictionaries({"destination": ODD_VALUES, "events": st.lists(ODD_VALUES, max_size=4)})))
def test_fuzz_signed_bodies_that_are_not_webhooks_never_give_a_5xx(app, resident, payload):
    body, signature = signed(resident.secret, payload)
    response = resident.client.post("/callback", data=body, headers={"X-Line-Signature": signature},
                                    content_type="application/json")
    assert response.status_code in (200, 400), (payload, response.status_code)
