"""`tsunagu demo` cases come from the real dialog and the case services, in every state."""
import pytest
from sqlmodel import select

from console.demo import seed_demo_cases
from models import Intake
from models.case import CaseEvent
from models.db import session_scope

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_demo_seeds_cases_in_every_state_once(app, staff):
    made = seed_demo_cases("相談支援包括化推進員")
    assert 25 <= made <= 40
    with session_scope() as db:
        intakes = db.exec(select(Intake)).all()
        states = {i.status for i in intakes}
        assert {"new", "claimed", "triaged", "collaborating", "meeting", "planning", "supporting",
                "monitoring", "closed", "referring"} <= states
        assert any(i.crisis for i in intakes) and any(i.wants_person for i in intakes)
        assert {i.channel for i in intakes} == {"web"} and all(i.receipt_no for i in intakes)
        assert {"reopen", "start_support", "contact", "refer", "referral_accept", "referral_send_back",
                "return"} <= {e.kind for e in db.exec(select(CaseEvent))}
    assert seed_demo_cases("相談支援包括化推進員") == 0  # an existing database is left alone
