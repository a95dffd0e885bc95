"""Per-event cost of the production path, in one process, under cProfile.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/t_perf REDIS_URL=redis://127.0.0.1:6379/6 \
        python benchmarks/profile_worker.py [--users 50 --messages 3] [--via redis|direct] [--top 30]

Starts the fake LINE server as its own process (so its CPU is not counted here), builds the
app as `tsunagu serve` / `tsunagu worker` do, then, round by round (every user sends one
message per round, as the closed loop of benchmarks/load.py does):

- ack: posts each signed webhook to /callback through Flask's test client (the view, its
  middleware, the store and the enqueue; no HTTP server), under cProfile;
- work: runs the jobs the webhooks queued, under cProfile: `--via redis` takes them from Redis
  as `tsunagu worker` does (its event loop, then its RQ loop, in burst mode); `--via direct`
  calls the job function with the row ids (the embedded default's path).

Prints, for each phase: wall ms/event, CPU ms/event (process time: what competes for the
cores), SQL statements, transactions and pool checkouts per event, Redis commands and round
trips per event, LINE requests per event, and the top functions by cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event as sa_event  # noqa: E402

from tests.fakeline import signed_webhook, text_event  # noqa: E402

SECRET, TOKEN, FAKE_PORT = "profile-secret", "profile-token", 5591
WORDS = ["こんにちは", "家族のこと", "親", "75歳以上", "元本郷町"]


class Counts:
    """SQL statements / transactions / checkouts (SQLAlchemy events) and Redis commands /
    round trips (the client's connection), counted while `on`."""

    def __init__(self):
        self.c = Counter()
        self.on = False
        self.statements = Counter()

    def hook_engine(self, engine) -> None:
        @sa_event.listens_for(engine, "before_cursor_execute")
        def _stmt(conn, cursor, statement, params, context, executemany):
            if self.on:
                self.c["sql"] += 1
                self.statements[" ".join(statement.split())[:90]] += 1

        @sa_event.listens_for(engine, "commit")
        def _commit(conn):
            if self.on:
                self.c["commit"] += 1

        @sa_event.listens_for(engine, "rollback")
        def _rollback(conn):
            if self.on:
                self.c["rollback"] += 1

        @sa_event.listens_for(engine.pool, "checkout")
        def _checkout(*_):
            if self.on:
                self.c["checkout"] += 1

    def hook_redis(self) -> None:
        from redis.connection import Connection

        counts = self
        send, read = Connection.send_packed_command, Connection.read_response

        def send_packed_command(conn, command, check_health=True):
            if counts.on:
                counts.c["redis_round_trips"] += 1
            return send(conn, command, check_health)

        def read_response(conn, *args, **kwargs):
            if counts.on:
                counts.c["redis_replies"] += 1
            return read(conn, *args, **kwargs)

        Connection.send_packed_command = send_packed_command
        Connection.read_response = read_response

    def hook_line(self, sender) -> None:
        counts = self
        reply, push = sender.reply, sender.push

        def counted_reply(*a, **k):
            if counts.on:
                counts.c["line_reply"] += 1
            return reply(*a, **k)

        def counted_push(*a, **k):
            if counts.on:
                counts.c["line_push"] += 1
            return push(*a, **k)

        sender.reply, sender.push = counted_reply, counted_push

    def hook_gc(self) -> None:
        """Time spent in the cyclic garbage collector, and collections by generation."""
        import gc

        started = {}

        def callback(phase, info):
            if not self.on:
                return
            if phase == "start":
                started["t"] = time.perf_counter()
            elif "t" in started:
                self.c["gc_us"] += int((time.perf_counter() - started.pop("t")) * 1e6)
                self.c[f"gc{info['generation']}"] += 1

        gc.callbacks.append(callback)

    def reset(self):
        self.c.clear()
        self.statements.clear()


def phase_report(name: str, n: int, wall: float, cpu: float, counts: Counts, profile: cProfile.Profile,
                 top: int, statements: bool) -> None:
    c = counts.c
    print(f"\n=== {name}: {n} events ===")
    calls = f"   Python function calls {pstats.Stats(profile).total_calls / n:,.0f}/event" if isinstance(
        profile, cProfile.Profile) else ""
    print(f"wall {wall * 1000 / n:.2f} ms/event   CPU (this process) {cpu * 1000 / n:.2f} ms/event{calls}")
    per = lambda key: c[key] / n  # noqa: E731
    print(f"per event: SQL statements {per('sql'):.1f}, commits {per('commit'):.1f}, rollbacks "
          f"{per('rollback'):.1f}, pool checkouts {per('checkout'):.1f}, Redis round trips "
          f"{per('redis_round_trips'):.1f} (replies read {per('redis_replies'):.1f}), LINE reply "
          f"{per('line_reply'):.2f} / push {per('line_push'):.2f}")
    print(f"garbage collector: {c['gc_us'] / 1000 / n:.2f} ms/event (collections of generation 0/1/2: "
          f"{c['gc0']}/{c['gc1']}/{c['gc2']})")
    if statements:
        print("SQL statements per event:")
        for stmt, k in counts.statements.most_common(25):
            print(f"  {k / n:5.2f}  {stmt}")
    if not isinstance(profile, cProfile.Profile):
        return
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:20000])
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top // 2)
    print("--- by own time ---")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--burst", type=int, default=1,
                        help="messages each user sends per round, each its own webhook, before the jobs run "
                             "(as in load.py's open loop, where a user's later jobs find their events done)")
    parser.add_argument("--via", choices=["redis", "direct"], default=None,
                        help="default: rq with REDIS_URL, else direct")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--statements", action="store_true", help="list the SQL statements per event")
    parser.add_argument("--skip-ack", action="store_true")
    parser.add_argument("--no-profile", action="store_true",
                        help="time and count only (cProfile roughly doubles the CPU of Python-heavy code)")
    parser.add_argument("--dump", help="write the two profiles to DUMP.ack.prof / DUMP.work.prof (pstats)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-profile-")
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakeline.server", "--port", str(FAKE_PORT),
                             "--any-reply-token", "--access-token", TOKEN], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run(args, tmp)
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def run(args, tmp: str) -> None:
    from console.app import create_app
    from console.settings import Settings
    from workers import runtime
    from workers.events import process_line_events

    env = {"DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/profile.sqlite3",
           "SECRET_KEY": "profile", "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
           "LINE_API_BASE_URL": f"http://127.0.0.1:{FAKE_PORT}"}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    settings = Settings.from_env(env)
    via = args.via or ("redis" if settings.redis_url else "direct")
    if via == "direct":
        from workers.jobs import InProcessJobs

        class Recorded(InProcessJobs):  # the jobs are kept, and run below under the profiler
            def __init__(self):
                super().__init__()
                self.pending: list[tuple] = []

            def enqueue(self, func, *a):
                self.pending.append((func, a))

        jobs = Recorded()
    else:
        from workers.jobs import make_jobs

        jobs = make_jobs(settings.redis_url)
        jobs.queue.empty()
    app = create_app(settings, jobs=jobs, instance_path=tmp)
    from models.db import get_engine

    counts = Counts()
    counts.hook_engine(get_engine())
    counts.hook_redis()
    counts.hook_gc()
    sender = runtime.current().line_sender_factory()
    counts.hook_line(sender)
    try:  # what `tsunagu worker` does before its first event
        from workers.warmup import warm_worker
    except ImportError:  # an older commit
        from dialogs.understanding import warm_up

        warm_up()
    else:
        with app.app_context():
            warm_worker()
    _wait_fake()

    client = app.test_client()
    run_id = secrets.token_hex(4)
    users = [f"U{run_id}{n:024x}" for n in range(args.users)]
    ack_prof, work_prof = (_NoProfile(), _NoProfile()) if args.no_profile else (cProfile.Profile(), cProfile.Profile())
    ack_wall = ack_cpu = work_wall = work_cpu = 0.0
    ack_counts, work_counts = Counts(), Counts()
    n_events = 0
    for m in range(args.messages):
        bodies = []
        for k in range(args.burst):  # each a webhook of its own, all queued before the work starts
            for user in users:
                body, sig = signed_webhook(SECRET, [text_event(user, WORDS[(m + k) % len(WORDS)], f"{user}:p{m}-{k}",
                                                               timestamp=int(time.time() * 1000))])
                bodies.append((body, sig))
        counts.reset()
        counts.on = True
        w0, c0 = time.perf_counter(), time.process_time()
        ack_prof.enable()
        for body, sig in bodies:
            r = client.post("/callback", data=body, headers={"X-Line-Signature": sig,
                                                             "Content-Type": "application/json"})
            assert r.status_code == 200, r.status_code
        ack_prof.disable()
        ack_wall += time.perf_counter() - w0
        ack_cpu += time.process_time() - c0
        counts.on = False
        ack_counts.c.update(counts.c)
        ack_counts.statements.update(counts.statements)

        counts.reset()
        counts.on = True
        w0, c0 = time.perf_counter(), time.process_time()
        work_prof.enable()
        if via == "direct":
            pending, jobs.pending = jobs.pending, []
            for func, a in pending:
                func(*a)
        else:
            try:
                from console.commands.worker import run_burst
            except ImportError:  # before the event loops (to measure an older commit): RQ only
                from rq import SimpleWorker

                def run_burst(jobs):
                    SimpleWorker([jobs.queue], connection=jobs.connection).work(burst=True, logging_level="ERROR")
            run_burst(jobs)  # what `tsunagu worker`'s loops run, in burst mode
        work_prof.disable()
        work_wall += time.perf_counter() - w0
        work_cpu += time.process_time() - c0
        counts.on = False
        work_counts.c.update(counts.c)
        work_counts.statements.update(counts.statements)
        n_events += len(users) * args.burst

    if args.dump:
        ack_prof.dump_stats(f"{args.dump}.ack.prof")
        work_prof.dump_stats(f"{args.dump}.work.prof")
    print(f"back end: {settings.database_url.split('@')[-1]}, jobs via {via}; {args.users} users x "
          f"{args.messages} messages; load average {os.getloadavg()[0]:.2f}")
    if not args.skip_ack:
        phase_report("ack (/callback through the test client)", n_events, ack_wall, ack_cpu, ack_counts,
                     ack_prof, args.top, args.statements)
    phase_report(f"work (jobs via {via})", n_events, work_wall, work_cpu, work_counts, work_prof, args.top,
                 args.statements)


class _NoProfile:
    def enable(self):
        pass

    def disable(self):
        pass


def _wait_fake(timeout: float = 20) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{FAKE_PORT}/_fake/deliveries?after=0", timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


if __name__ == "__main__":
    main()
