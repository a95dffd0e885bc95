"""`tsunagu line setup`, `tsunagu check` and `tsunagu db upgrade`, against the fake LINE server
(extended with the rich menu, bot info and webhook endpoints) and real databases."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.line.setup import HEIGHT, WIDTH, draw_menu, menu_definition
from console.cli import main
from tests.conftest import CHANNEL_SECRET
from tests.helpers import run_jobs


@pytest.fixture
def line_env(monkeypatch, fake_line, backend):
    database_url, redis_url = backend
    fake_line.channel_secret = CHANNEL_SECRET
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LINE_CHANNEL_SECRET", CHANNEL_SECRET)
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef" * 4)
    if redis_url:
        monkeypatch.setenv("REDIS_URL", redis_url)
    return fake_line


def test_the_menu_image_shows_four_coloured_buttons():
    image = Image.open(io.BytesIO(draw_menu()))
    assert image.size == (WIDTH, HEIGHT) and image.format == "PNG"
    quarter = WIDTH // 4
    for n, button in enumerate(menu_definition()["buttons"]):
        panel = image.crop((n * quarter + 20, 20, (n + 1) * quarter - 20, HEIGHT - 20))
        colours = {c for _, c in panel.getcolors(maxcolors=1_000_000)}
        assert (255, 255, 255) in colours  # the white label was drawn on the panel
        assert tuple(int(button["color"][i:i + 2], 16) for i in (1, 3, 5)) in colours


def test_line_setup_installs_the_menu_and_a_tested_webhook(line_env, live_server, app, capsys):
    fake = line_env
    assert main(["line", "setup", "--webhook-url", f"{live_server}/callback"]) == 0
    menu = fake.rich_menus[fake.default_rich_menu]
    assert Image.open(io.BytesIO(menu["image"])).size == (WIDTH, HEIGHT)
    assert [a["action"]["label"] for a in menu["request"]["areas"]] == [
        "相談をはじめる", "緊急の連絡先", "同意の確認・とりけし", "English"]
    assert fake.webhook_endpoint == f"{live_server}/callback"
    assert "tested: LINE got 200" in capsys.readouterr().out

    first = fake.default_rich_menu
    assert main(["line", "setup"]) == 0  # re-made: the old menu is replaced, not piled up
    assert list(fake.rich_menus) == [fake.default_rich_menu] and fake.default_rich_menu != first


def test_a_webhook_that_answers_wrongly_is_reported(line_env, live_server, app, monkeypatch, capsys):
    line_env.channel_secret = "not-the-channel-secret"  # LINE signs with another secret: we answer 403
    assert main(["line", "setup", "--skip-menu", "--webhook-url", f"{live_server}/callback"]) == 1
    assert "403" in capsys.readouterr().err


def test_menu_taps_reach_the_dialog(line_env, resident, app):
    from sqlmodel import select

    from models import WebhookEvent
    from models.db import session_scope

    fake = line_env
    assert main(["line", "setup"]) == 0
    resident.follow()
    english = resident.send(fake.tap(resident.user_id, 3))  # "English": the language command
    assert english and english[-1].isascii()
    assert resident.send(fake.tap(resident.user_id, 2))  # 同意をとりけす: the withdraw command answers
    # 相談をはじめる / 緊急の連絡先 are postbacks menu:start / menu:emergency for the dialog
    for area in (0, 1):
        resident.send(fake.tap(resident.user_id, area))
    run_jobs(app)
    with session_scope() as s:
        events = s.exec(select(WebhookEvent)).all()
    assert [e.payload["postback"]["data"] for e in events if e.payload["type"] == "postback"] == [
        "menu:start", "menu:emergency"]
    assert all(e.processed_at is not None for e in events)


def test_check_passes_on_a_sound_configuration(line_env, app, monkeypatch, capsys):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "0123456789abcdef" * 2)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "NG" not in out and "LINE access token valid" in out


def test_check_names_each_problem(line_env, app, monkeypatch, capsys):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "revoked")
    if line_env and "REDIS_URL" in __import__("os").environ:
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "NG  SECRET_KEY" in out and "NG  LINE access token refused (HTTP 401)" in out


def test_db_upgrade_brings_a_new_database_to_the_newest_schema(tmp_path, monkeypatch, capsys):
    from models.migrate import current, head

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert current(url) == head()
    assert main(["db", "upgrade"]) == 0  # again: nothing to do, no error
