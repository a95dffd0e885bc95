"""SQL fragments the statistics need that differ between PostgreSQL and SQLite: local
(JST) dates, the items of a JSON list, business minutes and percentiles.

Everything is counted in the database; Python only builds the SQL and a small calendar.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import ARRAY, Date, DateTime, Integer, String, bindparam, text

from dialogs import office_hours

UTC_TIME = DateTime(timezone=True)
TIME_PARAMS = ("start", "end", "now")
DATE_PARAMS = ("first", "last")


def dialect(session) -> str:
    return session.get_bind().dialect.name


def rows(session, sql: str, **params) -> list:
    """Run `sql`; parameters named start / end / now are bound as UTC times and first / last
    as dates (so SQLite gets the same text format the columns are stored in), lists as arrays."""
    statement = text(sql)
    typed = [bindparam(name, type_=UTC_TIME) for name in TIME_PARAMS if f":{name}" in sql]
    typed += [bindparam(name, type_=Date()) for name in DATE_PARAMS if f":{name}" in sql]
    for name, value in params.items():  # lists (PostgreSQL only): arrays of their items' type
        if isinstance(value, list) and value:
            item = {int: Integer(), str: String(), datetime: UTC_TIME}[type(value[0])]
            typed.append(bindparam(name, type_=ARRAY(item)))
    if typed:
        statement = statement.bindparams(*typed)
    return list(session.execute(statement, params))


def tune_for_reports(session) -> None:
    """PostgreSQL, for the rest of this transaction (console/stats_together.py): no JIT.
    Compiling the expressions of a report's scans costs more than running them (10–110 ms a
    statement at 100,000 intakes)."""
    if dialect(session) == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


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


def bucket(column: str, d: str, pattern: str, starts: list[datetime], keys: list[str]) -> tuple[str, dict]:
    """(SQL, params): the local() text key of `column`'s bucket. On PostgreSQL the key of the
    bucket width_bucket finds among the buckets' `starts` (a binary search: a third of the cost
    of to_char in local time per row); SQLite formats the local time."""
    if d == "postgresql":
        return (f"(CAST(:bucket_keys AS text[]))[width_bucket({column}, CAST(:bucket_starts AS timestamptz[]))]",
                {"bucket_keys": keys, "bucket_starts": [s.astimezone(timezone.utc) for s in starts]})
    return local(column, d, pattern), {}


def json_items(column: str, d: str, alias: str) -> str:
    """A FROM item giving one row per element of the JSON list `column`, as `alias`.value."""
    if d == "postgresql":
        return f"CROSS JOIN LATERAL json_array_elements_text({column}) AS {alias}(value)"
    return f"CROSS JOIN json_each({column}) AS {alias}"


def grouped(session, source_sql: str, sets: dict[str, str | None], measures: list[str], **params) -> dict:
    """{set: {key: (measures...)}}: `measures` over the rows of `source_sql` (FROM ... WHERE
    ...), grouped by each expression of `sets` apart, in one scan on PostgreSQL (GROUPING
    SETS); SQLite, which has none, gets one GROUP BY per set joined by UNION ALL. A set whose
    expression is None counts all rows, under the key None. Keys come back as text."""
    names, measured = list(sets), ", ".join(measures)
    if dialect(session) == "postgresql":
        real = [(i, e) for i, e in enumerate(sets.values()) if e]
        total = next((i for i, e in enumerate(sets.values()) if not e), -1)
        which = " ".join(f"WHEN GROUPING({e}) = 0 THEN {i}" for i, e in real)
        key = " ".join(f"WHEN GROUPING({e}) = 0 THEN CAST({e} AS text)" for _, e in real)
        groups = ", ".join(f"({e})" if e else "()" for e in sets.values())
        sql = (f"SELECT CASE {which} ELSE {total} END, CASE {key} END, {measured} {source_sql} "
               f"GROUP BY GROUPING SETS ({groups})")
    else:
        sql = " UNION ALL ".join(
            f"SELECT {i}, {e or 'NULL'}, {measured} {source_sql}" + (f" GROUP BY {e}" if e else "")
            for i, e in enumerate(sets.values()))
    found = {n: {} for n in names}
    for row in rows(session, sql, **params):
        found[names[row[0]]][row[1]] = tuple(row[2:])
    return found


# ---- business minutes -----------------------------------------------------------------

def _offset_minutes() -> int:
    return int(datetime(2000, 1, 1, tzinfo=office_hours.zone()).utcoffset().total_seconds() // 60)


def local_minute(column: str, d: str) -> str:
    """SQL: `column` (UTC) as whole local minutes since 1970-01-01 00:00 (an integer: the local
    day is m / 1440, the time of day m % 1440). Integer arithmetic, no time zone lookup per row."""
    if d == "postgresql":
        return f"(floor(date_part('epoch', {column}) / 60)::int + {_offset_minutes()})"
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / 60 + {_offset_minutes()})"


def _clock_minutes(value: str) -> int:
    hour, minute = value.split(":")
    return int(hour) * 60 + int(minute)


class BusinessClock:
    """Business minutes (office hours, weekdays, 祝日, 年末年始) from `first` to `last`. Each
    day is one number, before * 2 + open: the minutes the office had been open before that
    day, and whether it opens that day — computed in Python once per query.

    PostgreSQL looks a day up in an integer array bound as :cal; SQLite, which has no arrays,
    joins the days as a small table (with_sql / join). Given a local_minute() m:
        day = clock.day("m", alias)               the day's number (NULL outside the calendar)
        clock.minutes("day", "m")                 business minutes from `first` to m
    The difference of two is the office time between them: a message at night counts from
    the next opening."""

    def __init__(self, d: str, first: date, last: date):
        s = office_hours._settings()
        self.d = d
        self.opening = _clock_minutes(s["open"])
        self.span = _clock_minutes(s["close"]) - self.opening
        days, before, day = [], 0, first
        while day <= last:
            is_open = office_hours.is_business_day(day)
            days.append(before * 2 + int(is_open))
            before += self.span if is_open else 0
            day += timedelta(days=1)
        self.params = {"cal": days if d == "postgresql" else json.dumps(days),
                       "day0": (first - date(1970, 1, 1)).days}

    @property
    def with_sql(self) -> str:
        """`WITH` item the clock needs (SQLite: the days as a table; PostgreSQL: none)."""
        if self.d == "postgresql":
            return ""
        return "calendar AS (SELECT key + :day0 AS day, value FROM json_each(:cal))"

    def join(self, minute: str, alias: str) -> str:
        """FROM item that day(minute, alias) needs (SQLite only)."""
        if self.d == "postgresql":
            return ""
        return f"LEFT JOIN calendar {alias} ON {alias}.day = {minute} / 1440"

    def day(self, minute: str, alias: str) -> str:
        if self.d == "postgresql":
            return f"(:cal)[{minute} / 1440 - :day0 + 1]"
        return f"{alias}.value"

    def once(self, minute: str) -> str:
        """SQL: business minutes to a local minute that is the same for every row (a scalar
        subquery, computed once per statement)."""
        if self.d == "postgresql":
            return f"(SELECT {self.minutes(self.day(minute, ''), minute)})"
        return f"(SELECT {self.minutes('k.value', minute)} FROM calendar k WHERE k.day = {minute} / 1440)"

    def minutes(self, day: str, minute: str) -> str:
        """SQL: business minutes from the first day to local minute `minute`, whose day() is `day`."""
        clamp = "LEAST(GREATEST({x}, 0), {span})" if self.d == "postgresql" else "min(max({x}, 0), {span})"
        within = clamp.format(x=f"{minute} % 1440 - {self.opening}", span=self.span)
        return f"({day} / 2 + {day} % 2 * {within})"


def nearest_rank(session, values_sql: str, fractions: tuple[float, ...], with_sql: str = "",
                 **params) -> tuple[int, list]:
    """(n, [value at rank ceil(f * n)]) of column v of `values_sql` (SQLite; PostgreSQL has
    percentile_disc, the same definition, see summary())."""
    with_sql = f"WITH {with_sql} " if with_sql else ""
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


def summary(session, source_sql: str, counts: dict[str, str], ranked: tuple[str, ...],
            fractions: tuple[float, ...], with_sql: str = "", **params) -> dict:
    """Over the rows of `source_sql`: {name: rows where the condition holds} for `counts`, and
    {column: (n, [nearest-rank percentile per fraction])} for `ranked` (NULLs left out). On
    PostgreSQL one statement (FILTER, percentile_disc); on SQLite one count plus one
    ORDER BY ... OFFSET per percentile."""
    d = dialect(session)
    with_head = f"WITH {with_sql} " if with_sql else ""
    if d == "postgresql":
        parts = [f"count(*) FILTER (WHERE {cond})" for cond in counts.values()]
        spread = "ARRAY[" + ", ".join(str(f) for f in fractions) + "]::float8[]"
        for column in ranked:
            parts += [f"count({column})", f"percentile_disc({spread}) WITHIN GROUP (ORDER BY {column})"]
        row = rows(session, f"{with_head}SELECT {', '.join(parts)} FROM ({source_sql}) AS s", **params)[0]
        out = {name: int(row[i]) for i, name in enumerate(counts)}
        for i, column in enumerate(ranked):
            n, values = row[len(counts) + 2 * i], row[len(counts) + 2 * i + 1]
            out[column] = (int(n), [None if v is None else float(v) for v in (values or [None] * len(fractions))])
        return out
    parts = [f"coalesce(sum(CASE WHEN {cond} THEN 1 ELSE 0 END), 0)" for cond in counts.values()] or ["0"]
    row = rows(session, f"{with_head}SELECT {', '.join(parts)} FROM ({source_sql}) AS s", **params)[0]
    out = {name: int(row[i]) for i, name in enumerate(counts)}
    for column in ranked:
        out[column] = nearest_rank(session, f"SELECT {column} AS v FROM ({source_sql}) AS s", fractions,
                                   with_sql=with_sql, **params)
    return out
