"""The `tsunagu` command: demo, serve, worker, classify, export."""
from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys


def _logging() -> None:
    # ids and outcomes only: resident's words never reach the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _app(generate_secret: bool, instance: str | None = None):
    from console.app import create_app

    if not generate_secret:  # `tsunagu serve` is production, behind HTTPS: Secure cookies unless told otherwise
        os.environ.setdefault("TSUNAGU_SECURE_COOKIES", "true")

    app = create_app(generate_secret=generate_secret, instance_path=instance)
    if not generate_secret:
        from console.settings import SECRET_KEY_ADVICE, SettingsError, secret_key_problem

        problem = secret_key_problem(app.config["TSUNAGU"].secret_key)
        if problem:
            raise SettingsError([("SECRET_KEY", f"{problem}: {SECRET_KEY_ADVICE}")])
    return app


def _print_urls(app, host: str, port: int, logins: list[str], password: str | None) -> None:
    base = f"http://{host}:{port}"
    settings = app.config["TSUNAGU"]
    lines = [
        "",
        "  つなぐ Tsunagu is running",
        f"  web chat (residents):  {base}/chat",
        f"  staff console:         {base}/console/",
    ]
    if settings.line_enabled:
        lines.append(f"  LINE webhook:          {base}/callback")
    else:
        lines.append("  LINE webhook:          off (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN)")
    lines.append(f"  database:              {settings.database_url.split('@')[-1]}")
    lines.append(f"  jobs:                  {'RQ on ' + settings.redis_url.split('@')[-1] if settings.redis_url else 'in-process'}")
    if logins:
        lines.append(f"  staff logins:          {', '.join(logins)}  password: {password}")
    print("\n".join(lines) + "\n", flush=True)


def _start_periodic() -> None:
    from workers import runtime
    from workers.schedule import start_periodic

    start_periodic(runtime.current().jobs)


def _seed_demo_cases(coordinator_label: str) -> None:
    """About 30 demo cases through the real dialog, in the background: the console is up at once
    and the queue fills within a minute (only on an empty database)."""
    import threading

    def seed():
        from console.demo import seed_demo_cases

        made = seed_demo_cases(coordinator_label)
        if made:
            print(f"  demo cases:            {made} (through the web chat dialog and the case services)", flush=True)

    threading.Thread(target=seed, name="demo-cases", daemon=True).start()


def cmd_demo(args: argparse.Namespace) -> int:
    _logging()
    app = _app(generate_secret=True, instance=args.instance)
    from_env = app.config["TSUNAGU"].demo_password
    password = from_env or secrets.token_urlsafe(9)
    logins: list[str] = []
    try:
        from console.staff import missing_demo_staff, seed_demo_staff
    except ImportError:  # console not installed in this build
        seed_demo_staff = None
    if seed_demo_staff is not None:
        created = missing_demo_staff()
        logins = seed_demo_staff(password)
        password = _demo_password_line(from_env, password, created)
    _print_urls(app, args.host, args.port, logins, password)
    from console.commands.serve import start_in_process_work

    start_in_process_work(app)
    if seed_demo_staff is not None:
        _seed_demo_cases(app.config["TSUNAGU"].coordinator_label)
    from console.commands.serve import serve_single

    serve_single(app, args.host, args.port)  # not Flask's development server
    return 0


def _demo_password_line(from_env: str | None, generated: str, created: list[str]) -> str:
    """What the demo prints as the password: never a value that came from the environment
    (it may be reused elsewhere), and a generated one only for accounts it just created."""
    if from_env:
        return "TSUNAGU_DEMO_PASSWORD の値" + ("" if created else "（既存のアカウントは変更していません）")
    if not created:
        return "（既存のアカウント: パスワードは変更していません）"
    return generated + ("" if len(created) == 4 else f"（新しく作った {', '.join(created)} のみ）")


def cmd_serve(args: argparse.Namespace) -> int:
    from console.commands.serve import port_taken, serve

    _logging()
    problem = port_taken(args.host, args.port)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    app = _app(generate_secret=False)
    _print_urls(app, args.host, args.port, [], None)
    serve(app, args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _logging()
    app = _app(generate_secret=True)  # jobs never touch sessions: a throwaway key is fine
    from workers import runtime

    jobs = runtime.current().jobs
    if not hasattr(jobs, "queue"):
        print("REDIS_URL is not set: jobs already run inside `tsunagu serve` / `tsunagu demo`.", file=sys.stderr)
        return 2
    from console.commands.worker import lower_priority, run_worker

    lower_priority(args.nice)
    return run_worker(app, burst=args.burst, start_periodic=_start_periodic, threads=args.threads)


def cmd_export(args: argparse.Namespace) -> int:
    from console.export import write
    from models.db import session_scope

    _app(generate_secret=True)
    out = _private_file(args.output) if args.output else sys.stdout
    try:
        with session_scope() as session:
            write(session, args.format, out, declined_text=args.include_declined_text)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _private_file(path: str):
    """The export holds personal data: readable by its owner only (0600), even if it existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def cmd_classify(args: argparse.Namespace) -> int:
    from dialogs.understanding import classify

    for line in sys.stdin:
        text = line.rstrip("\n")
        sys.stdout.write(json.dumps(classify(text).to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from console.commands.ops import db_upgrade, settings_or_report

    _logging()
    settings = settings_or_report()
    return 1 if settings is None else db_upgrade(settings)


def cmd_check(args: argparse.Namespace) -> int:
    from console.commands.ops import check

    return check()  # reads the environment itself: an unreadable variable is an NG line


def cmd_line_setup(args: argparse.Namespace) -> int:
    from bot.line.setup import LineSetup, SetupError
    from console.commands.ops import settings_or_report

    settings = settings_or_report()
    if settings is None:
        return 1
    if not settings.line_enabled:
        print("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first", file=sys.stderr)
        return 2
    setup = LineSetup(settings.line_api_base_url, settings.line_channel_access_token)
    try:
        if not args.skip_menu:
            print(f"rich menu installed as the default: {setup.install_rich_menu()}")
        if args.webhook_url:
            setup.set_webhook(args.webhook_url)
            print(f"webhook set to {args.webhook_url} and tested: LINE got 200")
    except SetupError as exc:
        print(f"NG  {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsunagu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    for name, func, text in (
        ("demo", cmd_demo, "one command on a fresh machine: database, demo staff, web chat + console"),
        ("serve", cmd_serve, "production web process (needs SECRET_KEY)"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=5000)
        if name == "serve":
            p.add_argument("--workers", type=int, default=None,
                           help="web processes with REDIS_URL (granian; default: the number of CPUs, at least 2)")
            p.add_argument("--threads", type=int, default=None,
                           help="threads per web process (default 8; without REDIS_URL 4)")
        if name == "demo":
            p.add_argument("--instance", default=os.path.abspath("instance"), help="folder for the SQLite file")
        p.set_defaults(func=func)

    p = sub.add_parser("worker", help="RQ worker for REDIS_URL (processes LINE events, sends replies)")
    p.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    p.add_argument("--threads", type=int, default=4, help="job loops in this process (default 4)")
    p.add_argument("--nice", type=int, default=10,
                   help="CPU priority below the web processes on a shared host (default 10; 0 keeps it)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("export", help="intakes as structured records")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--output", "-o", help="file to write, mode 0600 (default: stdout)")
    p.add_argument("--include-declined-text", action="store_true",
                   help="also export free text where the person declined or withdrew consent to share")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("db", help="database schema")
    p.add_argument("action", choices=["upgrade"], help="upgrade: apply migrations (run once per deployment)")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("check", help="configuration sanity: secrets, database, Redis, LINE credentials")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("line", help="LINE channel set-up through the Messaging API")
    p.add_argument("action", choices=["setup"])
    p.add_argument("--webhook-url", help="https://<host>/callback: set as the webhook and test it")
    p.add_argument("--skip-menu", action="store_true", help="leave the rich menu as it is")
    p.set_defaults(func=cmd_line_setup)

    p = sub.add_parser("classify", help="one message per line on stdin -> one JSON per line")
    p.set_defaults(func=cmd_classify)

    from console.staff_cli import add_parsers

    add_parsers(sub)  # staff add, directory load
    return parser


def main(argv: list[str] | None = None) -> int:
    from console.settings import SettingsError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:  # what to set, by name: no traceback
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
