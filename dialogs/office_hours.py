"""Office hours with 祝日 and 年末年始: when will staff read this?"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

from .texts import load_yaml, text, wording


def _settings() -> dict:
    return load_yaml("office.yaml")


def zone() -> ZoneInfo:
    return ZoneInfo(_settings()["timezone"])


def _clock(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def is_business_day(day) -> bool:
    s = _settings()
    return (
        day.weekday() in s["weekdays"]
        and not jpholiday.is_holiday(day)
        and day.strftime("%m-%d") not in s["closed_dates"]
    )


def is_open(now: datetime) -> bool:
    local = now.astimezone(zone())
    s = _settings()
    return is_business_day(local.date()) and _clock(s["open"]) <= local.time() < _clock(s["close"])


def next_opening(now: datetime) -> datetime:
    """The next moment the office opens (now itself if open)."""
    local = now.astimezone(zone())
    if is_open(local):
        return local
    opening = _clock(_settings()["open"])
    day = local.date()
    if local.time() >= opening:
        day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, opening, tzinfo=zone())


def format_time(moment: datetime, lang: str) -> str:
    return text(lang, "time_format").format(
        month=moment.month,
        day=moment.day,
        weekday=wording(lang)["weekdays"][moment.weekday()],
        hour=moment.hour,
        minute=moment.minute,
    )


def office_hours_sentence(now: datetime, lang: str) -> str:
    if is_open(now):
        return text(lang, "office_open")
    return text(lang, "office_closed", next_open=format_time(next_opening(now), lang))


def web_session_hours() -> int:
    """How long a web-chat browser can still see staff replies after its last message."""
    return load_yaml("flow.yaml")["web_session_hours"]


def web_chat_reaches_staff(now: datetime) -> bool:
    """A web-chat reply is seen only while the browser's chat lasts (web_session_hours after the
    resident's last message). このチャットで is offered, and promised, only when staff read it
    with an hour to spare inside that window — not at night, when the chat is gone by morning."""
    window_ends = now + timedelta(hours=web_session_hours())
    return next_opening(now) + timedelta(hours=1) <= window_ends
