"""Settings come from the environment and junk is an error, not a silent default."""
from __future__ import annotations

import pytest

from console.settings import Settings


def test_defaults_with_nothing_set():
    s = Settings.from_env({})
    assert s.database_url is None and s.redis_url is None and not s.line_enabled
    assert s.line_api_base_url == "https://api.line.me" and s.secure_cookies is False


def test_line_is_enabled_only_with_both_credentials():
    assert not Settings.from_env({"LINE_CHANNEL_SECRET": "s"}).line_enabled
    assert Settings.from_env({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t"}).line_enabled


@pytest.mark.parametrize("raw, expected", [("true", True), ("1", True), ("off", False), ("", False)])
def test_booleans_parse(raw, expected):
    assert Settings.from_env({"TSUNAGU_SECURE_COOKIES": raw}).secure_cookies is expected


def test_junk_boolean_is_an_error():
    with pytest.raises(ValueError, match="TSUNAGU_SECURE_COOKIES"):
        Settings.from_env({"TSUNAGU_SECURE_COOKIES": "perhaps"})


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    from console.app import create_app

    with pytest.raises(ValueError, match="SECRET_KEY"):  # a SettingsError, named
        create_app(Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}), instance_path=str(tmp_path))


def test_claim_timeout_parses_hours_and_refuses_junk():
    assert Settings.from_env({}).claim_timeout_hours == 72
    assert Settings.from_env({"TSUNAGU_CLAIM_TIMEOUT_HOURS": "8"}).claim_timeout_hours == 8
    for junk in ("soon", "0", "-3"):
        with pytest.raises(ValueError, match="TSUNAGU_CLAIM_TIMEOUT_HOURS"):
            Settings.from_env({"TSUNAGU_CLAIM_TIMEOUT_HOURS": junk})


def test_job_retry_intervals_parse_and_refuse_junk():
    assert Settings.from_env({}).job_retry_intervals is None
    assert Settings.from_env({"TSUNAGU_JOB_RETRY_INTERVALS": "2,10,30"}).job_retry_intervals == (2.0, 10.0, 30.0)
    for junk in ("2,,10", "soon", "-1"):
        with pytest.raises(ValueError, match="TSUNAGU_JOB_RETRY_INTERVALS"):
            Settings.from_env({"TSUNAGU_JOB_RETRY_INTERVALS": junk})
