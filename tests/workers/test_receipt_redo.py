"""A step done again after its answer went out keeps the receipt number the resident was told.

The worker sends the answer before it commits the step; if the commit fails (here: the
database refuses the answer's outbox row once, through a trigger), the step is done again and
LINE's retry key / the reply mark keep the answer from going out twice. The intake the second
try stores must carry the number the first answer told the resident: staff find the case by it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import Intake
from models.db import get_engine, session_scope

FAIL_THE_NEXT_OUTBOX_ROW = """
CREATE SEQUENCE fault_once;
CREATE FUNCTION fail_once() RETURNS trigger AS $$
BEGIN
    -- a sequence is not rolled back with the failed transaction: this fails exactly once
    IF nextval('fault_once') = 1 THEN RAISE EXCEPTION 'injected: outbox write refused'; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
-- the answer's own row, written after the answer went out (with its outcome)
CREATE TRIGGER fail_once BEFORE INSERT ON outbox_message FOR EACH ROW WHEN (NEW.status = 'sent')
    EXECUTE FUNCTION fail_once();
"""


def test_the_receipt_number_told_before_a_failed_commit_is_the_one_stored(resident, fake_line, backend):
    if backend[1] is None:
        pytest.skip("the injected fault is a PostgreSQL trigger")
    walk_to_the_summary(resident)
    with get_engine().begin() as conn:
        conn.execute(text(FAIL_THE_NEXT_OUTBOX_ROW))
    told = "\n".join(resident.tap("confirm:submit"))  # the step that opens the intake and tells its number

    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT last_value FROM fault_once")).scalar() == 2  # failed once, then stored
    numbers = re.findall(r"受付番号: ([A-Z0-9]{4}-[A-Z0-9]{4})", told)
    with session_scope() as session:
        [intake] = session.exec(select(Intake)).all()
    assert numbers == [intake.receipt_no]  # told once, and staff find the case by it
    assert [call["endpoint"] for call in fake_line.calls].count("push") == 0  # the answer went once, by reply


def walk_to_the_summary(resident) -> None:
    resident.follow()
    resident.tap("who:self")
    resident.say("はなこ")
    resident.tap("age:40_64")
    resident.say("元本郷町")
    resident.tap("household:alone")
    resident.tap("nav:done")
    resident.say("家賃が払えない")
    for _ in range(6):
        resident.tap("nav:next")
    resident.tap("primary:rent")
    resident.say("とくにない")
    resident.tap("since:1_3m")
    resident.tap("contact:line")
    resident.tap("contact_time:evening")
    resident.tap("consent_share:yes")
    summary = resident.tap("consent_meeting:yes")
    assert any("この内容で 送ります" in t for t in summary), summary
