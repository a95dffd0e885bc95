"""A resident uses the web chat in a real browser: buttons, typing, Enter, the receipt."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from dialogs import checklist
from models import Intake
from models.db import session_scope

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def click(page, label: str) -> None:
    page.locator(".choices button:not([disabled])", has_text=label).first.click()


def type_and_send(page, words: str) -> None:
    page.fill("#text", words)
    page.press("#text", "Enter")


def test_resident_finishes_an_intake_in_the_browser(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/chat")
    expect(page.locator(".bubble.bot").first).to_contain_text("緊急の窓口では ありません")
    click(page, "本人（自分のこと）")
    click(page, "名前を言わずに")
    click(page, "40〜64歳")
    click(page, "とばす")
    click(page, "ひとりぐらし")
    click(page, "これで決定")
    type_and_send(page, "仕事をクビになって家賃が払えない")
    # the checklist follows, with the guesses ticked
    expect(page.locator(".choices button:not([disabled])", has_text="✓ 家賃・ローンの支払いについて")).to_be_visible()
    for _ in checklist.groups():
        click(page, "つぎへ")
    expect(page.locator(".bubble.bot").last).to_contain_text("いちばん 困っているのは")
    click(page, "家賃・ローンの支払いについて")
    click(page, "とばす")
    click(page, "1か月以内")
    click(page, "窓口に行く（来所）")
    click(page, "はい、同意します")
    click(page, "いいえ")
    expect(page.locator(".bubble.bot").last).to_contain_text("◎家賃・ローンの支払いについて")
    click(page, "送信する")
    receipt = page.locator(".bubble.bot").last
    expect(receipt).to_contain_text("受付番号")
    number = re.search(r"受付番号: (\S+)", receipt.inner_text()).group(1)
    with session_scope() as s:
        intake = s.exec(select(Intake).where(Intake.receipt_no == number)).one()
    assert intake.primary == "rent_loan" and intake.channel == "web"
    # old buttons cannot be pressed again
    assert page.locator(".choices button:not([disabled])").count() == 0


def test_crisis_message_is_shown_first_and_marked(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/chat")
    expect(page.locator(".bubble.bot").first).to_be_visible()
    type_and_send(page, "もう生きているのがつらい、終わりにしたい")
    crisis = page.locator(".bubble.bot.crisis")
    expect(crisis).to_contain_text("0120-783-556")
    expect(crisis).to_contain_text("110")


def test_the_page_language_follows_a_language_other_than_english(live_server, browser_page):
    # walk2 B8: for 中文 the header, placeholder, send button and <html lang> stayed Japanese
    page = browser_page
    page.goto(f"{live_server}/chat")
    expect(page.locator(".bubble.bot").first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "ja"
    type_and_send(page, "中文")
    expect(page.locator("#send")).to_have_text("发送")
    assert page.evaluate("document.documentElement.lang") == "zh"
    assert page.get_attribute("#text", "placeholder") == "请在这里写"
