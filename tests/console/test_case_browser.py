"""Real Chromium: a resident files an intake in the web chat, a coordinator claims it, records
③, refers it, the agency sends it back with a 提案, the coordinator refers it elsewhere,
records a 支援会議 and a plan, replies (the resident's page shows it) and closes it; two
coordinators click 担当する at the same moment. Screenshots of every
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
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1")


def flash(page) -> str:
    return page.locator("p.flash").first.inner_text()


PROPOSAL = "持ち家のため住居確保給付金の対象外です。介護が中心なので高齢者あんしん相談センターへ"
REPLY = "ご相談 ありがとうございます。あした 電話で お話を ききます。"


def test_web_chat_intake_to_closed_case(app, staff, live_server, browser_page, tmp_path):
    resident = browser_page
    coordinator = resident.context.browser.new_context(locale="ja-JP").new_page()
    for page in (resident, coordinator):
        page.set_default_timeout(30_000)
    pages = {"resident": resident, "coordinator": coordinator}  # the agency joins later
    with screenshots_on_failure(tmp_path, "journey", pages):
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
        intake_url = page.url

        # つなぐ: to 生活自立支援課; the agency sends it back with a 提案; the coordinator follows it
        page.click("#link-referrals")
        page.check("#refer-form label:has-text('生活自立支援課') input")
        page.click("#refer-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("1 件の機関へつなぎました（依頼中）。")
        agency = pages["agency"] = resident.context.browser.new_context(locale="ja-JP").new_page()
        agency.set_default_timeout(30_000)
        staff_login(agency, live_server, "agency")
        agency.click("#inbox a")
        expect(agency.locator("#free-text")).to_contain_text("母の介護で仕事をやめた")  # consented to sharing
        agency.fill("#move-send_back textarea[name=proposal]", PROPOSAL)
        agency.click("#move-send_back button")
        expect(agency.locator("p.flash").first).to_have_text("提案を添えて、つなぎ戻しました。")
        page.reload()
        expect(page.locator("#referrals .proposal")).to_contain_text(PROPOSAL)
        page.check("#refer-form label:has-text('高齢者あんしん相談センター') input")
        page.click("#refer-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("1 件の機関へつなぎました（依頼中）。")

        # 支援会議: every member pledges 守秘義務
        page.goto(intake_url)
        page.check("#meeting-form input[value='shien']")
        page.fill("#meeting-form input[name=held_on]", "2026-12-03")
        page.fill("input[name='members-0-name']", "山田 花子")
        page.fill("input[name='members-0-organisation']", "高齢者あんしん相談センター")
        page.check("input[name='members-0-pledged']")
        page.click("#meeting-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("会議を記録しました。")
        page.fill("#plan-form textarea[name=goals]", "母の介護を続けながら、また働きたい")
        page.fill("input[name='tasks-0-who']", "高齢者あんしん相談センター")
        page.fill("input[name='tasks-0-what']", "介護認定の申請")
        page.click("#plan-form button[type=submit]")
        page.click("#approve-plan")
        expect(page.locator("p.flash").first).to_have_text("支援プランを承認しました。支援中になりました。")
        # a reply through the web chat: the resident's open page shows it
        page.click("#link-reply")
        page.fill("#reply-form textarea", REPLY)
        page.click("#reply-form button")
        expect(page.locator("p.flash").first).to_contain_text("返信を用意しました。まだ届いていません")
        resident.reload()
        expect(resident.locator(".bubble.bot", has_text=REPLY)).to_be_visible()
        page.reload()
        expect(page.locator("#replies .reply-status")).to_have_text("送信済み")
        page.goto(intake_url)
        page.select_option("#contact-form select[name=method]", "accompany")
        page.fill("#contact-form textarea[name=note]", "窓口に同行")
        page.click("#contact-form button[type=submit]")
        expect(page.locator("#contacts")).to_contain_text("同行支援")
        page.click("button[data-move=monitor]")
        expect(page.locator("p.flash").first).to_have_text("状態を「モニタリング」にしました。")
        # the request to 高齢者あんしん相談センター is still open: 解決 is refused, 引継ぎ is the honest end
        page.check("#close-form input[value='resolved']")
        page.click("#close-form button[type=submit]")
        expect(page.locator("p.flash").first).to_contain_text("まだ終わっていません")
        page.check("#close-form input[value='handed_over']")
        page.click("#close-form button[type=submit]")
        expect(page.locator("p.flash").first).to_have_text("終結しました。")
        expect(page.locator("#case-state")).to_have_text("終結（他機関へ引継ぎ）")
        kinds = page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds == ["close", "monitor", "contact", "reply", "start_support", "plan", "convene", "refer",
                         "return", "referral_send_back", "refer", "triage", "claim"]


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
