"""Webhooks arriving together are stored together (bot.line.group_store), and still each is
acknowledged only once its events are stored, each event is answered once, and one webhook
that cannot be stored does not fail the others."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from bot.line.group_store import GroupStore
from models import WebhookEvent
from models.db import session_scope
from tests.fakeline import signed_webhook, text_event
from tests.helpers import run_jobs


class SlowFirstWrite:
    """A write that holds the first group until told to go, so that the webhooks arriving
    meanwhile queue up behind it; records every group it was given."""

    def __init__(self, refuse: str | None = None):
        self.groups: list[list[str]] = []
        self.first_may_finish = threading.Event()
        self.refuse = refuse

    def __call__(self, rows: list[dict]) -> None:
        if not self.groups and not self.first_may_finish.is_set():
            self.first_may_finish.wait(5)
        ids = [row["event_id"] for row in rows]
        self.groups.append(ids)
        if self.refuse in ids:
            raise ValueError("a row the database refuses")


def submit_all(store: GroupStore, write: SlowFirstWrite, later: list[str]) -> dict[str, BaseException | None]:
    """One webhook ("first") is being written while the `later` ones arrive; returns each
    webhook's outcome (None: acknowledged)."""
    outcomes: dict[str, BaseException | None] = {}

    def one(event_id: str) -> None:
        try:
            store.submit([{"event_id": event_id}])
            outcomes[event_id] = None
        except ValueError as exc:
            outcomes[event_id] = exc

    with ThreadPoolExecutor(len(later) + 1) as pool:
        pool.submit(one, "first")
        while not store._writing:  # the first one is being written
            time.sleep(0.001)
        for event_id in later:
            pool.submit(one, event_id)
        while len(store._waiting) < len(later):  # all of them wait behind the first write
            time.sleep(0.001)
        assert outcomes == {}, "nothing is acknowledged before it is written"
        write.first_may_finish.set()
    return outcomes


def test_webhooks_that_arrive_while_one_is_written_are_written_together():
    write = SlowFirstWrite()
    later = [f"e{n}" for n in range(6)]
    outcomes = submit_all(GroupStore(write), write, later)
    assert outcomes == {event_id: None for event_id in ["first", *later]}
    assert write.groups[0] == ["first"]
    assert sorted(write.groups[1]) == later  # one INSERT for the six


def test_a_webhook_that_cannot_be_stored_fails_alone():
    write = SlowFirstWrite(refuse="e2")
    later = [f"e{n}" for n in range(5)]
    outcomes = submit_all(GroupStore(write), write, later)
    assert isinstance(outcomes.pop("e2"), ValueError)  # its thread answers LINE with an error
    assert outcomes == {event_id: None for event_id in ["first", "e0", "e1", "e3", "e4"]}
    assert sorted(write.groups[1]) == later  # refused as a whole, then
    assert sorted(ids for [ids] in write.groups[2:]) == later  # again one webhook at a time


def test_a_group_too_large_for_one_statement_is_split():
    write = SlowFirstWrite()
    store = GroupStore(write, max_group=3)
    later = [f"e{n}" for n in range(7)]
    outcomes = submit_all(store, write, later)
    assert set(outcomes) == {"first", *later} and not any(outcomes.values())
    assert all(len(group) <= 3 for group in write.groups)
    assert sorted(e for group in write.groups[1:] for e in group) == later


def test_residents_writing_at_the_same_moment_are_each_stored_and_answered_once(app, fake_line):
    """Through the real webhook on both back ends: 24 residents' webhooks at once from 12
    threads, one of them twice (LINE redelivering it while the first is being stored)."""
    users = [f"U{n:032x}" for n in range(24)]
    events = [text_event(user, "家賃が払えない", fake_line.issue_reply_token(user)) for user in users]
    webhooks = [signed_webhook("test-channel-secret", [event]) for event in events] + [
        signed_webhook("test-channel-secret", [dict(events[0], deliveryContext={"isRedelivery": True})])]

    def post(webhook) -> int:
        body, signature = webhook
        client = app.test_client()
        return client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature}).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(post, webhooks))
    assert statuses == [200] * len(webhooks)
    with session_scope() as session:
        stored = session.exec(select(WebhookEvent.user_key)).all()
    assert sorted(stored) == sorted(users)
    run_jobs(app)
    answered = [d["to"] for d in fake_line.delivered]
    assert sorted(answered) == sorted(users)
