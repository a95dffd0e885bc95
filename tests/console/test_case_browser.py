"""Real Chromium: a resident files an intake in the web chat, a coordinator takes it from
the queue to 終結; two coordinators click 担当する at the same moment. Screenshots of every
open page are saved on failure (TSUNAGU_SCREENSHOTS, else the test's tmp folder)."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from console.staff import upsert_staff
from dialogs import checklist
from models import Intake, StaffUser
from models.db import session_scope
from tests.console.conftest import PASSWORD, make_intake

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


@contextmanager
def screenshots_on_failure(tmp_path, name: str, pages: dict):
    try:
        yield
    except BaseException:
        folder = os.environ.get("TSUNAGU_SCREENSHOTS") or str(tmp_path)
        for label, page in pages.items():
            try:
                page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
            except Exception:  # noqa: BLE001 - the page may be gone; keep the real error
                pass
        raise


def click(page, label: str) -> None:
    page.locator(".choices button:not([disabled])", has_text=label).first.click()


def staff_login(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def flash(page) -> str:
    return page.locator("p.flash").first.inner_text()


def test_web_chat_intake_to_closed_case(app, staff, live_server, browser_page, tmp_path):
    resident = browser_page
    coordinator = resident.context.browser.new_context(locale="ja-JP").new_page()
    for page in (resident, coordinator):
        page.set_default_timeout(30_000)
    with screenshots_on_failure(tmp_path, "journey", {"resident": resident, "coordinator": coordinator}):
        resident.goto(f"{live_server}/chat")
        expect(resident.locator(".bubble.bot").first).to_contain_text("緊急の窓口では ありません")
        click(resident, "本人（自分のこと）")
        click(resident, "名前を言わずに")
        click(resident, "40〜64歳")
        click(resident, "とばす")
        click(resident, "高齢の親")
        click(resident, "これで決定")
        resident.fill("#text", "母の介護で仕事をやめた。お金も足りないし、弟はずっと家にいる")
        resident.press("#text", "Enter")
        # the first message loads the classifier: allow for a slow machine; the guesses come ticked
        expect(resident.locator(".choices button:not([disabled])", has_text="つぎへ")).to_be_visible(timeout=60_000)
        for _ in checklist.groups():
            click(resident, "つぎへ")
        expect(resident.locator(".bubble.bot").last).to_contain_text("いちばん 困っているのは")
        click(resident, "介護に関すること")
        click(resident, "とばす")
        click(resident, "半年〜1年前")
        click(resident, "窓口に行く（来所）")
        click(resident, "はい、同意します")
        click(resident, "はい、同意します")
        click(resident, "送信する")
        expect(resident.locator(".bubble.bot").last).to_contain_text("受付番号")
        receipt = re.search(r"受付番号: (\S+)", resident.locator(".bubble.bot").last.inner_text()).group(1)
        with session_scope() as db:
            db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one().city_staff = True

        page = coordinator
        staff_login(page, live_server, "suishin")
        page.fill("input[name=q]", receipt)
        page.click("#filter button[type=submit]")
        page.click(f"text={receipt}")
        page.click("#claim")
        expect(page.locator("p.flash").first).to_have_text("この相談の担当になりました。")
        expect(page.locator("#triage-suggestion")).to_contain_text("③")
        page.check("#triage-form input[value='3']")
        page.fill("#triage-form textarea[name=reason]", "8050 世帯、介護離職と収入")
        page.click("#triage-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("振り分けを記録しました。")
        expect(page.locator("#meeting-consent")).to_contain_text("重層的支援会議を開けます")
        page.check("#meeting-form input[value='jusoteki']")
        page.fill("#meeting-form input[name=held_on]", "2026-12-03")
        page.fill("input[name='members-0-name']", "山田 花子")
        page.fill("input[name='members-0-organisation']", "高齢者あんしん相談センター")
        page.click("#meeting-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("会議を記録しました。")
        page.fill("#plan-form textarea[name=goals]", "母の介護を続けながら、また働きたい")
        page.fill("input[name='tasks-0-who']", "高齢者あんしん相談センター")
        page.fill("input[name='tasks-0-what']", "介護認定の申請")
        page.click("#plan-form button[type=submit]")
        page.click("#approve-plan")
        expect(page.locator("p.flash").first).to_have_text("支援プランを承認しました。支援中になりました。")
        page.select_option("#contact-form select[name=method]", "accompany")
        page.fill("#contact-form textarea[name=note]", "窓口に同行")
        page.click("#contact-form button[type=submit]")
        expect(page.locator("#contacts")).to_contain_text("同行支援")
        page.click("button[data-move=monitor]")
        expect(page.locator("p.flash").first).to_have_text("状態を「モニタリング」にしました。")
        page.check("#close-form input[value='resolved']")
        page.click("#close-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("終結しました。")
        expect(page.locator("#case-state")).to_have_text("終結（解決）")
        kinds = page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds == ["close", "monitor", "contact", "start_support", "plan", "convene", "triage", "claim"]


def test_two_coordinators_click_claim_at_once(app, staff, live_server, browser_page, tmp_path):
    with session_scope() as db:
        upsert_staff(db, "suishin2", "推進員２", "suishin", PASSWORD)
    intake_id = make_intake(receipt_no="RACE-0001")
    first = browser_page
    second = first.context.browser.new_context(locale="ja-JP").new_page()
    with screenshots_on_failure(tmp_path, "claim", {"first": first, "second": second}):
        staff_login(first, live_server, "suishin")
        staff_login(second, live_server, "suishin2")
        for page in (first, second):
            page.goto(f"{live_server}/console/intakes/{intake_id}")
            expect(page.locator("#claim")).to_be_visible()
        # both clicks are dispatched before either answer arrives
        with first.expect_navigation(), second.expect_navigation():
            first.evaluate("document.querySelector('#claim').click()")
            second.evaluate("document.querySelector('#claim').click()")
        messages = sorted([flash(first), flash(second)])
        winner = "推進員（デモ）" if "この相談の担当になりました。" == flash(first) else "推進員２"
        assert messages == sorted(["この相談の担当になりました。", f"この相談は、すでに {winner} さんが担当しています。"])
        with session_scope() as db:
            owner = db.get(StaffUser, db.get(Intake, intake_id).assignee_id).display_name
        assert owner == winner
