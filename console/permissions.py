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


# referrals, replies and administration (console/referrals.py, replies.py, views/admin.py)
PERMISSIONS.update({
    "referral.create": frozenset({"admin", "suishin"}),  # obj: the intake
    "referral.withdraw": frozenset({"admin", "suishin"}),  # obj: the intake
    "referral.view": frozenset({"admin", "suishin", "agency"}),  # obj: the referral
    "referral.answer": frozenset({"agency"}),  # accept, decline, つなぎ戻し, done, contacts; obj: the referral
    "referral.list": frozenset({"agency"}),  # the agency's own inbox of referrals
    "resident.reply": frozenset({"admin", "suishin"}),  # obj: the intake
    "directory.view": frozenset({"admin", "suishin"}),
    "admin.staff": frozenset({"admin"}),
    "admin.directory": frozenset({"admin"}),
    "admin.settings": frozenset({"admin"}),
    "audit.view": frozenset({"admin"}),
})
# statistics and exports (console/stats.py, console/views/stats.py): counts only, no personal data
PERMISSIONS.update({
    "stats.view": frozenset({"admin", "suishin", "viewer"}),
    "stats.export": frozenset({"admin", "suishin", "viewer"}),  # the Excel 実績報告: counts only
    "export.intakes": frozenset({"admin", "suishin"}),  # every intake as records (tsunagu export)
    "export.referrals": frozenset({"agency"}),  # the referrals to the user's own agency only
})
# agency staff act only on what is referred to their own agency
_OWN_AGENCY = frozenset({"referral.view", "referral.answer"})


def _own_agency(user, obj) -> bool:
    mine = getattr(user, "agency_id", None)
    return mine is not None and obj is not None and getattr(obj, "agency_id", None) == mine


def can(user, action: str, obj=None) -> bool:
    """True if `user` (anything with .role and .active, or None) may do `action` (to `obj`)."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown permission {action!r}")
    if user is None or not getattr(user, "active", False):
        return False
    if user.role not in PERMISSIONS[action]:
        return False
    if user.role == "agency" and action in _OWN_AGENCY:
        return _own_agency(user, obj)
    return True
