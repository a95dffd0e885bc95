"""Fixtures: the app on both back ends (SQLite + in-process jobs, PostgreSQL + Redis/RQ),
a LINE resident talking through the real webhook to a fake LINE server, a web-chat visitor."""
from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from console.app import create_app
from console.settings import Settings
from tests.fakeline.fixtures import fake_line  # noqa: F401  (fixture)
from tests.helpers import LineResident, WebVisitor

POSTGRES_URL = os.environ.get("TSUNAGU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TSUNAGU_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
CHANNEL_SECRET = "test-channel-secret"
FAST_RETRIES = [0, 0, 0]


def _reset_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """Yields (database_url, redis_url or None) for each back end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tsunagu.sqlite3'}", None
        return
    from redis import Redis

    _reset_postgres()
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    yield POSTGRES_URL, REDIS_URL
    redis.flushdb()
    redis.close()


def make_settings(database_url: str, redis_url: str | None, line: bool, line_base_url: str = "", token: str = "") -> Settings:
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    if line:
        env.update(LINE_CHANNEL_SECRET=CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN=token, LINE_API_BASE_URL=line_base_url)
    return Settings.from_env(env)


@pytest.fixture
def app(backend, fake_line, tmp_path):  # noqa: F811
    from workers.jobs import make_jobs

    database_url, redis_url = backend
    settings = make_settings(database_url, redis_url, True, fake_line.base_url, fake_line.access_token)
    jobs = make_jobs(redis_url, FAST_RETRIES)
    flask_app = create_app(settings, jobs=jobs, instance_path=str(tmp_path / "instance"))
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield flask_app
    connection = getattr(jobs, "connection", None)
    if connection is not None:
        connection.close()
    from models.db import get_engine

    get_engine().dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def resident(app, client, fake_line):  # noqa: F811
    return LineResident(app, client, fake_line, CHANNEL_SECRET)


@pytest.fixture
def visitor(app):
    return WebVisitor(app.test_client())


# ---- a real Chromium (Debian's) driving the app on a real socket ----
CHROMIUM = os.environ.get("TSUNAGU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="ja-JP")
        yield page
        browser.close()
