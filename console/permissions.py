"""Who may do what in the console: a closed list of permission names and one `can()`.

Checked on the server for every request; templates only use `can()` to hide what the
server would refuse anyway.

- admin, suishin (推進員): the queue with what each worry is about, and every intake in full.
- viewer (閲覧のみ): the queue's metadata (receipt number, time, channel, who wrote,
  after-hours, consent, status, urgent or not) - not the worries, crisis kinds or any text.
- agency (関係機関職員): nothing yet; they will see the intakes referred to them once
  referrals exist (that is what `obj` is for).
"""
from __future__ import annotations

PERMISSIONS: dict[str, frozenset[str]] = {
    "queue.view": frozenset({"admin", "suishin", "viewer"}),
    "queue.view_topics": frozenset({"admin", "suishin"}),  # ◎/〇 items and crisis kinds per row
    "intake.view": frozenset({"admin", "suishin"}),  # the detail page: free text, people, consent
    "events.manage": frozenset({"admin"}),  # messages the bot could not handle: list, retry
}


def can(user, action: str, obj=None) -> bool:
    """True if `user` (anything with .role and .active, or None) may do `action` (to `obj`)."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown permission {action!r}")
    if user is None or not getattr(user, "active", False):
        return False
    return user.role in PERMISSIONS[action]
