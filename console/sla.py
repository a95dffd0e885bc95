"""SLA deadlines in business hours (dialogs/data/office.yaml, 祝日 from jpholiday): the clock
runs only while the office is open, so an after-hours intake counts from the next opening.

Deadlines grow with the time of receipt, so "overdue now" is the same as "received before a
threshold": the queue filters on an indexed column instead of storing a deadline per row.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from dialogs import office_hours
from models.base import as_utc

TIERS = ("crisis", "wants_person", "other")


def tier(crisis: bool, urgent: bool) -> str:
    return "crisis" if crisis else "wants_person" if urgent else "other"


def hours_for(tier_name: str) -> float:
    """Business hours allowed for a first response: 管理 → 設定 (console/config_store.py)."""
    from console import config_store

    return float(config_store.cached(f"sla_hours_{tier_name}"))


@lru_cache(maxsize=4096)
def _closing(day) -> datetime:
    settings = office_hours._settings()
    hour, minute = settings["close"].split(":")
    return datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=office_hours.zone())


def add_business_hours(start: datetime, hours: float) -> datetime:
    """The moment `hours` of opening time have passed after `start`."""
    left = timedelta(hours=hours)
    moment = office_hours.next_opening(as_utc(start))
    while True:
        closing = _closing(moment.date())
        if moment + left <= closing:
            return moment + left
        left -= closing - moment
        moment = office_hours.next_opening(closing + timedelta(seconds=1))


def deadline(received_at: datetime, crisis: bool, urgent: bool) -> datetime:
    return add_business_hours(received_at, hours_for(tier(crisis, urgent)))


def overdue_before(now: datetime, tier_name: str) -> datetime:
    """Intakes of this tier received before the returned moment are overdue at `now`."""
    hours = hours_for(tier_name)
    low, high = as_utc(now) - timedelta(days=60), as_utc(now)
    if add_business_hours(high, hours) <= now:
        return high
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if add_business_hours(middle, hours) <= now:
            low = middle
        else:
            high = middle
    return low
