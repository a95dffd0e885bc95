"""The staff console in English: a staff member picks it in the header (remembered in a cookie),
or the browser asks for it; Japanese stays the default. Checked over the rendered HTML: with
English chosen, no Japanese is left outside the residents' own data (their words, names and
places), staff and agency names, and the 日本語 button that switches back."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from console import cases, i18n, referrals
from console.views import labels
from console.i18n_catalog import po_path, wording
from dialogs import checklist
from models import Agency, Intake, StaffUser
from models.db import session_scope
from tests.console.conftest import login, make_intake

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
WORDS = "家賃が3か月払えず、夫に殴られています"  # the resident's own words (a crisis phrase)
NOTE = "住居確保給付金の申請を手伝ってください"  # staff's own note to the agency
REASON = "主訴が明確"


def english(client):
    response = client.post("/console/lang", data={"lang": "en", "next": "/console/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    return client


def data_strings() -> list[str]:
    """What the people and the city wrote: shown as it is in any language."""
    with session_scope() as db:
        names = [s.display_name for s in db.exec(select(StaffUser)).all()]
        agencies = [a.name for a in db.exec(select(Agency)).all()] + [a.contact or "" for a in db.exec(select(Agency)).all()]
    return sorted([WORDS, NOTE, REASON, "家賃が払えません", "八王子市元本郷町", "share の文言", "meeting の文言", *names, *agencies],
                  key=len, reverse=True)


def japanese_left(html: str) -> list[str]:
    html = re.sub(r"<([a-z]+)[^>]*\blang=\"ja\"[^>]*>.*?</\1>", "", html, flags=re.S)  # the 日本語 button
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    for text in data_strings():
        if text:
            html = html.replace(text, "").replace(text.replace("、", "&#12289;"), "")
    return sorted(set(CJK.findall(html)))


def a_case(**fields) -> tuple[int, int]:
    """A crisis intake, claimed, triaged and referred to an agency, with a contact recorded."""
    intake_id = make_intake(free_text=WORDS, crisis=True, crisis_kinds=["violence"], urgent=True,
                            categories=["rent_loan", "income", "family"], primary="rent_loan",
                            consents={"share": ["granted"], "meeting": ["granted"]}, **fields)
    with session_scope() as db:
        intake = db.get(Intake, intake_id)
        me = db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one()
        cases.claim(db, intake, me)
        cases.triage(db, intake, me, "1", REASON)
        agency = db.exec(select(Agency).where(Agency.code == "seikatsu")).one()
        (referral,) = referrals.refer(db, intake, me, [agency.id], NOTE)
        return intake_id, referral.id


def test_japanese_is_the_default_and_unchanged(client, staff):
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="ja">' in page and "<h1>ログイン</h1>" in page and "ユーザー名" in page
    assert 'id="lang-switch" lang="en">English</button>' in page
    login(client, "suishin")
    make_intake()
    queue = client.get("/console/").get_data(as_text=True)
    assert "<h1>受付一覧</h1>" in queue and labels.item("debt") in queue and CJK.search(labels.item("debt"))


def test_the_header_switch_is_remembered_across_logging_in(client, staff):
    english(client)
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Log in</h1>" in page and "User name" in page
    assert japanese_left(page) == []
    login(client, "suishin")  # a fresh session: the choice is not in it, it is in its own cookie
    queue = client.get("/console/").get_data(as_text=True)
    assert "<h1>Intake queue</h1>" in queue
    back = client.post("/console/lang", data={"lang": "ja", "next": "/console/"})
    assert back.status_code == 302
    assert "<h1>受付一覧</h1>" in client.get("/console/").get_data(as_text=True)


def test_the_switch_goes_back_only_to_this_site(client, staff):
    response = client.post("/console/lang", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/console/login")
    assert client.post("/console/lang", data={"lang": "xx"}).status_code == 400


@pytest.mark.parametrize("header, lang", [("en-US,en;q=0.9", "en"), ("ja,en-US;q=0.9", "ja"),
                                          ("vi-VN,vi;q=0.9,en;q=0.5", "en"), ("zh-CN", "ja"), (None, "ja")])
def test_accept_language_is_a_hint_when_nothing_was_chosen(client, staff, header, lang):
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/console/login", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_a_choice_beats_the_browser_and_the_resident_chat_is_not_affected(client, staff):
    client.post("/console/lang", data={"lang": "ja", "next": "/console/login"})
    page = client.get("/console/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>ログイン</h1>" in page
    english(client)
    assert "<h1>Log in</h1>" in client.get("/console/login").get_data(as_text=True)


def test_no_japanese_is_left_on_the_coordinators_pages(client, staff):
    intake_id, _ = a_case()
    make_intake(reporter_role="family", complete=False, wants_person=True, urgent=True)
    login(client, "suishin")
    english(client)
    pages = {
        "queue": "/console/",
        "queue filtered": "/console/?state=all&overdue=1",
        "case": f"/console/intakes/{intake_id}",
        "refer": f"/console/intakes/{intake_id}/referrals",
        "reply": f"/console/intakes/{intake_id}/reply",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        html = response.get_data(as_text=True)
        assert '<html lang="en">' in html
        assert japanese_left(html) == [], name
    case = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert WORDS in case  # the resident's words are shown as they wrote them
    assert "Violence / DV" in case and checklist.item_label("rent_loan", "en") in case


def test_flash_messages_and_refusals_in_english(client, staff):
    intake_id = make_intake()
    login(client, "suishin")
    english(client)
    client.post(f"/console/intakes/{intake_id}/claim", data={"state": "new"})
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert "You are now the assignee of this case." in page
    client.post(f"/console/intakes/{intake_id}/claim", data={"state": "new"})
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert japanese_left(page) == []


def test_no_japanese_is_left_on_the_agency_pages(client, staff):
    _, referral_id = a_case()
    login(client, "agency")
    english(client)
    for url in ("/console/referrals", f"/console/referrals/{referral_id}"):
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in html and japanese_left(html) == [], url


def test_no_japanese_is_left_on_the_statistics_pages(client, staff):
    a_case(received_at=datetime(2026, 5, 11, 1, 0, tzinfo=timezone.utc))
    make_intake(received_at=datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc), channel="web", reporter_role="minsei",
                after_hours=True)
    login(client, "admin")
    english(client)
    for url in ("/console/stats/?period=2026", "/console/stats/?period=2026-05", "/console/stats/indicators?year=2026",
                "/console/counts"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert japanese_left(html) == [], url
    assert "FY2026" in client.get("/console/stats/?period=2026").get_data(as_text=True)


def test_downloads_stay_in_japanese_for_an_english_reader(client, staff):
    make_intake(received_at=datetime(2026, 5, 11, 1, 0, tzinfo=timezone.utc))
    login(client, "admin")
    english(client)
    csv = client.get("/console/stats/export/intakes.csv").get_data().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("受付ID,受付番号,受付日時")  # the contract's Japanese header
    workbook = client.get("/console/stats/export/stats.xlsx?period=2026")
    assert workbook.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    first = load_workbook(BytesIO(workbook.get_data())).worksheets[0]
    assert "実績報告" in first["A1"].value and "年度" in first["A1"].value


def test_every_console_wording_has_an_english_translation():
    with po_path("en").open("rb") as f:
        from babel.messages.pofile import read_po

        catalog = read_po(f)
    missing = [text for text in wording() if not (catalog.get(text) and catalog.get(text).string)]
    assert missing == [], "run python -m console.i18n_catalog and translate: " + repr(missing[:10])
    for message in catalog:  # %(name)s placeholders survive the translation
        if message.id and message.string:
            assert sorted(re.findall(r"%\(\w+\)s", message.id)) == sorted(re.findall(r"%\(\w+\)s", message.string)), message.id
            assert sorted(re.findall(r"\{\w+", message.id)) == sorted(re.findall(r"\{\w+", message.string)), message.id


def test_the_english_file_says_who_checked_it_and_when():
    head = po_path("en").read_text(encoding="utf-8").splitlines()[:10]
    checked = [line for line in head if line.startswith("# checked:")]
    assert checked and re.search(r"\d{4}-\d{2}-\d{2}", checked[0])
    text = po_path("en").read_text(encoding="utf-8")
    assert re.search(r'"Last-Translator: [^"\\]+', text) and re.search(r'"PO-Revision-Date: \d{4}-\d{2}-\d{2}', text)


def test_catalog_is_compiled_without_a_build_step():
    assert not list(po_path("en").parent.glob("*.mo"))  # nothing compiled is committed or needed
    assert i18n.catalog("en").gettext("受付一覧") == "Intake queue"
    assert date.today()  # (no request: Japanese) — see current()
    assert i18n.current() == "ja"


def test_no_japanese_is_left_on_the_admin_pages(client, staff):
    a_case()
    with session_scope() as db:
        staff_id = db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one().id
        agency_id = db.exec(select(Agency).where(Agency.code == "seikatsu")).one().id
    login(client, "admin")
    english(client)
    for url in ("/console/admin/staff", f"/console/admin/staff/{staff_id}", "/console/admin/agencies",
                f"/console/admin/agencies/{agency_id}", "/console/admin/settings", "/console/admin/audit",
                "/console/failed-events/", "/console/password", "/console/intakes/999999"):
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in html and japanese_left(html) == [], url


def test_the_switch_carries_a_csrf_token_when_csrf_is_on(app, staff):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'class="lang">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/console/lang", data={"lang": "en", "next": "/console/login"}).status_code == 400
    assert client.post("/console/lang", data={"lang": "en", "next": "/console/login", "csrf_token": token}).status_code == 302
    assert "<h1>Log in</h1>" in client.get("/console/login").get_data(as_text=True)


def test_walk2_leftovers_are_english(client, staff):
    """Walk 2 B17: a WTForms message, the arranged contact (a button label used as a value) and the
    safe second number read in English."""
    from models import Reporter
    intake_id, _ = a_case()
    with session_scope() as db:
        reporter = db.get(Reporter, db.get(Intake, intake_id).reporter_id)
        reporter.contact = {**reporter.contact, "safety": "unsafe", "arrange": "phone", "arrange_phone": "08077778888"}
    login(client, "suishin")
    english(client)
    page = client.get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert japanese_left(page) == []
    assert "Safe contact (phone)" in page and "Give a phone number" not in page
    page = client.post(f"/console/intakes/{intake_id}/contact", data={
        "state": "referring", "method": "junk", "happened_at": "2026-11-20T09:00"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Not a valid choice" in html and japanese_left(html) == []
    assert "Intake queue for" not in html
