"""Load test of the production path, beside the LINE SDK's echo sample, in one run.

    python benchmarks/load.py                        # embedded default: SQLite, in-process jobs
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/t_perf REDIS_URL=redis://127.0.0.1:6379/5 \
        python benchmarks/load.py --workers 2        # PostgreSQL + Redis, `tsunagu serve` + 2 workers

Starts, as separate processes: the fake LINE server (tests/fakeline, reply tokens
"<user>:<n>" accepted once), `tsunagu serve` (+ N `tsunagu worker` with REDIS_URL), and an
echo bot written like the line-bot-sdk Flask example (benchmarks/echo_app.py). For each
of the two it measures, with signed webhooks sent by an aiohttp client in this process:

- closed loop: R residents x M messages, each waits for the reply before the next one:
  reply latency p50/p95/p99 (webhook sent -> reply received by the fake LINE), replies not
  within 10 s, lost (never answered after the drain) and duplicated (a reply token used twice);
- open loop: C connections sending unique signed events as fast as acknowledged for S s:
  events/s acknowledged, ack latency p50/p99, events still unanswered after the drain period (and,
  when some are, how long the last one took and whether any was never answered).

The database is not emptied: every run uses fresh user and event ids.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timezone
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakeline import signed_webhook, text_event  # noqa: E402

SECRET = "load-secret"
TOKEN = "load-access-token"
FAKE_PORT, ECHO_PORT, PRODUCT_PORT = 5501, 5502, 5510
WORDS = ["こんにちは", "家族のこと", "親", "75歳以上", "元本郷町"]
REPLY_WAIT = 10.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


GATHER = 0.02  # s: see Deliveries.run


class Deliveries:
    """Follows the fake LINE's deliveries: reply token -> time it was received."""

    def __init__(self, session: aiohttp.ClientSession, base: str):
        self.session, self.base = session, base
        self.replied: dict[str, float] = {}
        self.reused = 0
        self._next = 0
        self._waiters: dict[str, asyncio.Future] = {}

    async def run(self) -> None:
        while True:
            # a long poll: answered soon after there is something new (polling every 5 ms cost the
            # shared CPUs ~200 requests/s in the fake and here), gathering what comes in the next
            # 20 ms (one answer per delivery cost the fake and this client ~1 ms CPU per reply; the
            # latencies are the fake's delivery times, so the gathering does not lengthen them)
            params = {"after": self._next, "wait": 2, "gather": GATHER}
            async with self.session.get(f"{self.base}/_fake/deliveries", params=params) as r:
                data = await r.json()
            self._next, self.reused = data["next"], data["reused_reply_tokens"]
            for item in data["items"]:
                token = item["token"]
                if token and token not in self.replied:
                    self.replied[token] = item["at"]
                    waiter = self._waiters.pop(token, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(item["at"])

    async def reused_now(self) -> int:
        """Reply tokens used twice so far (read now, not at the next long-poll answer)."""
        async with self.session.get(f"{self.base}/_fake/deliveries", params={"after": 10**9}) as r:
            return (await r.json())["reused_reply_tokens"]

    async def wait(self, token: str, timeout: float) -> float | None:
        if token in self.replied:
            return self.replied[token]
        future = self._waiters[token] = asyncio.get_running_loop().create_future()
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            self._waiters.pop(token, None)
            return None


def signed(user: str, words: str, token: str, ts: int) -> tuple[bytes, str]:
    return signed_webhook(SECRET, [text_event(user, words, token, timestamp=ts)])


async def post(session, url: str, body: bytes, signature: str) -> int:
    async with session.post(url, data=body, headers={"X-Line-Signature": signature,
                                                     "Content-Type": "application/json"}) as r:
        await r.read()
        return r.status


async def closed_loop(session, url: str, deliveries: Deliveries, residents: int, messages: int, drain: float) -> dict:
    run = secrets.token_hex(4)
    latencies: list[float] = []
    late, errors = 0, 0
    tokens: list[str] = []
    started_at = time.time()
    samples: list[tuple[int, float, float]] = []  # (message index, sent after the start, latency)

    async def resident(n: int) -> None:
        nonlocal late, errors
        user = f"U{run}{n:024x}"
        for m in range(messages):
            token = f"{user}:c{m}"
            tokens.append(token)
            body, signature = signed(user, WORDS[m % len(WORDS)], token, int(time.time() * 1000))
            sent = time.time()
            if await post(session, url, body, signature) != 200:
                errors += 1
                continue
            at = await deliveries.wait(token, REPLY_WAIT + drain)
            if at is None or at - sent > REPLY_WAIT:
                late += 1
            if at is not None:
                latencies.append(at - sent)
                samples.append((m, sent - started_at, at - sent))

    started = time.perf_counter()
    await asyncio.gather(*(resident(n) for n in range(residents)))
    elapsed = time.perf_counter() - started
    lost = await _drain(deliveries, tokens, drain)
    return {"sent": len(tokens), "p50": percentile(latencies, .5), "p95": percentile(latencies, .95),
            "p99": percentile(latencies, .99), "late": late, "errors": errors, "lost": lost,
            "elapsed": elapsed, "samples": samples}


async def open_loop(session, url: str, deliveries: Deliveries, connections: int, seconds: float,
                    drain: float, on_sent=lambda: None, users: int = 2000) -> dict:
    run = secrets.token_hex(4)
    acks: list[float] = []
    tokens: list[str] = []
    errors = 0
    # bodies are signed before the clock starts, so the client measures the server, not HMAC
    prepared: list[list[tuple[str, bytes, str]]] = [[] for _ in range(connections)]
    budget = int(seconds * 6000 / connections) + 1  # more than any server here can take
    ts = int(time.time() * 1000)
    for c in range(connections):
        for i in range(budget):
            user = f"U{run}{(c * budget + i) % users:024x}"
            token = f"{user}:o{c}-{i}"
            prepared[c].append((token, *signed(user, "こんにちは", token, ts + i)))
    stop_at = time.perf_counter() + seconds

    async def connection(c: int) -> None:
        nonlocal errors
        for token, body, signature in prepared[c]:
            if time.perf_counter() >= stop_at:
                return
            t0 = time.perf_counter()
            status = await post(session, url, body, signature)
            if status == 200:
                acks.append(time.perf_counter() - t0)
                tokens.append(token)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(connection(c) for c in range(connections)))
    elapsed = time.perf_counter() - started
    on_sent()
    unanswered = await _drain(deliveries, tokens, drain)
    return {"acked": len(acks), "rate": len(acks) / elapsed, "ack_p50": percentile(acks, .5),
            "ack_p99": percentile(acks, .99), "errors": errors, "unanswered": unanswered}


async def open_loop_wrk(url: str, deliveries: Deliveries, connections: int, seconds: float,
                        drain: float, on_sent=lambda: None, users: int = 2000, extra_drain: float = 0) -> dict:
    """The open loop with wrk (C, from Debian's wrk package): one wrk thread per connection,
    each sending its own pre-signed webhooks in order (benchmarks/wrk_webhooks.lua), so the
    client's own CPU is small next to the server's and the events acknowledged are known."""
    run = secrets.token_hex(4)
    folder = Path(tempfile.mkdtemp(prefix="tsunagu-wrk-"))
    budget = int(seconds * 8000 / connections) + 1  # more than any server here can take
    ts = int(time.time() * 1000)
    tokens_of: list[list[str]] = []
    for c in range(connections):
        tokens = []
        with (folder / f"c{c}").open("wb") as out:
            for i in range(budget):
                user = f"U{run}{(c * budget + i) % users:024x}"
                token = f"{user}:w{c}-{i}"
                body, signature = signed(user, "こんにちは", token, ts + i)
                out.write(signature.encode() + b"\t" + body + b"\n")
                tokens.append(token)
        tokens_of.append(tokens)
    proc = await asyncio.create_subprocess_exec(
        "wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(ROOT / "benchmarks" / "wrk_webhooks.lua"), url, "--", str(folder / "c"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    on_sent()
    acked = 0
    maybe: list[tuple[list[str], int]] = []  # per thread: the requests it made, how many were acked
    ack_p50 = ack_p99 = float("nan")
    total = duration = non_2xx = 0
    for line in out.decode().splitlines():
        parts = line.split()
        if parts[:1] == ["acked"]:
            acked += int(parts[2])
            maybe.append((tokens_of[int(parts[1])][:int(parts[3])], int(parts[3]) - int(parts[2])))
        elif parts[:1] == ["latency"]:
            ack_p50, ack_p99 = int(parts[1]) / 1e6, int(parts[2]) / 1e6
        elif parts[:1] == ["total"]:
            total, duration, non_2xx = int(parts[1]), int(parts[2]), int(parts[3])
    if not duration:
        raise RuntimeError("wrk printed no summary:\n" + out.decode())
    stopped = time.time()
    sent = [t for made, _ in maybe for t in made]
    await _drain(deliveries, sent, drain)
    # the requests wrk made without seeing a 200 may or may not have reached us: not counted

    def missing() -> int:
        return sum(max(0, sum(t not in deliveries.replied for t in made) - not_acked) for made, not_acked in maybe)

    unanswered = missing()
    if unanswered and extra_drain:  # late, or lost? wait longer to tell
        await _drain(deliveries, sent, extra_drain)
    answered = [deliveries.replied[t] for t in sent if t in deliveries.replied]
    return {"acked": acked, "rate": acked / (duration / 1e6), "ack_p50": ack_p50, "ack_p99": ack_p99,
            "errors": total - acked, "unanswered": unanswered, "never": missing(),
            "last": max(answered) - stopped if answered else float("nan")}


async def _drain(deliveries: Deliveries, tokens: list[str], seconds: float) -> int:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if all(t in deliveries.replied for t in tokens):
            break
        await asyncio.sleep(0.1)
    return sum(t not in deliveries.replied for t in tokens)


def cpu_by_session() -> dict[int, float]:
    """CPU seconds (user + system) used so far by every process, summed by session id: each
    process started here leads its own session, so this covers the web server's children too."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        sid, utime, stime = int(fields[3]), int(fields[11]), int(fields[12])
        used[sid] = used.get(sid, 0.0) + (utime + stime) / tick
    return used


def cpu_of_services() -> dict[str, float]:
    """CPU seconds used so far by the PostgreSQL and Redis servers and by wrk (by process name)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"PostgreSQL": 0.0, "Redis": 0.0, "wrk": 0.0}
    names = {"postgres": "PostgreSQL", "redis-server": "Redis", "wrk": "wrk"}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        name = names.get(head.split("(", 1)[1])
        if name:
            fields = tail.split()
            used[name] += (int(fields[11]) + int(fields[12])) / tick
    return used


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


async def wait_up(session, url: str, timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while True:
        try:
            async with session.get(url) as r:
                if r.status < 500:
                    return
        except aiohttp.ClientError:
            pass
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{url} did not come up")
        await asyncio.sleep(0.2)


async def wait_workers(redis, count: int, since: float, timeout: float = 60) -> None:
    """Until `count` workers started after `since` (a Unix time) are registered with RQ."""
    from rq import Worker

    deadline = time.monotonic() + timeout
    def born(worker) -> float:
        at = worker.birth_date
        return 0.0 if at is None else (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).timestamp()

    while sum(1 for w in Worker.all(connection=redis) if born(w) >= since) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} workers did not start")
        await asyncio.sleep(0.2)


async def measure(name: str, base: str, deliveries, args, sessions: dict[str, list[int]]) -> dict:
    # a new connection per webhook, as LINE delivers them; keep-alive for the open loop (like wrk)
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    before, services, mine = cpu_by_session(), cpu_of_services(), time.process_time()
    async with aiohttp.ClientSession(connector=connector) as session:
        closed = await closed_loop(session, f"{base}/callback", deliveries, args.residents, args.messages, args.drain)
    if args.samples:
        Path(args.samples).mkdir(parents=True, exist_ok=True)
        (Path(args.samples) / f"{name.replace(' ', '_')}.json").write_text(json.dumps(closed["samples"]))
    after, services_after, mine_after = cpu_by_session(), cpu_of_services(), time.process_time()
    per = 1000 / max(1, closed["sent"])
    closed["cpu_ms"] = {part: sum(after.get(sid, 0) - before.get(sid, 0) for sid in sids) * per
                        for part, sids in sessions.items()}
    closed["cpu_ms"].update({k: (services_after[k] - services[k]) * per for k in ("PostgreSQL", "Redis")})
    closed["cpu_ms"]["client (this process)"] = (mine_after - mine) * per
    if args.closed_only:
        return {"name": name, "closed": closed, "open": {"acked": 0, "rate": float("nan"), "ack_p50": float("nan"),
                                                          "ack_p99": float("nan"), "errors": 0, "unanswered": 0}}
    before, services = cpu_by_session(), cpu_of_services()
    sent: list = []

    def on_sent() -> None:  # CPU used while the events were being sent, not during the drain
        sent.extend([cpu_by_session(), cpu_of_services()])

    if args.client == "wrk":
        opened = await open_loop_wrk(base, deliveries, args.connections, args.seconds, args.drain, on_sent,
                                     extra_drain=args.extra_drain)
    else:
        connector = aiohttp.TCPConnector(limit=args.connections)
        async with aiohttp.ClientSession(connector=connector) as session:
            opened = await open_loop(session, f"{base}/callback", deliveries, args.connections, args.seconds,
                                     args.drain, on_sent)
    after, services_after = sent
    per = 1000 / max(1, opened["acked"])
    opened["cpu_ms"] = {part: sum(after.get(sid, 0) - before.get(sid, 0) for sid in sids) * per
                        for part, sids in sessions.items()}
    opened["cpu_ms"].update({k: (services_after[k] - services[k]) * per for k in services})
    return {"name": name, "closed": closed, "open": opened}


def _warn_if_left_over(url: str) -> None:
    """Events an earlier run left unanswered are queued again by the workers at start (their
    inbox sweep) and would be counted against this run: use a fresh database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM webhook_event WHERE processed_at IS NULL "
                                     "AND failed_at IS NULL")).scalar()
    except Exception:  # noqa: BLE001 - a new database has no tables yet
        left = 0
    finally:
        engine.dispose()
    if left:
        print(f"warning: {left} events of an earlier run are still waiting in this database; the workers "
              "will handle them first. Use a fresh database for figures.", file=sys.stderr)


def cpu_bound_mean(cpu_ms: dict[str, float], residents: int) -> float:
    """The mean reply latency the closed loop's CPU use alone implies: each resident's event
    waits while the CPUs do the work of one event per resident (the harness's share included:
    the fake LINE and this client run on the same CPUs)."""
    return residents * sum(cpu_ms.values()) / 1000 / (os.cpu_count() or 1)


def report(results: list[dict], args, backend: str) -> None:
    print(f"\nback end: {backend}; {os.cpu_count()} CPUs")
    print(f"closed loop: {args.residents} residents x {args.messages} messages; "
          f"open loop: {args.connections} connections x {args.seconds:g} s ({args.client}); drain {args.drain:g} s\n")
    names = [r["name"] for r in results]
    rows = [
        ("reply p50 (s)", lambda r: f"{r['closed']['p50']:.3f}"),
        ("reply p95 (s)", lambda r: f"{r['closed']['p95']:.3f}"),
        ("reply p99 (s)", lambda r: f"{r['closed']['p99']:.3f}"),
        ("replies not within 10 s", lambda r: f"{r['closed']['late']} of {r['closed']['sent']}"),
        ("replies lost / duplicated", lambda r: f"{r['closed']['lost']} / {r['dup']}"),
        ("closed loop CPU ms/event", lambda r: " + ".join(f"{v:.1f}" for v in r["closed"]["cpu_ms"].values() if v)),
        # no pause between a reply and the next message: every resident always waits, so the
        # CPUs are never idle and a reply waits, on average, for all the residents' events
        ("  CPU-bound mean reply (s)", lambda r: f"{cpu_bound_mean(r['closed']['cpu_ms'], args.residents):.2f}"),
        ("open loop: events/s acked", lambda r: f"{r['open']['rate']:.0f}"),
        ("open loop CPU ms/event", lambda r: " + ".join(f"{v:.2f}" for v in r["open"].get("cpu_ms", {}).values() if v) or "-"),
        ("ack p50 (ms)", lambda r: f"{r['open']['ack_p50'] * 1000:.1f}"),
        ("ack p99 (ms)", lambda r: f"{r['open']['ack_p99'] * 1000:.1f}"),
        ("events acked / non-200", lambda r: f"{r['open']['acked']} / {r['open']['errors']}"),
        ("unanswered after drain", lambda r: f"{r['open']['unanswered']}"),
        # with --extra-drain: were the late ones answered later, or lost?
        ("  last answered (s after)", lambda r: f"{r['open'].get('last', float('nan')):.1f}"),
        ("  never answered", lambda r: f"{r['open'].get('never', r['open']['unanswered'])}"),
    ]
    width = max(max(len(n) for n in names) + 2, 34)
    print(f"{'':28}" + "".join(f"{n:>{max(width, 14)}}" for n in names))
    for label, cell in rows:
        print(f"{label:28}" + "".join(f"{cell(r):>{max(width, 14)}}" for r in results))
    print("  (closed loop, of the processes that used any: "
          + " + ".join(k for k, v in results[-1]["closed"]["cpu_ms"].items() if v) + "; the fake LINE serves both)")
    if results[-1]["open"].get("cpu_ms"):
        print("  (open loop, while sending, of the processes that used any: "
              + " + ".join(k for k, v in results[-1]["open"]["cpu_ms"].items() if v) + ")")
    if len(results) == 2:
        print(f"\nacked events/s, tsunagu / echo: {results[1]['open']['rate'] / results[0]['open']['rate']:.1f}x")


async def main_async(args) -> None:
    logs = Path(tempfile.mkdtemp(prefix="tsunagu-load-"))
    py = sys.executable
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "TSUNAGU_"))}
    fake_url = f"http://127.0.0.1:{FAKE_PORT}"
    env = dict(base_env, SECRET_KEY=secrets.token_hex(32), LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
               LINE_API_BASE_URL=fake_url, PYTHONUNBUFFERED="1")
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{logs}/load.sqlite3"
    redis_url = env.get("REDIS_URL")
    backend = (f"{'PostgreSQL' if env['DATABASE_URL'].startswith('postgresql') else 'SQLite'} + "
               + (f"Redis, tsunagu serve ({args.serve_workers or 'default'} web processes) + {args.workers} worker(s)"
                  f" x {args.worker_threads} event loops"
                  if redis_url else "in-process jobs (tsunagu serve, one process)"))
    if redis_url:
        from redis import Redis
        from rq import Queue

        redis = Redis.from_url(redis_url)
        Queue("events", connection=redis).empty()
        redis.delete("tsunagu:line-events")
        _warn_if_left_over(env["DATABASE_URL"])
    procs: list[subprocess.Popen] = []
    started_at = time.time()
    try:
        procs.append(start([py, "-m", "tests.fakeline.server", "--port", str(FAKE_PORT), "--any-reply-token",
                            "--access-token", TOKEN], env, logs / "fakeline.log"))
        procs.append(start([py, str(ROOT / "benchmarks" / "echo_app.py"), "--port", str(ECHO_PORT), "--api", fake_url,
                            "--secret", SECRET, "--token", TOKEN], env, logs / "echo.log"))
        serve = [py, "-m", "console.cli", "serve", "--port", str(PRODUCT_PORT)]
        if args.serve_workers:
            serve += ["--workers", str(args.serve_workers)]
        if args.serve_threads:
            serve += ["--threads", str(args.serve_threads)]
        def spy(name: str, command: list[str]) -> list[str]:
            if not args.profile:
                return command
            return ["py-spy", "record", "--subprocesses", "--format", "raw", "-r", "200", *os.environ.get("SPY_FLAGS", "").split(),
                    "-o", str(logs / f"{name}.stacks"), "--", *command]

        procs.append(start(spy("serve", serve), env, logs / "serve.log"))
        for n in range(args.workers if redis_url else 0):
            procs.append(start(spy(f"worker{n}", [py, "-m", "console.cli", "worker", "--threads", str(args.worker_threads)]
                                                  + (["--nice", str(args.worker_nice)] if args.worker_nice is not None else [])),
                               env, logs / f"worker{n}.log"))
        async with aiohttp.ClientSession() as session:
            for url in (f"{fake_url}/_fake/deliveries", f"http://127.0.0.1:{ECHO_PORT}/",
                        f"http://127.0.0.1:{PRODUCT_PORT}/healthz"):
                await wait_up(session, url)
            if redis_url:  # each worker registers with RQ once warmed up (dictionary, caches, connections)
                await wait_workers(redis, args.workers, since=started_at)
            deliveries = Deliveries(session, fake_url)
            poller = asyncio.create_task(deliveries.run())
            results = []
            targets = [("tsunagu", PRODUCT_PORT)] if args.skip_echo else [("echo sample", ECHO_PORT), ("tsunagu", PRODUCT_PORT)]
            fake_sid, echo_sid = procs[0].pid, procs[1].pid
            product = [p.pid for p in procs[2:]]
            for name, port in targets:
                parts = ({"fake LINE": [fake_sid], "echo": [echo_sid]} if name == "echo sample" else
                         {"fake LINE": [fake_sid], "serve": product[:1], "workers": product[1:]})
                before = await deliveries.reused_now()
                result = await measure(name, f"http://127.0.0.1:{port}", deliveries, args, parts)
                result["dup"] = await deliveries.reused_now() - before
                results.append(result)
            poller.cancel()
        report(results, args, backend)
        print(f"\nprocess logs: {logs}")
    finally:
        if args.profile:  # py-spy writes its file on SIGINT
            for p in procs[2:]:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    pass
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="tsunagu worker processes (with REDIS_URL)")
    parser.add_argument("--worker-threads", type=int, default=4, help="event loops per worker process")
    parser.add_argument("--worker-nice", type=int, default=None, help="tsunagu worker --nice (default: its own)")
    parser.add_argument("--serve-workers", type=int, default=None, help="web processes (granian)")
    parser.add_argument("--serve-threads", type=int, default=None, help="threads per web process")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--drain", type=float, default=30.0)
    parser.add_argument("--extra-drain", type=float, default=120.0,
                        help="open loop (wrk): when events are still unanswered after --drain, wait up to this "
                             "much longer to tell late ones from lost ones (reported apart)")
    parser.add_argument("--client", choices=["wrk", "aiohttp"], default="wrk" if shutil.which("wrk") else "aiohttp",
                        help="open-loop client (default wrk when installed: apt-get install wrk)")
    parser.add_argument("--skip-echo", action="store_true")
    parser.add_argument("--samples", metavar="DIR",
                        help="write each closed loop's (message, sent at, latency) triples to DIR/<name>.json")
    parser.add_argument("--closed-only", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="run serve and workers under py-spy (raw stacks in the log folder)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
