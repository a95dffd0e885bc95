"""Who may do what in the console: a closed list of permission names and one `can()`.

Checked on the server for every request; templates only use `can()` to hide what the
server would refuse anyway.

- admin, suishin (推進員): the queue with what each worry is about, and every intake in full.
  Changing a case (triage, meetings, plans, contacts, close) is for its assignee (or admin):
  claim it first. Approving a 支援プラン is for city staff (StaffUser.city_staff) or admin.
- viewer (閲覧のみ): statistics only - the 統計 and 件数 pages and the Excel 実績報告 (counts).
  No queue: its rows are cases one by one (receipt numbers, assignees), which is not statistics.
- agency (関係機関職員): only what is referred to their agency (console referrals).
"""
from __future__ import annotations

COORDINATORS = frozenset({"admin", "suishin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "queue.view": COORDINATORS,  # case by case: receipt numbers, times, assignees
    "queue.view_topics": COORDINATORS,  # ◎/〇 items and crisis kinds per row
    "intake.view": COORDINATORS,  # the detail page: free text, people, consent
    "events.manage": frozenset({"admin"}),  # messages the bot could not handle: list, retry
    "case.claim": COORDINATORS,
    "case.reassign": COORDINATORS,  # the assignee hands over; admin may move any case
    "case.work": COORDINATORS,  # triage, move, meeting, plan, contact, close: assignee or admin
    "case.reopen": COORDINATORS,
    "plan.approve": COORDINATORS,  # and city staff, unless admin
    "consent.override": COORDINATORS,  # assignee or admin, with a written reason
    "counts.view": frozenset({"admin", "suishin", "viewer"}),
}

# actions on one case that only its assignee (or admin) may take
_ASSIGNEE_ONLY = frozenset({"case.reassign", "case.work", "consent.override"})


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
_ASSIGNEE_ONLY = _ASSIGNEE_ONLY | {"referral.create", "referral.withdraw", "resident.reply"}
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
    if user.role == "admin":
        return True
    if action in _ASSIGNEE_ONLY and obj is not None:
        return getattr(obj, "assignee_id", None) == getattr(user, "id", None)
    if action == "plan.approve":
        return bool(getattr(user, "city_staff", False))
    return True
