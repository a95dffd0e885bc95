"""pytest fixture for the fake LINE server.

Use it from a conftest or a test module:

    from tests.fakeline.fixtures import fake_line  # noqa: F401

`fake_line` is a started FakeLine (stopped after the test). While the test runs,
LINE_API_BASE_URL and LINE_CHANNEL_ACCESS_TOKEN point at it, so app code that reads the
environment talks to the fake.
"""
from __future__ import annotations

import pytest

from tests.fakeline.server import FakeLine


@pytest.fixture
def fake_line(monkeypatch):
    fake = FakeLine().start()
    monkeypatch.setenv("LINE_API_BASE_URL", fake.base_url)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", fake.access_token)
    try:
        yield fake
    finally:
        fake.stop()
