"""A resident who sends several messages before a worker gets to them has one job waiting, not
one per message: the job answers them all, in order. A message stored after the job started
gets a job of its own, and a job lost before it started (its mark left behind) holds nothing
back for longer than the inbox sweep takes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakeline import text_event
from tests.helpers import run_jobs
from workers import runtime
from workers.events import sweep_inbox

WORDS = ["こんにちは", "家族のこと", "親", "75歳以上", "元本郷町"]
pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # the events list is Redis's


def replies_in_order(fake_line) -> list[str]:
    return [token for token, _ in fake_line._delivery_meta]


def test_five_quick_messages_make_one_job_that_answers_each_in_order(app, resident, fake_line):
    jobs = runtime.current().jobs
    events = [resident._event(text_event, words) for words in WORDS]
    for event in events:
        assert resident.post(event).status_code == 200
    assert jobs.events_waiting() == 1

    run_jobs(app)
    assert replies_in_order(fake_line) == [event["replyToken"] for event in events]

    later = resident._event(text_event, "お金のこと")  # the job is done: this one needs its own
    assert resident.post(later).status_code == 200
    assert jobs.events_waiting() == 1
    run_jobs(app)
    assert replies_in_order(fake_line)[-1] == later["replyToken"]


def test_a_message_between_a_job_being_taken_and_starting_is_answered_by_it(app, resident, fake_line):
    """A worker has taken the job but not yet started it (its mark still set) when the
    resident writes again: no second job, and the job, when it starts, answers both."""
    from workers.events import process_line_events

    jobs = runtime.current().jobs
    first = resident._event(text_event, WORDS[0])
    assert resident.post(first).status_code == 200
    row_id, key = jobs.pop_event()
    second = resident._event(text_event, WORDS[1])
    assert resident.post(second).status_code == 200
    assert jobs.events_waiting() == 0
    process_line_events(row_id, key)
    assert replies_in_order(fake_line) == [first["replyToken"], second["replyToken"]]


def test_a_job_lost_before_it_started_is_made_good_by_the_inbox_sweep(app, resident, fake_line):
    jobs = runtime.current().jobs
    first = resident._event(text_event, WORDS[0])
    assert resident.post(first).status_code == 200
    assert jobs.pop_event() is not None  # taken by a worker that died at once: its mark stays
    second = resident._event(text_event, WORDS[1])
    assert resident.post(second).status_code == 200
    assert jobs.events_waiting() == 0  # held back by the mark (it expires within QUEUED_TTL)

    assert sweep_inbox(older_than=timedelta(0)) == 1  # the sweep does not look at marks
    run_jobs(app)
    assert replies_in_order(fake_line) == [first["replyToken"], second["replyToken"]]
