"""Business days (土日・祝日・年末年始 closed, from dialogs/data/office.yaml and jpholiday)."""
from __future__ import annotations

from datetime import datetime, timedelta

from dialogs.office_hours import _clock, _settings, is_business_day, zone


def after_business_days(start: datetime, days: int) -> datetime:
    """The close of the `days`-th business day after the day of `start` (JST).

    Sent on Friday with days=3: the deadline is Wednesday 17:00 (Mon, Tue, Wed counted),
    one day later for each 祝日 in between. days=0: the close of the same day.
    """
    if days < 0:
        raise ValueError("days must be 0 or more")
    day = start.astimezone(zone()).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return datetime.combine(day, _clock(_settings()["close"]), tzinfo=zone())
