"""Console speed at scale: the queue page and the case page with 100,000 intakes on
PostgreSQL, measured through the Flask test client (templates, queries, audit rows included).

    TSUNAGU_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/t_con \
        python benchmarks/console_bench.py [--intakes 100000] [--repeat 30]

The schema of that database is DROPPED and rebuilt. Target: < 200 ms per page.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402

URL = os.environ.get("TSUNAGU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ITEMS = ["income", "rent_loan", "tax_utilities", "debt", "lending", "household_budget", "food", "housing",
         "job_search", "work_trouble", "mental", "health", "caregiving", "childcare", "hikikomori", "family",
         "community", "dv_abuse", "other"]
OPEN_STATES = ["new", "claimed", "triaged", "collaborating", "meeting", "planning", "supporting", "monitoring"]


def build(n: int, seed: int = 7) -> list[int]:
    """n intakes over three years: most closed, a few hundred waiting, some crises; about a
    third of the worked cases referred to one or two agencies, on-call alert rows for urgent
    after-hours intakes, and staff replies (outbox rows) on some cases."""
    from models import (Agency, ConsentRecord, Household, Intake, OncallAlert, OutboxMessage, Person, Referral,
                        Reporter, StaffUser)
    from models.case import CaseEvent
    from models.db import get_engine

    rng = random.Random(seed)
    engine = get_engine()
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        staff_ids = [r[0] for r in conn.execute(text("SELECT id FROM staff_user WHERE role IN ('suishin','admin')"))]
        agency_ids = [r[0] for r in conn.execute(text("SELECT id FROM agency"))]
        outbox_id = 0
        for start in range(0, n, 5000):
            size = min(5000, n - start)
            ids = list(range(start + 1, start + size + 1))
            conn.execute(insert(Reporter), [{"id": i, "role": "self", "relation": None,
                                             "contact": {"method": "phone", "phone": "090-0000-0000"}} for i in ids])
            conn.execute(insert(Person), [{"id": i, "age_band": "40_64", "area": "八王子市"} for i in ids])
            conn.execute(insert(Household), [{"id": i, "composition": "alone"} for i in ids])
            rows, consents, events, referrals, alerts, outbox = [], [], [], [], [], []
            for i in ids:
                age = timedelta(days=3 * 365) * (1 - i / n) + timedelta(minutes=rng.randint(0, 600))
                waiting = i > n - 400  # the newest few hundred are still open
                status = rng.choice(OPEN_STATES) if waiting or rng.random() < 0.1 else "closed"
                crisis = rng.random() < 0.005
                cats = rng.sample(ITEMS, rng.randint(1, 4))
                rows.append({
                    "id": i, "receipt_no": f"B{i:07d}", "channel": rng.choice(["line", "web"]), "user_key": f"U{i}",
                    "received_at": now - age, "after_hours": rng.random() < 0.4, "lang": "ja",
                    "reporter_id": i, "person_id": i, "household_id": i,
                    "reporter_role": rng.choice(["self"] * 6 + ["family", "neighbor", "minsei", "professional"]),
                    "categories": cats, "suggested": cats[:1], "primary": cats[0],
                    "free_text": "家賃が払えず、仕事も見つかりません。" * 5, "details": None, "since": "1_3m",
                    "crisis": crisis, "crisis_kinds": ["suicide"] if crisis else [], "crisis_evidence": [],
                    "urgent": crisis or rng.random() < 0.01, "wants_person": False, "complete": True,
                    "status": status, "assignee_id": None if status == "new" else rng.choice(staff_ids),
                    "team": rng.choice([None, "city", "shakyo"]),
                })
                consents.append({"intake_id": i, "purpose": "share", "action": rng.choice(["granted", "declined"]),
                                 "wording_version": "v1", "wording": "文言", "lang": "ja", "recorded_at": now - age})
                row = rows[-1]
                if row["after_hours"] and row["urgent"]:
                    alerts.append({"intake_id": i, "target": "webhook", "status": "sent", "attempts": 1,
                                   "created_at": now - age, "sent_at": now - age})
                if status != "new":
                    for k in range(rng.randint(1, 6)):
                        events.append({"intake_id": i, "at": now - age + timedelta(hours=k), "actor_id": rng.choice(staff_ids),
                                       "kind": "contact", "from_status": None, "to_status": None, "data": {}})
                    if rng.random() < 0.35:
                        for agency in rng.sample(agency_ids, rng.randint(1, 2)):
                            referrals.append({"intake_id": i, "agency_id": agency, "categories": cats,
                                              "status": rng.choice(["requested", "accepted", "done", "returned"]),
                                              "request_note": "", "created_at": now - age, "updated_at": now - age})
                    if rng.random() < 0.2:
                        outbox_id += 1
                        outbox.append({"id": outbox_id, "channel": row["channel"], "user_key": row["user_key"],
                                       "event_id": f"staff-{outbox_id}", "seq": 0, "status": "sent",
                                       "retry_key": f"bench-{outbox_id}", "created_at": now - age,
                                       "messages": [{"type": "text", "text": "【推進員から】お電話します"}]})
                        events.append({"intake_id": i, "at": now - age + timedelta(hours=7), "actor_id": staff_ids[0],
                                       "kind": "reply", "from_status": None, "to_status": None,
                                       "data": {"text": "お電話します", "outbox_ids": [outbox_id],
                                                "channel": row["channel"], "silent": False}})
            conn.execute(insert(Intake), rows)
            conn.execute(insert(ConsentRecord), consents)
            conn.execute(insert(CaseEvent), events)
            for model, values in ((Referral, referrals), (OncallAlert, alerts), (OutboxMessage, outbox)):
                if values:
                    conn.execute(insert(model), values)
        for table in ("reporter", "person", "household", "intake", "outbox_message"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        del StaffUser, Agency
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would after a bulk load (visibility map, statistics)
    return [n, n - 100, n // 2, 17]


class SQLCounter:
    """Counts the statements the app sends to the database (to catch a query per row)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "after_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def timed(client, path: str, repeat: int, counter: SQLCounter) -> tuple[float, float, int]:
    client.get(path)  # warm
    counter.count = 0
    client.get(path)
    statements = counter.count
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], statements


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intakes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="measure the database built by an earlier run")
    args = parser.parse_args()

    if not args.reuse:
        engine = create_engine(URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    from console.app import create_app
    from console.settings import Settings
    from console.staff import seed_demo_staff
    from workers.jobs import make_jobs

    settings = Settings.from_env({"DATABASE_URL": URL, "SECRET_KEY": "bench"})
    app = create_app(settings, jobs=make_jobs(None), instance_path="/tmp/tsunagu-bench")
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    seed_demo_staff("bench-password")
    if args.reuse:
        case_ids = [args.intakes, args.intakes - 100, args.intakes // 2, 17]
    else:
        start = time.perf_counter()
        case_ids = build(args.intakes)
        print(f"built {args.intakes} intakes in {time.perf_counter() - start:.1f} s")

    client = app.test_client()
    client.post("/console/login", data={"username": "suishin", "password": "bench-password"})
    pages = [
        ("queue (open cases, page 1)", "/console/"),
        ("queue page 5", "/console/?page=5"),
        ("queue all states, page 100", "/console/?state=all&page=100"),
        ("queue by category", "/console/?category=debt"),
        ("queue overdue only", "/console/?overdue=1"),
        ("queue by team + unassigned", "/console/?team=city&assignee=none"),
        ("queue search by receipt", "/console/?q=B0050000"),
        ("queue search by phone digits", "/console/?q=5678"),
        ("queue search by name or area", "/console/?q=元本郷"),
        ("queue by agency (つなぎ先)", "/console/?agency=10"),
        ("queue all states by agency", "/console/?state=all&agency=10&page=20"),
        ("queue all states by category", "/console/?state=all&category=debt&page=20"),
    ] + [(f"case page #{i}", f"/console/intakes/{i}") for i in case_ids]
    from models.db import get_engine

    counter = SQLCounter(get_engine())
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'SQL':>4}")
    worst = 0.0
    for name, path in pages:
        median, p95, statements = timed(client, path, args.repeat, counter)
        worst = max(worst, median)
        print(f"{name:40} {median:10.1f} {p95:8.1f} {statements:4d}")
    print(f"slowest median {worst:.1f} ms (target < 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
