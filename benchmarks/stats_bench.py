"""The statistics page for one fiscal year at 100,000 intakes and 500,000 case events on
PostgreSQL (target < 500 ms), through the Flask test client as a logged-in viewer.

    TSUNAGU_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/t_x python benchmarks/stats_bench.py

The database's public schema is dropped and filled with generated rows (bulk INSERT ... SELECT
from generate_series, so generation takes seconds, not minutes). Prints numbers.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from dialogs.checklist import item_ids  # noqa: E402

URL = os.environ.get("TSUNAGU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "benchmark password 1234"
FY = 2026  # 2026-04-01 .. 2027-03-31 JST


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def generate(url: str, intakes: int, events: int) -> dict:
    """Rows spread over the fiscal year (and 10% the year before, for 継続 cases)."""
    ids = item_ids()
    items = "ARRAY[" + ",".join(f"'{i}'" for i in ids) + "]"
    n_items = len(ids)
    engine = create_engine(url)
    counts = {}
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("""INSERT INTO agency (code, name, categories, contact, note, active, created_at)
            SELECT 'a' || g, '機関' || g, '[]', '', '', true, now() FROM generate_series(1, 13) g"""))
        conn.execute(text(f"""
            INSERT INTO intake (receipt_no, channel, user_key, received_at, after_hours, lang, reporter_role,
                                categories, suggested, "primary", free_text, crisis, crisis_kinds, crisis_evidence,
                                urgent, wants_person, complete, status)
            SELECT 'B' || g,
                   CASE WHEN g % 3 = 0 THEN 'web' ELSE 'line' END,
                   'U' || (g % 70000),
                   timestamptz '{FY}-04-01 00:00+09' - interval '36 days' + (g::float / :n) * interval '401 days',
                   (g % 20) < 9,
                   'ja',
                   (ARRAY['self','self','self','family','neighbor','minsei','professional','anonymous'])[1 + g % 8],
                   json_build_array(({items})[1 + g % {n_items}], ({items})[1 + (g * 7 + 3) % {n_items}]),
                   '[]'::json,
                   ({items})[1 + g % {n_items}],
                   '',
                   g % 37 = 0, '[]'::json, '[]'::json, g % 23 = 0, g % 23 = 0, true,
                   (ARRAY['new','claimed','triaged','referring','supporting','closed'])[1 + g % 6]
            FROM generate_series(1, :n) g"""), {"n": intakes})
        counts["intakes"] = intakes
        conn.execute(text("""
            INSERT INTO consent_record (intake_id, purpose, action, wording_version, wording, lang, recorded_at)
            SELECT id, 'share', (ARRAY['granted','granted','declined','withdrawn'])[1 + id % 4], 'v1', '', 'ja', received_at
            FROM intake WHERE id % 5 <> 0"""))
        # the timeline: a claim for 90% of intakes, a close for a third, the rest contacts and notes
        conn.execute(text("""
            INSERT INTO case_event (intake_id, at, actor_id, kind, from_status, to_status, data)
            SELECT id, received_at + (id % 50) * interval '1 hour', 1, 'claim', 'new', 'claimed', '{}'::json
            FROM intake WHERE id % 10 <> 0"""))
        conn.execute(text("""
            INSERT INTO case_event (intake_id, at, actor_id, kind, from_status, to_status, data)
            SELECT id, received_at + interval '40 days', 1, 'close', 'supporting', 'closed',
                   json_build_object('outcome', (ARRAY['resolved','handed_over','watching','unreachable','person_ended'])[1 + id % 5])
            FROM intake WHERE id % 3 = 0"""))
        done = conn.execute(text("SELECT count(*) FROM case_event")).scalar()
        contacts = max(0, (events - done) // 2)
        conn.execute(text("""
            INSERT INTO contact_log (intake_id, happened_at, method, actor_id, note, created_at)
            SELECT 1 + g % :n, timestamptz '2026-03-01 00:00+09' + (g::float / :m) * interval '420 days',
                   (ARRAY['phone','visit','office','message','accompany'])[1 + g % 5], 1, '', now()
            FROM generate_series(1, :m) g"""), {"n": intakes, "m": contacts})
        conn.execute(text("""
            INSERT INTO case_event (intake_id, at, actor_id, kind, data)
            SELECT intake_id, happened_at, 1, 'contact', json_build_object('contact_id', id) FROM contact_log"""))
        rest = events - conn.execute(text("SELECT count(*) FROM case_event")).scalar()
        conn.execute(text("""
            INSERT INTO case_event (intake_id, at, actor_id, kind, data)
            SELECT 1 + g % :n, timestamptz '2026-03-01 00:00+09' + (g::float / :m) * interval '420 days', 1, 'note', '{}'::json
            FROM generate_series(1, :m) g"""), {"n": intakes, "m": max(rest, 0)})
        conn.execute(text(f"""
            INSERT INTO meeting (intake_id, kind, held_on, members, outcome, actor_id, created_at)
            SELECT 1 + g * 17 % :n, (ARRAY['jusoteki','shien','outreach'])[1 + g % 3],
                   date '{FY}-04-01' + (g % 365), '[]'::json, '', 1, now()
            FROM generate_series(1, 3000) g"""), {"n": intakes})
        conn.execute(text(f"""
            INSERT INTO support_plan (intake_id, goals, tasks, actor_id, created_at, approved_by, approved_at)
            SELECT 1 + g * 13 % :n, '', '[]'::json, 1, timestamptz '{FY}-04-01 10:00+09' + (g % 360) * interval '1 day',
                   CASE WHEN g % 4 <> 0 THEN 1 END,
                   CASE WHEN g % 4 <> 0 THEN timestamptz '{FY}-04-02 10:00+09' + (g % 360) * interval '1 day' END
            FROM generate_series(1, 2000) g"""), {"n": intakes})
        conn.execute(text("""
            INSERT INTO referral (intake_id, agency_id, status, categories, request_note, created_at, updated_at)
            SELECT 1 + g * 3 % :n, 1 + g % 13,
                   (ARRAY['requested','accepted','declined','returned','done','withdrawn'])[1 + g % 6], '[]'::json, '',
                   timestamptz '2026-03-15 00:00+09' + (g::float / 30000) * interval '400 days', now()
            FROM generate_series(1, 30000) g"""), {"n": intakes})
        for table in ("intake", "case_event", "contact_log", "consent_record", "meeting", "support_plan", "referral"):
            counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    # what autovacuum does to a table that has grown by inserts (PostgreSQL 13+): statistics for
    # the planner, and the visibility map that lets an index-only scan skip the table
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    counts["generate_s"] = round(time.perf_counter() - started, 1)
    return counts


def measure(client, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep the rows of an earlier run")
    args = parser.parse_args()

    from console.app import create_app
    from console.settings import Settings
    from console.staff import seed_demo_staff

    if not args.reuse:
        reset(URL)
    app = create_app(Settings.from_env({"DATABASE_URL": URL, "SECRET_KEY": "bench"}), jobs=None)
    app.config["WTF_CSRF_ENABLED"] = False  # the test client posts the login form without a token
    if not args.reuse:
        with app.app_context():
            seed_demo_staff(PASSWORD)
        counts = generate(URL, args.intakes, args.events)
        print("rows:", ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))

    client = app.test_client()
    login = client.post("/console/login", data={"username": "viewer", "password": PASSWORD})
    assert login.status_code == 302, login.status_code
    for label, path in (("statistics page, fiscal year", f"/console/stats/?period={FY}"),
                        ("statistics page, one month", f"/console/stats/?period={FY}-11"),
                        ("評価指標, fiscal year", f"/console/stats/indicators?year={FY}"),
                        ("Excel workbook, fiscal year", f"/console/stats/export/stats.xlsx?period={FY}")):
        measure(client, path, 1)  # warm: first query plans, template compile
        times = measure(client, path, args.runs)
        print(f"{label:32s} median {statistics.median(times):7.1f} ms  min {min(times):7.1f}  "
              f"max {max(times):7.1f}  ({args.runs} runs)")


if __name__ == "__main__":
    main()
