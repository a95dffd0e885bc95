"""What the resident marked on the checklist, apart from what a crisis implied before they saw it.

An intake opened by a crisis line before the checklist (complete = False) holds in `categories`
the items its crisis implies (dialogs/record.py): the resident did not tick them. Staff see them
as 推定 and statistics do not count them (console/stats.py RESIDENT_MARKED does the same in SQL).
"""
from __future__ import annotations

from dialogs import checklist


def implied(intake) -> set[str]:
    """Items only the crisis put in `categories` (empty for a whole intake)."""
    if intake.complete or not intake.crisis:
        return set()
    return set(checklist.for_crisis(intake.crisis_kinds or []))


def marked(intake) -> list[str]:
    guessed = implied(intake)
    return [c for c in intake.categories or [] if c not in guessed]


def primary(intake) -> str | None:
    return None if intake.primary in implied(intake) else intake.primary


def suggested(intake) -> list[str]:
    """The classifier's guesses and the crisis-implied items, in form order."""
    guessed = implied(intake) & set(intake.categories or [])
    return checklist.ordered([*(intake.suggested or []), *guessed])
