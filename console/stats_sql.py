"""SQL fragments the statistics need that differ between PostgreSQL and SQLite: local
(JST) dates, the items of a JSON list, business minutes and percentiles.

Everything is counted in the database; Python only builds the SQL and a small calendar.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta

from sqlalchemy import Date, DateTime, bindparam, text

from dialogs import office_hours

UTC_TIME = DateTime(timezone=True)
TIME_PARAMS = ("start", "end", "now")
DATE_PARAMS = ("first", "last")


def dialect(session) -> str:
    return session.get_bind().dialect.name


def rows(session, sql: str, **params) -> list:
    """Run `sql`; parameters named start / end / now are bound as UTC times and first / last
    as dates (so SQLite gets the same text format the columns are stored in)."""
    statement = text(sql)
    typed = [bindparam(name, type_=UTC_TIME) for name in TIME_PARAMS if f":{name}" in sql]
    typed += [bindparam(name, type_=Date()) for name in DATE_PARAMS if f":{name}" in sql]
    if typed:
        statement = statement.bindparams(*typed)
    return list(session.execute(statement, params))


def _offset_hours() -> int:
    """Japan has no summer time, so a fixed offset is exact (SQLite has no time zones)."""
    return int(datetime(2000, 1, 1, tzinfo=office_hours.zone()).utcoffset().total_seconds() // 3600)


def local(column: str, d: str, pattern: str) -> str:
    """`column` (UTC) as local text; pattern is 'day' (YYYY-MM-DD) or 'month' (YYYY-MM)."""
    if d == "postgresql":
        fmt = {"day": "YYYY-MM-DD", "month": "YYYY-MM"}[pattern]
        return f"to_char({column} AT TIME ZONE '{office_hours.zone().key}', '{fmt}')"
    fmt = {"day": "%Y-%m-%d", "month": "%Y-%m"}[pattern]
    return f"strftime('{fmt}', {column}, '+{_offset_hours()} hours')"


def _local_minutes(column: str, d: str) -> str:
    if d == "postgresql":
        moment = f"({column} AT TIME ZONE '{office_hours.zone().key}')"
        return f"(EXTRACT(HOUR FROM {moment}) * 60 + EXTRACT(MINUTE FROM {moment}))"
    shift = f"'+{_offset_hours()} hours'"
    return (f"(CAST(strftime('%H', {column}, {shift}) AS INTEGER) * 60"
            f" + CAST(strftime('%M', {column}, {shift}) AS INTEGER))")


def json_items(column: str, d: str, alias: str) -> str:
    """A FROM item giving one row per element of the JSON list `column`, as `alias`.value."""
    if d == "postgresql":
        return f"CROSS JOIN LATERAL json_array_elements_text({column}) AS {alias}(value)"
    return f"CROSS JOIN json_each({column}) AS {alias}"


# ---- business minutes -----------------------------------------------------------------

def _clock_minutes(value: str) -> int:
    hour, minute = value.split(":")
    return int(hour) * 60 + int(minute)


def calendar(first: date, last: date) -> str:
    """JSON {day: minutes_before_day * 2 + open} from `first` to `last`: the business minutes
    that passed before each day starts, and whether the office opens that day."""
    s = office_hours._settings()
    span = _clock_minutes(s["close"]) - _clock_minutes(s["open"])
    days, before, day = {}, 0, first
    while day <= last:
        is_open = office_hours.is_business_day(day)
        days[day.isoformat()] = before * 2 + int(is_open)
        before += span if is_open else 0
        day += timedelta(days=1)
    return json.dumps(days)


def calendar_cte(d: str) -> str:
    """`WITH` item: the calendar (:cal) as a small table (day, before, open), built once per
    query and joined by local day (calendar_join) — far cheaper than a JSON lookup per row."""
    if d == "postgresql":
        return ("calendar AS (SELECT key::date AS day, value::int / 2 AS before, value::int % 2 AS open "
                "FROM jsonb_each_text(CAST(:cal AS jsonb)))")
    return "calendar AS (SELECT key AS day, value / 2 AS before, value % 2 AS open FROM json_each(:cal))"


def _local_day(column: str, d: str) -> str:
    if d == "postgresql":
        return f"({column} AT TIME ZONE '{office_hours.zone().key}')::date"
    return local(column, d, "day")


def calendar_join(alias: str, column: str, d: str, outer: bool = False) -> str:
    """JOIN the calendar row of `column`'s local day as `alias` (use with business_minutes)."""
    kind = "LEFT JOIN" if outer else "JOIN"
    return f"{kind} calendar {alias} ON {alias}.day = {_local_day(column, d)}"


def business_minutes(column: str, alias: str, d: str) -> str:
    """SQL: business minutes from the calendar's first day to `column`, whose calendar row is
    joined as `alias` (calendar_join). The difference of two is the office time between them:
    a message at night counts from the next opening."""
    s = office_hours._settings()
    opening, span = _clock_minutes(s["open"]), _clock_minutes(s["close"]) - _clock_minutes(s["open"])
    clamp = "LEAST(GREATEST({x}, 0), {span})" if d == "postgresql" else "min(max({x}, 0), {span})"
    within = clamp.format(x=f"{_local_minutes(column, d)} - {opening}", span=span)
    return f"({alias}.before + {alias}.open * {within})"


def nearest_rank(session, values_sql: str, fractions: tuple[float, ...], with_sql: str = "",
                 **params) -> tuple[int, list]:
    """(n, [value at rank ceil(f * n)]) of column v of `values_sql`: percentile_disc on
    PostgreSQL (one query), the same definition by ORDER BY ... OFFSET on SQLite."""
    d = dialect(session)
    with_sql = f"WITH {with_sql} " if with_sql else ""
    if d == "postgresql":
        parts = ", ".join(f"percentile_disc({f}) WITHIN GROUP (ORDER BY v)" for f in fractions)
        row = rows(session, f"{with_sql}SELECT count(v), {parts} FROM ({values_sql}) AS waited WHERE v IS NOT NULL",
                   **params)[0]
        return int(row[0]), [None if v is None else float(v) for v in row[1:]]
    n = rows(session, f"{with_sql}SELECT count(v) FROM ({values_sql}) AS waited WHERE v IS NOT NULL", **params)[0][0]
    found = []
    for fraction in fractions:
        if not n:
            found.append(None)
            continue
        rank = max(1, math.ceil(fraction * n))
        value = rows(session, f"{with_sql}SELECT v FROM ({values_sql}) AS waited WHERE v IS NOT NULL "
                              f"ORDER BY v LIMIT 1 OFFSET {rank - 1}", **params)[0][0]
        found.append(float(value))
    return int(n), found
