"""Issue 9 item 18: pages with personal data are not framed, cached or sniffed, scripts run
only with the page's nonce, the server does not name its version, and production cookies
are Secure by default."""
from __future__ import annotations

import pytest

from console.cli import _app
from console.hardening import trusted_proxies
from tests.console.conftest import login, make_intake, staff  # noqa: F401


@pytest.mark.parametrize("path", ["/chat", "/console/login"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Server"] == "tsunagu"


def test_the_chat_script_carries_the_nonce_of_its_response(client):
    response = client.get("/chat")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)
    assert nonce not in client.get("/chat").get_data(as_text=True)  # a new one every time


def test_an_intake_page_and_the_chat_api_are_never_cached(client, staff):  # noqa: F811
    login(client, "suishin")
    page = client.get(f"/console/intakes/{make_intake()}")
    api = client.post("/chat/api/messages", json={"type": "start", "id": "cache-0001"})
    assert page.headers["Cache-Control"] == "no-store" and api.headers["Cache-Control"] == "no-store"


def test_production_cookies_are_secure_unless_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef" * 2)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("TSUNAGU_SECURE_COOKIES", "x")  # recorded, so teardown removes what _app sets
    monkeypatch.delenv("TSUNAGU_SECURE_COOKIES")
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert _app(generate_secret=False).config["SESSION_COOKIE_SECURE"] is True  # tsunagu serve
    monkeypatch.setenv("TSUNAGU_SECURE_COOKIES", "false")
    assert _app(generate_secret=False).config["SESSION_COOKIE_SECURE"] is False


def test_trusted_proxies_is_parsed_strictly():
    assert trusted_proxies({}) == 0 and trusted_proxies({"TSUNAGU_TRUSTED_PROXIES": "1"}) == 1
    with pytest.raises(ValueError):
        trusted_proxies({"TSUNAGU_TRUSTED_PROXIES": "yes"})
