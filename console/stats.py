"""The figures a municipality reports, for a month or a fiscal year (April–March), counted
in SQL. No personal data leaves this module: only counts, ids of checklist items, channels,
roles, agencies and outcomes.

Definitions (shown on the page) live in console/data/stats.yaml.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path

import yaml

from console import stats_cases, stats_together
from console.i18n import t
from console import stats_sql as q
from console.stats_sql import rows
from dialogs import checklist, office_hours


class PeriodError(ValueError):
    """The period asked for is not a month or fiscal year we can count."""


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "year" (fiscal year)
    first: date  # first day, local
    last: date  # last day, local (inclusive)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise PeriodError("month")
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls("month", date(year, month, 1), following - timedelta(days=1))

    @classmethod
    def fiscal_year(cls, year: int) -> "Period":
        """年度 `year`: April `year` to March `year + 1`."""
        if not 2000 <= year <= 2100:
            raise PeriodError("year")
        return cls("year", date(year, 4, 1), date(year + 1, 3, 31))

    @classmethod
    def parse(cls, value: str | None, today: date) -> "Period":
        """'2026' (fiscal year), '2026-11' (month); empty: the current fiscal year."""
        value = (value or "").strip()
        if not value:
            return cls.fiscal_year(fiscal_year_of(today))
        if re.fullmatch(r"\d{4}", value):
            return cls.fiscal_year(int(value))
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if found:
            return cls.month(int(found[1]), int(found[2]))
        raise PeriodError(value)

    @property
    def key(self) -> str:
        return f"{self.first.year}" if self.kind == "year" else f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return wording()["period"]["year"].format(year=self.first.year, reiwa=self.first.year - 2018)
        return wording()["period"]["month"].format(year=self.first.year, month=self.first.month)

    @property
    def shown(self) -> str:
        """The label in the console's language (the Excel report keeps `label`, in Japanese)."""
        words = wording()["period"]
        if self.kind == "year":
            return t(words["year"], year=self.first.year, reiwa=self.first.year - 2018)
        return t(words["month"], year=self.first.year, month=self.first.month)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=office_hours.zone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=office_hours.zone())

    def buckets(self) -> list[str]:
        """The chart's x axis: months of a fiscal year, days of a month (local text keys)."""
        if self.kind == "year":
            return [f"{self.first.year + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(12)]
        return [(self.first + timedelta(days=n)).isoformat() for n in range((self.last - self.first).days + 1)]

    def bucket_starts(self) -> list[datetime]:
        """The local midnight each bucket of buckets() begins at."""
        days = [date.fromisoformat(key if self.kind == "month" else f"{key}-01") for key in self.buckets()]
        return [datetime.combine(day, time(0), tzinfo=office_hours.zone()) for day in days]

    def params(self) -> dict:
        """UTC bounds: SQLite stores UTC text and ignores an offset on a bound value."""
        return {"start": self.start.astimezone(timezone.utc), "end": self.end.astimezone(timezone.utc)}


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "stats.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass
class Row:
    key: str
    label: str
    value: int
    extra: dict = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def _labelled(found: dict, table: dict, order=None) -> list[Row]:
    keys = list(order or table)
    keys += sorted(k for k in found if k not in keys)
    return [Row(k, table.get(k, k), int(found.get(k, 0))) for k in keys]


# ---- intakes ---------------------------------------------------------------------------

IN_PERIOD = "received_at >= :start AND received_at < :end"


def intake_counts(session, period: Period) -> dict:
    """One scan of the intakes received in the period: the totals, and counts per time bucket,
    channel, reporter role and ◎ item (console/stats_sql.grouped)."""
    bucket, bucket_params = q.bucket("received_at", q.dialect(session), "month" if period.kind == "year" else "day",
                                     period.bucket_starts(), period.buckets())
    measures = ["count(*)", "sum(CASE WHEN after_hours THEN 1 ELSE 0 END)", "sum(CASE WHEN crisis THEN 1 ELSE 0 END)",
                "sum(CASE WHEN wants_person THEN 1 ELSE 0 END)",
                # "who" unanswered (a crisis line before the first question) is 匿名, not 本人以外
                "sum(CASE WHEN reporter_role NOT IN ('self', 'anonymous') THEN 1 ELSE 0 END)"]
    found = q.grouped(session, f"FROM intake WHERE {IN_PERIOD}",
                      {"all": None, "bucket": bucket, "channel": "channel", "reporter_role": "reporter_role",
                       "primary": f'CASE WHEN {RESIDENT_MARKED} THEN "primary" END'}, measures, **period.params(), **bucket_params)
    return {name: {k: int(v[0] or 0) for k, v in by_key.items()} for name, by_key in found.items()} | {
        "totals": tuple(int(v or 0) for v in found["all"].get(None, (0,) * len(measures)))}


def intake_totals(counts: dict) -> dict:
    total, after, crisis, wants_person, others = counts["totals"]
    return {"intakes": total, "after_hours": after, "after_hours_share": _share(after, total),
            "crisis": crisis, "wants_person": wants_person, "third_party": others}


def intakes_over_time(counts: dict, period: Period) -> list[Row]:
    found = counts["bucket"]
    out = []
    for key in period.buckets():
        label = f"{int(key[5:7])}月" if period.kind == "year" else f"{int(key[8:10])}"
        out.append(Row(key, label, int(found.get(key, 0))))
    return out


# An intake opened by a crisis line before the checklist (complete = false) holds the items its
# crisis implies: the resident did not tick them (推定), so they are not counted; what such an
# intake holds beyond them is counted (console/stats.py crisis_opened).
RESIDENT_MARKED = "(intake.complete OR NOT intake.crisis)"


def marked_categories(session, period: Period) -> dict:
    """Per checklist item: intakes of the period that marked it (〇, the ◎ included); and, under
    "primary", the ◎ of crisis-opened intakes that the crisis did not imply (the rest of the ◎
    come from intake_counts)."""
    d = q.dialect(session)
    marked = dict(rows(session, f"""
        SELECT item.value, count(*) FROM intake {q.json_items('intake.categories', d, 'item')}
        WHERE {IN_PERIOD.replace('received_at', 'intake.received_at')} AND {RESIDENT_MARKED}
        GROUP BY item.value""", **period.params()))
    primary: dict[str, int] = {}
    for categories, main, kinds in rows(session, f"""
            SELECT categories, "primary", crisis_kinds FROM intake
            WHERE {IN_PERIOD.replace('received_at', 'intake.received_at')} AND NOT {RESIDENT_MARKED}""",
                                        **period.params()):
        implied = set(checklist.for_crisis(_json_list(kinds)))
        for item in _json_list(categories):
            if item not in implied:
                marked[item] = marked.get(item, 0) + 1
        if main and main not in implied:
            primary[main] = primary.get(main, 0) + 1
    return {"marked": marked, "primary": primary}


def _json_list(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def by_category(found: dict, primary: dict) -> list[Row]:
    """Each checklist item: intakes that marked it and that chose it as ◎ (from intake_counts
    and marked_categories)."""
    marked = found["marked"]
    primary = {k: int(v or 0) + found["primary"].get(k, 0) for k, v in primary.items()} | {
        k: v for k, v in found["primary"].items() if k not in primary}
    return [Row(item_id, checklist.item_label(item_id, "ja"), int(marked.get(item_id, 0)),
                {"primary": int(primary.get(item_id, 0))}) for item_id in checklist.item_ids()]


def consent(session, period: Period) -> dict:
    """The answer in force now (the newest record) to 情報共有, per intake received in the period."""
    found = dict(rows(session, f"""
        SELECT coalesce(c.action, 'none') AS answer, count(*)
        FROM intake i
        LEFT JOIN (SELECT intake_id, action, row_number() OVER (PARTITION BY intake_id ORDER BY id DESC) AS newest
                   FROM consent_record WHERE purpose = 'share') c ON c.intake_id = i.id AND c.newest = 1
        WHERE {IN_PERIOD.replace('received_at', 'i.received_at')}
        GROUP BY coalesce(c.action, 'none')""", **period.params()))
    total = sum(found.values())
    table = wording()["consent_answers"]
    return {"rows": _labelled(found, table), "total": total,
            "rate": _share(int(found.get("granted", 0)), total)}


# ---- referrals (models/referral.py) ------------------------------------------------------

def referrals(session, period: Period) -> dict:
    """Referrals sent in the period, by agency and by their status now."""
    found = rows(session, """
        SELECT a.id, a.name, r.status, count(*)
        FROM referral r JOIN agency a ON a.id = r.agency_id
        WHERE r.created_at >= :start AND r.created_at < :end
        GROUP BY a.id, a.name, r.status""", **period.params())
    statuses = list(wording()["referral_statuses"])
    agencies: dict[int, Row] = {}
    totals = dict.fromkeys(statuses, 0)
    for agency_id, name, status, count in found:
        row = agencies.setdefault(agency_id, Row(str(agency_id), name, 0, dict.fromkeys(statuses, 0)))
        row.value += int(count)
        row.extra[status] = row.extra.get(status, 0) + int(count)
        totals[status] = totals.get(status, 0) + int(count)
    ordered = sorted(agencies.values(), key=lambda r: (-r.value, r.label))
    return {"agencies": ordered, "totals": totals, "total": sum(totals.values()),
            "statuses": statuses, "agency_count": len(ordered)}


# ---- the page ---------------------------------------------------------------------------

@dataclass
class Report:
    period: Period
    totals: dict
    over_time: list[Row]
    channels: list[Row]
    reporters: list[Row]
    categories: list[Row]
    consent: dict
    referrals: dict
    cases: dict = field(default_factory=dict)  # contacts, meetings, plans, closings (console/stats_cases.py)


def has_case_records(session) -> bool:
    """True once the case tables (models/case.py) are in the database."""
    from sqlalchemy import inspect

    return inspect(session.get_bind()).has_table("case_event")


def _case_jobs(period: Period, now: datetime) -> dict:
    """The statements of the case figures (console/stats_cases.py), slowest first."""
    from console import sla  # the case lifecycle (issue 11)

    hours = {t: sla.hours_for(t) for t in sla.TIERS}
    return {"timings": lambda s: stats_cases.timings(s, period, now, hours),
            "closed": lambda s: stats_cases.closed(s, period),
            "contacts": lambda s: stats_cases.contacts(s, period),
            "continued": lambda s: stats_cases.continued(s, period),
            "meetings": lambda s: stats_cases.meetings(s, period),
            "plans": lambda s: stats_cases.plans(s, period)}


def _case_figures(found: dict, new: int) -> dict:
    """Contacts, 新規/継続, waits, SLA, meetings, plans and closings, for the page."""
    from console import lifecycle

    words = lifecycle.wording()
    contacts, meetings, closed = found["contacts"], found["meetings"], found["closed"]
    return {
        "contacts": contacts,
        "contact_rows": _labelled(contacts["by_method"], words["contact_methods"]),
        "meeting_rows": _labelled(meetings, words["meeting_kinds"]),
        "outcome_rows": _labelled(closed["by_outcome"], words["outcomes"]),
        "new_continued": {"new": new, "continued": found["continued"], "total": new + found["continued"]},
        **found["timings"],
        "meetings": meetings,
        "plans": found["plans"],
        "closed": closed,
        "labels": {"methods": words["contact_methods"], "meetings": words["meeting_kinds"],
                   "outcomes": words["outcomes"]},
    }


def indicators(session, period: Period) -> dict | None:
    if not has_case_records(session):
        return None
    return stats_cases.indicators(session, period)


def report(session, period: Period, now: datetime | None = None) -> Report:
    """Every figure of the page. The statements are independent: on PostgreSQL they run side by
    side on one snapshot (console/stats_together.py). The case figures need the case records
    of the console (models/case.py, console/cases.py) and are empty until they exist."""
    w = wording()
    now = now or datetime.now(timezone.utc)
    cases = has_case_records(session)
    case_jobs = _case_jobs(period, now) if cases else {}
    jobs = {"timings": case_jobs.pop("timings")} if cases else {}  # the slowest first
    jobs |= {"marked": lambda s: marked_categories(s, period), "consent": lambda s: consent(s, period),
             "counts": lambda s: intake_counts(s, period), "referrals": lambda s: referrals(s, period)}
    jobs |= case_jobs
    found = stats_together.run(session, jobs)
    counts = found["counts"]
    return Report(
        period=period,
        totals=intake_totals(counts),
        over_time=intakes_over_time(counts, period),
        channels=_labelled(counts["channel"], w["channels"]),
        reporters=_labelled(counts["reporter_role"], w["reporter_roles"]),
        categories=by_category(found["marked"], counts["primary"]),
        consent=found["consent"],
        referrals=found["referrals"],
        cases=_case_figures(found, counts["totals"][0]) if cases else {},
    )
