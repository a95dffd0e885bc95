"""can() for referrals, replies and admin: agency staff only act on their own agency's
referrals; sending and replying are for the case's assignee (or admin)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.permissions import can


@dataclass
class User:
    role: str
    id: int = 1
    agency_id: int | None = None
    active: bool = True


@dataclass
class Thing:  # a referral (agency_id) or an intake (assignee_id)
    agency_id: int | None = None
    assignee_id: int | None = None


def test_agency_staff_see_and_answer_only_their_own_agencys_referrals():
    mine, other = Thing(agency_id=7), Thing(agency_id=8)
    staff = User("agency", agency_id=7)
    assert can(staff, "referral.view", mine) and can(staff, "referral.answer", mine)
    assert not can(staff, "referral.view", other) and not can(staff, "referral.answer", other)
    assert not can(User("agency", agency_id=None), "referral.view", Thing(agency_id=None))
    assert not can(staff, "referral.view")  # no object: nothing


@pytest.mark.parametrize("action", ["referral.create", "referral.withdraw", "resident.reply"])
def test_sending_and_replying_are_for_the_assignee_or_admin(action):
    case = Thing(assignee_id=1)
    assert can(User("suishin", id=1), action, case)
    assert not can(User("suishin", id=2), action, case)
    assert can(User("admin", id=3), action, case)
    assert not can(User("agency", id=1, agency_id=7), action, case)
    assert not can(User("viewer", id=1), action, case)


@pytest.mark.parametrize("action", ["admin.staff", "admin.directory", "admin.settings", "audit.view"])
def test_administration_is_for_admin_only(action):
    assert can(User("admin"), action)
    for role in ("suishin", "agency", "viewer"):
        assert not can(User(role, agency_id=1), action)
    assert not can(User("admin", active=False), action)


def test_coordinators_answer_nothing_for_an_agency():
    assert not can(User("suishin"), "referral.answer", Thing(agency_id=7))
    assert not can(User("admin"), "referral.answer", Thing(agency_id=7))
