"""Webhook and worker throughput, with real LINE SDK calls to the local fake LINE server.

    python benchmarks/webhook_bench.py [--users 20 --messages 10]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/2 \
        python benchmarks/webhook_bench.py   # PostgreSQL + RQ (worker runs in this process)

Prints the /callback latency (verify signature, store once, enqueue: the part LINE waits
for) and how many events per second the worker turns into delivered replies.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.app import create_app  # noqa: E402
from console.settings import Settings  # noqa: E402
from tests.fakeline import FakeLine, signed_webhook, text_event  # noqa: E402
from tests.helpers import run_jobs  # noqa: E402
from workers.jobs import InProcessJobs, make_jobs  # noqa: E402

SECRET = "bench-secret"
WORDS = ["こんにちは", "家族のこと", "親", "75歳以上", "元本郷町", "高齢の親と大人の子",
         "父の介護で仕事をやめて、お金が足りない", "これでよい", "介護に関すること", "とくにない"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()

    fake = FakeLine().start()
    tmp = tempfile.mkdtemp()
    env = {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
        "SECRET_KEY": "bench",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": fake.access_token,
        "LINE_API_BASE_URL": fake.base_url,
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    settings = Settings.from_env(env)
    jobs = make_jobs(settings.redis_url)
    if hasattr(jobs, "queue"):
        jobs.queue.empty()
    app = create_app(settings, jobs=jobs, instance_path=tmp)
    client = app.test_client()

    users = [f"U{i:032x}" for i in range(args.users)]
    latencies = []
    started = time.perf_counter()
    clock = int(time.time() * 1000)
    for n in range(args.messages):
        for user in users:
            clock += 1
            event = text_event(user, WORDS[n % len(WORDS)], fake.issue_reply_token(user), timestamp=clock)
            body, signature = signed_webhook(SECRET, [event])
            t0 = time.perf_counter()
            response = client.post("/callback", data=body, headers={"X-Line-Signature": signature},
                                   content_type="application/json")
            latencies.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    webhook_done = time.perf_counter()
    if isinstance(jobs, InProcessJobs):
        jobs.drain(timeout=600)
    else:
        run_jobs(app)
    finished = time.perf_counter()
    fake.stop()

    total = args.users * args.messages
    delivered = len(fake.delivered)
    latencies.sort()
    backend = "PostgreSQL + RQ" if settings.redis_url else "SQLite + in-process"
    print(f"back end:                 {backend}")
    print(f"events:                   {total} ({args.users} users x {args.messages} messages)")
    print(f"/callback latency p50:    {statistics.median(latencies):.1f} ms")
    print(f"/callback latency p95:    {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
    print(f"events to replies (all):  {total / (finished - started):.0f} events/s end to end")
    print(f"worker after webhooks:    {(finished - webhook_done):.2f} s to finish the backlog")
    print(f"replies delivered:        {delivered} (one per event expected: {delivered == total})")


if __name__ == "__main__":
    main()
