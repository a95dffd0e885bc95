"""Figures about the work on cases (models/case.py: timeline, contacts, meetings, plans;
Intake.status / outcome from console/cases.py), for a period, counted in SQL.

件 (cases) and 回 (contacts) are counted apart: a case with ten phone calls is 1件 10回.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console import stats_sql as q
from console.stats_sql import rows

# timeline kinds written by the system, not by staff: they do not make a case "active"
STAFF_EVENT = "e.actor_id IS NOT NULL"


def _p(period) -> dict:
    return period.params() | {"first": period.first, "last": period.last}


def contacts(session, period) -> dict:
    """対応回数: contact_log rows that happened in the period, by method."""
    found = rows(session, """
        SELECT method, count(*), count(DISTINCT intake_id) FROM contact_log
        WHERE happened_at >= :start AND happened_at < :end GROUP BY method""", **period.params())
    by_method = {m: int(n) for m, n, _ in found}
    cases = rows(session, """SELECT count(DISTINCT intake_id) FROM contact_log
                             WHERE happened_at >= :start AND happened_at < :end""", **period.params())[0][0]
    return {"total": sum(by_method.values()), "by_method": by_method, "cases": int(cases or 0)}


def new_and_continued(session, period) -> dict:
    """相談件数: new = received in the period; continued = received before it and worked on in it
    (a staff timeline event or a contact)."""
    new = rows(session, "SELECT count(*) FROM intake WHERE received_at >= :start AND received_at < :end",
               **period.params())[0][0]
    continued = rows(session, f"""
        SELECT count(*) FROM intake i WHERE i.received_at < :start AND (
            EXISTS (SELECT 1 FROM case_event e WHERE e.intake_id = i.id AND {STAFF_EVENT}
                    AND e.at >= :start AND e.at < :end)
            OR EXISTS (SELECT 1 FROM contact_log c WHERE c.intake_id = i.id
                       AND c.happened_at >= :start AND c.happened_at < :end))""", **period.params())[0][0]
    return {"new": int(new), "continued": int(continued), "total": int(new) + int(continued)}


def _calendar_params(period, now: datetime) -> dict:
    last = max(period.last, now.astimezone(period.start.tzinfo).date()) + timedelta(days=2)
    return period.params() | {"cal": q.calendar(period.first - timedelta(days=1), last)}


def _waits_sql(d: str, first_sql: str) -> str:
    """Business minutes from receipt to the first time of `first_sql` (intake_id, t) per intake."""
    return f"""
        SELECT {q.business_minutes('f.t', 'ct', d)} - {q.business_minutes('i.received_at', 'cr', d)} AS v
        FROM intake i JOIN ({first_sql}) f ON f.intake_id = i.id
        {q.calendar_join('cr', 'i.received_at', d)} {q.calendar_join('ct', 'f.t', d)}
        WHERE i.received_at >= :start AND i.received_at < :end"""


FIRST_CLAIM = """SELECT intake_id, min(at) AS t FROM case_event
                 WHERE kind = 'claim' AND at >= :start GROUP BY intake_id"""
FIRST_CONTACT = """SELECT intake_id, min(happened_at) AS t FROM contact_log
                   WHERE happened_at >= :start GROUP BY intake_id"""


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60.0, 1)


def waits(session, period, now: datetime) -> dict:
    """Median and 90th percentile (nearest rank) of business hours to 担当決定 and to the first
    contact with the person or household."""
    d = q.dialect(session)
    params = _calendar_params(period, now)
    out = {}
    for key, first in (("claim", FIRST_CLAIM), ("contact", FIRST_CONTACT)):
        n, (median, p90) = q.nearest_rank(session, _waits_sql(d, first), (0.5, 0.9),
                                          with_sql=q.calendar_cte(d), **params)
        out[key] = {"n": n, "median_hours": _hours(median), "p90_hours": _hours(p90)}
    return out


def sla(session, period, now: datetime, hours: dict[str, float]) -> dict:
    """Intakes received in the period claimed within their tier's business hours; unclaimed ones
    count as missed once their time has run out, and are left out until then."""
    d = q.dialect(session)
    params = _calendar_params(period, now) | {"now": now.astimezone(timezone.utc)}
    limit = (f"(CASE WHEN i.crisis THEN {float(hours['crisis']) * 60} "
             f"WHEN i.urgent THEN {float(hours['wants_person']) * 60} ELSE {float(hours['other']) * 60} END)")
    waited = (f"{q.business_minutes('coalesce(f.t, :now)', 'ct', d)} - {q.business_minutes('i.received_at', 'cr', d)}")
    row = rows(session, f"""
        WITH {q.calendar_cte(d)}
        SELECT sum(CASE WHEN w.t IS NOT NULL AND w.v <= w.lim THEN 1 ELSE 0 END),
               sum(CASE WHEN w.v > w.lim THEN 1 ELSE 0 END)
        FROM (SELECT {waited} AS v, {limit} AS lim, f.t AS t
              FROM intake i LEFT JOIN ({FIRST_CLAIM}) f ON f.intake_id = i.id
              {q.calendar_join('cr', 'i.received_at', d)} {q.calendar_join('ct', 'coalesce(f.t, :now)', d)}
              WHERE i.received_at >= :start AND i.received_at < :end) w""", **params)[0]
    met, missed = int(row[0] or 0), int(row[1] or 0)
    counted = met + missed
    return {"met": met, "missed": missed, "counted": counted,
            "rate": None if not counted else round(100.0 * met / counted, 1), "hours": hours}


def meetings(session, period) -> dict:
    found = dict(rows(session, """SELECT kind, count(*) FROM meeting
                                  WHERE held_on >= :first AND held_on <= :last GROUP BY kind""", **_p(period)))
    return {k: int(v) for k, v in found.items()}


def plans(session, period) -> dict:
    made = rows(session, "SELECT count(*) FROM support_plan WHERE created_at >= :start AND created_at < :end",
                **period.params())[0][0]
    approved = rows(session, """SELECT count(*) FROM support_plan
                                WHERE approved_at >= :start AND approved_at < :end""", **period.params())[0][0]
    return {"made": int(made), "approved": int(approved)}


def closed(session, period) -> dict:
    """Cases closed in the period, each once, with the outcome of its last closing in it."""
    d = q.dialect(session)
    outcome = "e.data ->> 'outcome'" if d == "postgresql" else "json_extract(e.data, '$.outcome')"
    found = dict(rows(session, f"""
        SELECT {outcome} AS outcome, count(*) FROM case_event e
        JOIN (SELECT intake_id, max(id) AS last_id FROM case_event
              WHERE kind = 'close' AND at >= :start AND at < :end GROUP BY intake_id) last ON last.last_id = e.id
        GROUP BY outcome""", **period.params()))
    by_outcome = {k: int(v) for k, v in found.items()}
    return {"total": sum(by_outcome.values()), "by_outcome": by_outcome}


def indicators(session, period) -> dict:
    """The Koganei 実施計画 評価指標 for a fiscal year (definitions in console/data/stats.yaml)."""
    p = _p(period)
    meeting_counts = meetings(session, period)
    contact_count = rows(session, """SELECT count(*) FROM contact_log
                                     WHERE happened_at >= :start AND happened_at < :end""", **p)[0][0]
    closed_cases = rows(session, """SELECT count(DISTINCT intake_id) FROM case_event
                                    WHERE kind = 'close' AND at >= :start AND at < :end""", **p)[0][0]
    agencies = rows(session, """SELECT count(DISTINCT agency_id) FROM referral
                                WHERE created_at >= :start AND created_at < :end""", **p)[0][0]
    return {
        "plans": plans(session, period)["approved"],
        "jusoteki_meetings": meeting_counts.get("jusoteki", 0),
        "shien_meetings": meeting_counts.get("shien", 0),
        "contacts": int(contact_count) + sum(meeting_counts.values()),
        "closed": int(closed_cases),
        "agencies": int(agencies),
    }
