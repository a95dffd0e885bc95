"""A real browser (Debian chromium) under the console's own CSP: the 推進員 turns 通知音なしで送る
on and off on the reply page, and it stays as set after a reload (walk finding 2: an inline
onchange was blocked by the CSP and the only button was inside <noscript>)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from console import cases
from models import Intake, StaffUser
from models.db import session_scope
from tests.console.conftest import PASSWORD, make_intake

pytestmark = [pytest.mark.browser]


def claimed_case() -> int:
    intake_id = make_intake(channel="line", user_key="U-silent-test", categories=["family"], primary="family")
    with session_scope() as db:
        suishin = db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        cases.claim(db, db.get(Intake, intake_id), suishin)
    return intake_id


def test_silent_toggle_is_saved_in_a_browser_with_the_csp(app, staff, live_server, browser_page):
    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text))
    intake_id = claimed_case()
    page.goto(f"{live_server}/console/login")
    page.fill("#username", "suishin")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#queue")

    url = f"{live_server}/console/intakes/{intake_id}/reply"
    page.goto(url)
    assert not page.is_checked("#silent")
    assert "通知ありで送る" in page.inner_text("#silent-state")
    assert page.is_visible("#silent-save")  # a visible button, not one hidden in <noscript>

    with page.expect_navigation():
        page.check("#silent")  # ticking saves at once (a nonce'd script, no inline handler)
    assert "通知音なしで送ります。" in page.content()
    page.reload()
    assert page.is_checked("#silent")
    assert "通知音なしで送る（オン）" in page.inner_text("#silent-state")

    with page.expect_navigation():
        page.uncheck("#silent")
    page.reload()
    assert not page.is_checked("#silent")
    assert "通知ありで送る" in page.inner_text("#silent-state")
    assert not [m for m in console_errors if "Content Security Policy" in m], console_errors

    # the visible button alone does it too (keyboard users, a browser with scripts off)
    no_js = page.context.browser.new_context(java_script_enabled=False, locale="ja-JP").new_page()
    no_js.goto(f"{live_server}/console/login")
    no_js.fill("#username", "suishin")
    no_js.fill("#password", PASSWORD)
    no_js.click("#login-form button[type=submit]")
    no_js.goto(url)
    no_js.check("#silent")
    with no_js.expect_navigation():
        no_js.click("#silent-save")
    no_js.reload()
    assert no_js.is_checked("#silent") and "（オン）" in no_js.inner_text("#silent-state")
