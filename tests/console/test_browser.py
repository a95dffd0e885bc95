"""A real browser (Debian chromium) logs in as 推進員 and opens an urgent intake."""
from __future__ import annotations

import os

import pytest

from tests.console.conftest import PASSWORD, make_intake

pytestmark = [pytest.mark.browser]


def test_suishin_logs_in_and_sees_highlighted_evidence(app, staff, live_server, browser_page):
    page = browser_page
    make_intake(receipt_no="PLAIN-0001")
    make_intake(receipt_no="CRISIS-0001", crisis=True, urgent=True, crisis_kinds=["suicide"],
                crisis_evidence=["消えたい"], free_text="仕事をなくした。<消えたい>と毎日思う")

    page.goto(f"{live_server}/console/")
    page.fill("#username", "suishin")
    page.fill("#password", "wrong")
    page.click("#login-form button[type=submit]")
    assert page.inner_text("#login-error") == "ユーザー名またはパスワードが正しくありません。"

    page.fill("#username", "suishin")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#queue")
    rows = page.locator("#queue tbody tr")
    assert rows.nth(0).get_attribute("data-receipt") == "CRISIS-0001"
    assert "危機：自殺の危険" in rows.nth(0).inner_text()

    page.click("text=CRISIS-0001")
    page.wait_for_selector("#free-text")
    marks = page.locator("#free-text mark.evidence")
    assert marks.count() == 1 and marks.inner_text() == "消えたい"
    assert page.inner_text("#free-text") == "仕事をなくした。<消えたい>と毎日思う"
    background = marks.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(255, 224, 138)"
    if shots := os.environ.get("TSUNAGU_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/intake.png", full_page=True)
        page.goto(f"{live_server}/console/")
        page.screenshot(path=f"{shots}/queue.png", full_page=True)
