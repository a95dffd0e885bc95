"""Two or more coordinators claim the same case at the same moment, on real PostgreSQL:
threads with their own connections, released together by a barrier. Exactly one wins."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from console import cases
from console.cases import CaseError
from console.staff import upsert_staff
from models import Intake, StaffUser
from models.case import CaseEvent
from models.db import get_engine, session_scope
from tests.console.conftest import PASSWORD, make_intake

REPETITIONS = 50
CLAIMANTS = 4


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_concurrent_claims_give_exactly_one_owner(app, staff):
    with session_scope() as db:
        users = [upsert_staff(db, f"race{n}", f"推進員{n}", "suishin", PASSWORD) for n in range(CLAIMANTS)]
        db.flush()
        ids = [u.id for u in users]
    engine = get_engine()
    assert engine.dialect.name == "postgresql"
    for _ in range(REPETITIONS):
        intake_id = make_intake()
        barrier = threading.Barrier(CLAIMANTS)
        won, lost, failed = [], [], []

        def attempt(staff_id):
            try:
                with Session(engine, expire_on_commit=False) as db:
                    intake = db.get(Intake, intake_id)
                    actor = db.get(StaffUser, staff_id)
                    barrier.wait()
                    try:
                        cases.claim(db, intake, actor)
                        db.commit()
                        won.append(staff_id)
                    except CaseError as error:
                        db.rollback()
                        lost.append(error.key)
            except Exception as error:  # noqa: BLE001 - reported below
                failed.append(repr(error))

        threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not failed
        assert len(won) == 1 and lost == ["already_claimed"] * (CLAIMANTS - 1)
        with session_scope() as db:
            assert db.get(Intake, intake_id).assignee_id == won[0]
            assert len(db.exec(select(CaseEvent).where(CaseEvent.intake_id == intake_id)).all()) == 1
