"""Referral pages through the Flask test client: the agency sees only its own referrals
(also by URL), sees the person's words and contact details only with consent to share, and
answers; the coordinator refers from the case's つなぐ page."""
from __future__ import annotations

import pytest
from sqlmodel import select

from console import cases, referrals
from models import Agency, ConsentRecord, Intake, Referral, StaffUser
from models.base import utcnow
from models.db import session_scope
from tests.console.conftest import make_intake

WORDS = "家賃が3か月払えず、大家さんから退去を求められています"
PHONE = "090-1234-5678"


def user(db, username):
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def referred(code="seikatsu", consents=None, contact=None, members=None, **fields) -> tuple[int, int]:
    intake_id = make_intake(free_text=WORDS, categories=["rent_loan", "income"], primary="rent_loan",
                            consents=consents, **fields)
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), user(db, "suishin")
        # the contact phone the fixture stores is replaced by one we look for
        from models import Reporter
        reporter = db.get(Reporter, intake.reporter_id)
        reporter.contact = {**reporter.contact, "phone": PHONE, **(contact or {})}
        if members is not None:
            from models import Household
            db.get(Household, intake.household_id).members = members
        cases.claim(db, intake, me)
        cases.triage(db, intake, me, "1", "主訴が明確")
        agency = db.exec(select(Agency).where(Agency.code == code)).one()
        (referral,) = referrals.refer(db, intake, me, [agency.id], "住居確保給付金の申請を手伝ってください")
        return intake_id, referral.id


def test_agency_with_consent_sees_words_and_contact(as_role):
    _, rid = referred(consents={"share": ["granted"]})
    client = as_role("agency")
    inbox = client.get("/console/referrals").get_data(as_text=True)
    assert f'data-referral="{rid}"' in inbox and "家賃・ローンの支払いについて" in inbox
    page = client.get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert WORDS in page and PHONE in page and "住居確保給付金の申請を手伝ってください" in page


def test_agency_sees_the_safety_instructions_with_the_phone_number(as_role):
    """Walk finding 1: the phone number never without 電話・訪問は あぶない / 留守電に残さないで."""
    _, rid = referred(consents={"share": ["granted"], "voicemail": ["declined"]}, members=["partner"],
                      contact={"safety": "unsafe", "voicemail": "no"})
    page = as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert PHONE in page
    box = page[page.index('id="contact-cautions"'):page.index("</section>", page.index('id="contact-cautions"'))]
    assert 'role="alert"' in page and "連絡の前に必ず確認してください" in box
    assert "電話・訪問は あぶない" in box and "留守電に残さないで" in box
    assert "電話・訪問は あぶない</span>" in page and "いいえ、残さないで</span>" in page  # the rows, as badges
    assert '<dd id="household">夫・妻・パートナー</dd>' in page  # the dialog's plain label


def test_agency_sees_unanswered_safety_as_a_caution_not_as_nothing(as_role):
    _, rid = referred(consents={"share": ["granted"]})  # the fixture's contact has no safety or voicemail answer
    page = as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert "連絡の注意を聞けていません" in page and "留守電に残してよいか聞けていません" in page
    assert page.count(">未回答</span>") == 2


@pytest.mark.parametrize("safety, caution, not_there", [
    ("unsafe", "手紙も あぶない", "電話・訪問は あぶない"),
    ("discreet", "封筒に 市の名前を 書かないで", "家族が電話に出たら"),
])
def test_a_letter_contact_gets_cautions_about_the_post(as_role, safety, caution, not_there):
    """Walk 2: for 手紙 the safety answers are about the post, and say who answered."""
    _, rid = referred(consents={"share": ["granted"]},
                      contact={"method": "letter", "phone": None, "address": "大和田町1-2-3", "safety": safety})
    page = as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
    box = page[page.index('id="contact-cautions"'):page.index("</section>", page.index('id="contact-cautions"'))]
    assert caution in box and not_there not in box and "（相談者の回答）" in box


def test_a_safe_contact_shows_no_caution(as_role):
    _, rid = referred(consents={"share": ["granted"], "voicemail": ["granted"]},
                      contact={"safety": "safe", "voicemail": "yes"})
    page = as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert PHONE in page and 'id="contact-cautions"' not in page and "とくにない" in page


@pytest.mark.parametrize("consents", [None, {"share": ["declined"]}, {"share": ["granted", "withdrawn"]}])
def test_agency_without_consent_sees_only_that_a_referral_is_proposed(as_role, consents):
    _, rid = referred(consents=consents)
    client = as_role("agency")
    page = client.get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert "家賃・ローンの支払いについて" in page and "依頼中" in page
    for secret in (WORDS, PHONE, "住居確保給付金の申請を手伝ってください", "八王子市元本郷町", "contact-cautions"):
        assert secret not in page
    assert "同意がない" in page


def test_a_withdrawal_hides_the_details_from_then_on(as_role):
    intake_id, rid = referred(consents={"share": ["granted"]})
    client = as_role("agency")
    assert WORDS in client.get(f"/console/referrals/{rid}").get_data(as_text=True)
    with session_scope() as db:
        db.add(ConsentRecord(intake_id=intake_id, purpose="share", action="withdrawn", wording_version="v1",
                             wording="", recorded_at=utcnow()))
    page = client.get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert WORDS not in page and PHONE not in page


def test_agency_cannot_open_another_agencys_referral_or_any_case(as_role):
    intake_id, rid = referred(code="kodomo")
    client = as_role("agency")
    assert client.get(f"/console/referrals/{rid}").status_code == 404
    assert client.post(f"/console/referrals/{rid}/accept").status_code == 404
    assert client.get("/console/referrals/999999").status_code == 404
    assert client.get(f"/console/intakes/{intake_id}").status_code in (403, 404)
    assert client.get(f"/console/intakes/{intake_id}/referrals").status_code == 403
    assert client.get(f"/console/intakes/{intake_id}/reply").status_code == 403
    assert f'data-referral="{rid}"' not in client.get("/console/referrals").get_data(as_text=True)
    with session_scope() as db:
        assert db.get(Referral, rid).status == "requested"


def test_agency_answers_through_the_pages(as_role):
    intake_id, rid = referred(consents={"share": ["granted"]})
    client = as_role("agency")
    page = client.post(f"/console/referrals/{rid}/decline", data={"reason": ""}, follow_redirects=True)
    assert "理由を入力してください。" in page.get_data(as_text=True)
    client.post(f"/console/referrals/{rid}/accept", data={"expected": "requested"})
    stale = client.post(f"/console/referrals/{rid}/accept", data={"expected": "requested"}, follow_redirects=True)
    assert stale.status_code == 200 and "先に更新されました" in stale.get_data(as_text=True)
    assert client.post(f"/console/referrals/{rid}/contacts", data={
        "method": "phone", "happened_at": "2026-11-27T10:30", "note": "本人と電話で面談日を決めた"}).status_code == 303
    page = client.get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert "本人と電話で面談日を決めた" in page
    client.post(f"/console/referrals/{rid}/complete", data={"result_note": "申請済み"})
    with session_scope() as db:
        assert db.get(Referral, rid).status == "done"
    assert client.post(f"/console/referrals/{rid}/nonsense").status_code == 404


def test_coordinator_refers_from_the_case_page_with_suggestions(as_role):
    intake_id = make_intake(categories=["caregiving", "income"], primary="caregiving")
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), user(db, "suishin")
        cases.claim(db, intake, me)
        cases.triage(db, intake, me, "2", "介護とお金")
        anshin = db.exec(select(Agency).where(Agency.code == "anshin")).one().id
    client = as_role("suishin")
    page = client.get(f"/console/intakes/{intake_id}/referrals").get_data(as_text=True)
    assert page.index("高齢者あんしん相談センター") < page.index("生活自立支援課")
    response = client.post(f"/console/intakes/{intake_id}/referrals",
                           data={"agency_id": [str(anshin)], "request_note": "介護保険の申請", "expected": "triaged"},
                           follow_redirects=True)
    assert "1 件の機関へつなぎました" in response.get_data(as_text=True)
    again = client.post(f"/console/intakes/{intake_id}/referrals", data={"agency_id": [str(anshin)]},
                        follow_redirects=True)
    assert "すでに回答待ちまたは受理済み" in again.get_data(as_text=True)
    with session_scope() as db:
        assert db.get(Intake, intake_id).status == "referring"


@pytest.mark.parametrize("role, status", [("viewer", 403), ("agency", 403)])
def test_other_roles_cannot_refer(as_role, role, status):
    intake_id = make_intake()
    client = as_role(role)
    assert client.post(f"/console/intakes/{intake_id}/referrals", data={"agency_id": ["1"]}).status_code == status


def test_viewer_and_coordinators_have_no_agency_inbox(as_role):
    for role in ("viewer", "suishin"):
        assert as_role(role).get("/console/referrals").status_code == 403


def test_agency_staff_start_at_their_referrals(client, staff):
    from tests.console.conftest import login

    response = login(client, "agency")
    assert response.headers["Location"].endswith("/console/referrals")
    page = client.get("/console/referrals").get_data(as_text=True)
    assert "生活自立支援課" in page and 'id="nav-referrals"' in page


UNSAFE_WITH_SAFE_NUMBER = {"safety": "unsafe", "voicemail": "no", "arrange": "phone", "arrange_phone": "08077778888"}


@pytest.mark.parametrize("who", ["agency", "suishin"])
def test_the_safe_second_number_comes_first_and_the_first_is_marked_not_to_call(as_role, who):
    """Walk 2 B5: phone unsafe, a second number given: staff see which number is safe."""
    intake_id, rid = referred(consents={"share": ["granted"]}, contact=UNSAFE_WITH_SAFE_NUMBER)
    url = f"/console/referrals/{rid}" if who == "agency" else f"/console/intakes/{intake_id}"
    page = as_role(who).get(url).get_data(as_text=True)
    safe = page.index('id="safe-phone"')
    assert "安全な連絡先（電話）" in page and "08077778888" in page[safe:safe + 80]
    assert safe < page.index(PHONE)  # the safe number first
    first = page[page.index(PHONE):page.index("</dd>", page.index(PHONE))]
    assert "この番号にはかけないでください" in first
    assert "電話番号を 教える" not in page  # the resident's button is not the value
    assert "「安全な連絡先（電話）」の番号にだけかけてください" in page  # in the ⚠ box


def test_agency_sees_the_name_to_ask_for_or_that_none_was_given(as_role):
    """Walk 2 B6: with consent to share, the agency sees 名前・呼び名 with the phone number."""
    _, rid = referred(consents={"share": ["granted"]}, contact={"name": "山田花子"})
    page = as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert '<dd id="contact-name">山田花子</dd>' in page and "名前・呼び名（連絡用）" in page
    _, rid = referred(consents={"share": ["granted"]})
    page = as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
    assert "相談者は名前・呼び名を伝えていません" in page
    _, rid = referred(consents={"share": ["declined"]}, contact={"name": "山田花子"})
    assert "山田花子" not in as_role("agency").get(f"/console/referrals/{rid}").get_data(as_text=True)
