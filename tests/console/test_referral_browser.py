"""A real browser (Debian chromium): the agency returns a referral (つなぎ戻し) with a 提案,
the 推進員 reads it and refers the case elsewhere, replies to the resident, and the
resident's web chat page shows the reply. Each person has their own browser context."""
from __future__ import annotations

import os

import pytest
from sqlmodel import select

from console import cases, referrals
from models import Agency, Conversation, Intake, StaffUser
from models.db import session_scope
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.console.conftest import PASSWORD, make_intake

pytestmark = [pytest.mark.browser]
PROPOSAL = "持ち家のため住居確保給付金の対象外です。介護の負担が中心なので、高齢者あんしん相談センターへ"
REPLY = "ご相談 ありがとうございます。あした 電話で お話を ききます。"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(browser, live_server, username):
    page = browser.new_context(locale="ja-JP").new_page()
    page.goto(f"{live_server}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def referred_case(web_user: str) -> int:
    intake_id = make_intake(channel="web", user_key=web_user, categories=["rent_loan", "caregiving"],
                            primary="rent_loan", free_text="家賃が払えない。母の介護で仕事を辞めた",
                            consents={"share": ["granted"]})
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        me = db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        cases.claim(db, intake, me)
        cases.triage(db, intake, me, "2", "お金と介護")
        seikatsu = db.exec(select(Agency).where(Agency.code == "seikatsu")).one()
        referrals.refer(db, intake, me, [seikatsu.id], "住居確保給付金の相談をお願いします")
    return intake_id


def test_agency_returns_suishin_refers_elsewhere_and_replies(app, staff, live_server, browser, tmp_path):
    resident = browser.new_context(locale="ja-JP").new_page()
    resident.goto(f"{live_server}/chat")
    resident.wait_for_selector(".bubble.bot")
    with session_scope() as db:
        web_user = db.exec(select(Conversation).where(Conversation.channel == "web")).one().user_key
    intake_id = referred_case(web_user)
    shots = os.environ.get("TSUNAGU_SCREENSHOTS") or str(tmp_path)
    pages = {"resident": resident}
    try:
        agency = pages["agency"] = log_in(browser, live_server, "agency")
        agency.goto(f"{live_server}/console/referrals")
        agency.click("#inbox a")
        agency.wait_for_selector("#free-text")
        assert "母の介護で仕事を辞めた" in agency.inner_text("#free-text")
        agency.fill("#move-send_back textarea[name=proposal]", PROPOSAL)
        agency.click("#move-send_back button")
        agency.wait_for_selector("text=提案を添えて、つなぎ戻しました。")
        assert agency.inner_text("#status") == "つなぎ戻し"

        suishin = pages["suishin"] = log_in(browser, live_server, "suishin")
        suishin.goto(f"{live_server}/console/intakes/{intake_id}/referrals")
        assert PROPOSAL in suishin.inner_text("#referrals .proposal")
        suishin.check("#refer-form label:has-text('高齢者あんしん相談センター') input")
        suishin.click("#refer-form button[type=submit]")
        suishin.wait_for_selector("text=1 件の機関へつなぎました")
        rows = suishin.locator("#referrals tbody tr")
        assert rows.count() == 2
        assert "高齢者あんしん相談センター" in rows.nth(1).inner_text() and "依頼中" in rows.nth(1).inner_text()

        suishin.goto(f"{live_server}/console/intakes/{intake_id}/reply")
        suishin.fill("#reply-form textarea", REPLY)
        suishin.click("#reply-form button")
        suishin.wait_for_selector("text=返信を用意しました。まだ届いていません")
        assert "まだ届いていません（相談者が" in suishin.inner_text("#replies")

        resident.reload()
        resident.wait_for_selector(f".bubble.bot:has-text('{REPLY}')", timeout=10000)
        suishin.reload()
        assert "送信済み" in suishin.inner_text("#replies")
    except Exception:
        for name, page in pages.items():  # what each person saw when it went wrong
            page.screenshot(path=f"{shots}/referral-{name}.png", full_page=True)
        print(f"screenshots in {shots}")
        raise
