"""Figures about the work on cases (models/case.py: timeline, contacts, meetings, plans;
Intake.status / outcome from console/cases.py), for a period, counted in SQL.

件 (cases) and 回 (contacts) are counted apart: a case with ten phone calls is 1件 10回.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from console import stats_sql as q
from console.stats_sql import rows

# timeline kinds written by the system, not by staff: they do not make a case "active"
STAFF_EVENT = "e.actor_id IS NOT NULL"


def _p(period) -> dict:
    return period.params() | {"first": period.first, "last": period.last}


def contacts(session, period) -> dict:
    """対応回数: contact_log rows that happened in the period, by method; and how many cases."""
    found = rows(session, """
        SELECT method, count(*) FROM contact_log
        WHERE happened_at >= :start AND happened_at < :end GROUP BY method""", **period.params())
    by_method = {m: int(n) for m, n in found}
    cases = rows(session, """SELECT count(DISTINCT intake_id) FROM contact_log
                             WHERE happened_at >= :start AND happened_at < :end""", **period.params())[0][0]
    return {"total": sum(by_method.values()), "by_method": by_method, "cases": int(cases or 0)}


def continued(session, period) -> int:
    """継続: intakes received before the period and worked on in it (a staff timeline event or
    a contact)."""
    return int(rows(session, f"""
        SELECT count(*) FROM intake i WHERE i.received_at < :start AND (
            EXISTS (SELECT 1 FROM case_event e WHERE e.intake_id = i.id AND {STAFF_EVENT}
                    AND e.at >= :start AND e.at < :end)
            OR EXISTS (SELECT 1 FROM contact_log c WHERE c.intake_id = i.id
                       AND c.happened_at >= :start AND c.happened_at < :end))""", **period.params())[0][0])


def new_and_continued(session, period) -> dict:
    """相談件数: new = received in the period; continued (continued())."""
    new = int(rows(session, "SELECT count(*) FROM intake WHERE received_at >= :start AND received_at < :end",
                   **period.params())[0][0])
    later = continued(session, period)
    return {"new": new, "continued": later, "total": new + later}


FIRST_CLAIM = """SELECT intake_id, min(at) AS t FROM case_event
                 WHERE kind = 'claim' AND at >= :start GROUP BY intake_id"""
FIRST_CONTACT = """SELECT intake_id, min(happened_at) AS t FROM contact_log
                   WHERE happened_at >= :start GROUP BY intake_id"""


def _clock(session, period, now: datetime) -> q.BusinessClock:
    last = max(period.last, now.astimezone(period.start.tzinfo).date()) + timedelta(days=2)
    return q.BusinessClock(q.dialect(session), period.first - timedelta(days=1), last)


def _per_intake(clock: q.BusinessClock, d: str, hours: dict[str, float]) -> str:
    """One row per intake received in the period: business minutes from receipt to the first
    担当決定 (claim_wait), to the first contact (contact_wait), and to the first claim or, if
    none yet, to :now (sla_wait); whether it was claimed; its tier's limit in whole minutes
    (the waits are whole minutes, so `wait <= floor(limit)` is `wait <= limit`).

    Three steps, each computed once per row (OFFSET 0 keeps PostgreSQL from folding them
    together and repeating the work): the local minute of each time (r received, f first
    claim, c first contact), its calendar day, its business minutes."""
    limit = "CASE WHEN i.crisis THEN {crisis} WHEN i.urgent THEN {wants_person} ELSE {other} END".format(
        **{tier: math.floor(float(h) * 60) for tier, h in hours.items()})
    lm = lambda column: q.local_minute(column, d)  # noqa: E731
    fence = "OFFSET 0" if d == "postgresql" else ""
    times = ("r", "f", "c")
    days = ", ".join(f"{clock.day(t, 'k_' + t)} AS {t}_day" for t in times)
    joins = " ".join(clock.join(t, "k_" + t) for t in times)
    bm = {t: clock.minutes(f"{t}_day", t) for t in times}
    now = clock.once(lm(":now"))
    return f"""
        SELECT {bm['f']} - {bm['r']} AS claim_wait, {bm['c']} - {bm['r']} AS contact_wait,
               CASE WHEN claimed THEN {bm['f']} ELSE {now} END - {bm['r']} AS sla_wait, claimed, lim
        FROM (SELECT r, f, c, {days}, claimed, lim
              FROM (SELECT {lm('i.received_at')} AS r, {lm('f.t')} AS f, {lm('c.t')} AS c,
                           f.t IS NOT NULL AS claimed, {limit} AS lim
                    FROM intake i LEFT JOIN ({FIRST_CLAIM}) f ON f.intake_id = i.id
                                  LEFT JOIN ({FIRST_CONTACT}) c ON c.intake_id = i.id
                    WHERE i.received_at >= :start AND i.received_at < :end {fence}) AS local_minutes
              {joins} {fence}) AS calendar_days"""


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60.0, 1)


def timings(session, period, now: datetime, hours: dict[str, float]) -> dict:
    """Waits and SLA in one pass over the intakes of the period (see waits() and sla())."""
    d = q.dialect(session)
    clock = _clock(session, period, now)
    found = q.summary(session, _per_intake(clock, d, hours),
                      counts={"met": "claimed AND sla_wait <= lim", "missed": "sla_wait > lim"},
                      ranked=("claim_wait", "contact_wait"), fractions=(0.5, 0.9), with_sql=clock.with_sql,
                      **period.params(), now=now.astimezone(timezone.utc), **clock.params)
    waits = {}
    for key in ("claim", "contact"):
        n, (median, p90) = found[f"{key}_wait"]
        waits[key] = {"n": n, "median_hours": _hours(median), "p90_hours": _hours(p90)}
    met, missed = found["met"], found["missed"]
    counted = met + missed
    return {"waits": waits,
            "sla": {"met": met, "missed": missed, "counted": counted,
                    "rate": None if not counted else round(100.0 * met / counted, 1), "hours": hours}}


def waits(session, period, now: datetime, hours: dict[str, float] | None = None) -> dict:
    """Median and 90th percentile (nearest rank) of business hours to 担当決定 and to the first
    contact with the person or household."""
    return timings(session, period, now, hours or {"crisis": 0, "wants_person": 0, "other": 0})["waits"]


def sla(session, period, now: datetime, hours: dict[str, float]) -> dict:
    """Intakes received in the period claimed within their tier's business hours; unclaimed ones
    count as missed once their time has run out, and are left out until then."""
    return timings(session, period, now, hours)["sla"]


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
