"""Console fixtures: demo staff, a login helper, intakes written through the real models."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from console.staff import seed_demo_staff
from models import ConsentRecord, Household, Intake, Person, Reporter
from models.db import session_scope

PASSWORD = "correct horse battery staple"
_receipts = itertools.count(1)


@pytest.fixture
def staff(app):
    return seed_demo_staff(PASSWORD)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/console/login", data={"username": username, "password": password})


@pytest.fixture
def as_role(client, staff):
    """Log the test client in as one of the demo staff (admin, suishin, agency, viewer)."""
    def _login(username: str):
        response = login(client, username)
        assert response.status_code == 302, response.data
        return client
    return _login


def make_intake(received_at: datetime | None = None, consents: dict[str, list[str]] | None = None,
                **fields) -> int:
    """An intake with its reporter, person and household; consents: {purpose: [actions, oldest first]}."""
    values = dict(
        receipt_no=f"TEST-{next(_receipts):04d}", channel="line", user_key="U-test",
        received_at=received_at or datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc),
        reporter_role="self", categories=["income", "debt"], primary="debt",
        free_text="家賃が払えません", complete=True,
    )
    values.update(fields)
    with session_scope() as db:
        reporter = Reporter(role=values["reporter_role"], relation=None if values["reporter_role"] == "self" else "parent",
                            contact={"method": "phone", "phone": "090-0000-0000", "contact_time": "morning"})
        person, household = Person(age_band="40_64", area="八王子市元本郷町"), Household(composition="parent_adult_child")
        db.add_all([reporter, person, household])
        db.flush()
        intake = Intake(reporter_id=reporter.id, person_id=person.id, household_id=household.id, **values)
        db.add(intake)
        db.flush()
        at = values["received_at"]
        for purpose, actions in (consents or {}).items():
            for n, action in enumerate(actions):
                db.add(ConsentRecord(intake_id=intake.id, purpose=purpose, action=action,
                                     wording_version="2026-11-v1", wording=f"{purpose} の文言",
                                     recorded_at=at + timedelta(minutes=n)))
        return intake.id
