from dataclasses import dataclass

import pytest

from console.permissions import PERMISSIONS, can


@dataclass
class User:
    role: str
    active: bool = True


@pytest.mark.parametrize("role, action, allowed", [
    ("admin", "queue.view", True), ("admin", "queue.view_topics", True), ("admin", "intake.view", True),
    ("suishin", "queue.view", True), ("suishin", "queue.view_topics", True), ("suishin", "intake.view", True),
    ("viewer", "queue.view", False), ("viewer", "queue.view_topics", False), ("viewer", "intake.view", False),
    ("agency", "queue.view", False), ("agency", "queue.view_topics", False), ("agency", "intake.view", False),
])
def test_role_table(role, action, allowed):
    assert can(User(role), action) is allowed


def test_inactive_and_anonymous_may_do_nothing():
    for action in PERMISSIONS:
        assert not can(User("admin", active=False), action)
        assert not can(None, action)


def test_unknown_permission_is_an_error():
    with pytest.raises(ValueError):
        can(User("admin"), "intake.delete")
