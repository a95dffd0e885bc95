"""The web chat in other languages, through the real endpoint and database (both back ends)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from dialogs import checklist
from models import ConsentRecord, Intake
from models.db import session_scope


def test_a_resident_picks_chinese_and_reaches_the_receipt(visitor):
    opening = visitor.open()
    assert "nav:language" in [c["value"] for c in opening[-1]["choices"]]
    menu = visitor.tap("nav:language")
    assert {"label": "中文", "value": "lang:zh"} in menu[-1]["choices"]
    first = visitor.tap("lang:zh")
    assert "您要咨询谁的事情" in first[-1]["text"]
    assert {"label": "本人（自己的事）", "value": "who:self"} in first[-1]["choices"]
    visitor.tap("who:self")
    visitor.say("小王")
    visitor.tap("age:18_39")
    visitor.say("元本乡町")  # area
    visitor.tap("household:alone")
    asked = visitor.tap("nav:done")
    assert "请自由地写下您的困难" in asked[-1]["text"]
    shown = visitor.say("我没有钱付房租，也找不到工作")
    assert "【钱】" in shown[-1]["text"]
    # the Chinese words were understood: rent is ticked already
    assert {"label": "✓ 房租・贷款", "value": "checklist:rent_loan"} in shown[-1]["choices"]
    asked = visitor.tap("nav:done")  # 没有其他了
    assert "最困扰您的是哪一个" in asked[-1]["text"]
    visitor.tap("primary:rent_loan")
    visitor.say("晚上不能接电话")
    visitor.tap("since:1_3m")
    visitor.tap("contact:phone")
    visitor.say("090-1234-5678")
    visitor.tap("contact_time:anytime")
    visitor.tap("contact_safety:safe")
    asked = visitor.tap("voicemail:no")
    assert "【请求同意 1/2】" in asked[-1]["text"]
    visitor.tap("consent_share:yes")
    summary = visitor.tap("consent_meeting:yes")
    assert summary[-1]["text"].startswith("将发送以下内容")
    assert "◎房租・贷款" in summary[-1]["text"]
    done = visitor.tap("confirm:submit")
    assert "已发送。谢谢。" in done[0]["text"] and "受理号码" in done[0]["text"]

    with session_scope() as s:
        [intake] = s.exec(select(Intake)).all()
        assert intake.lang == "zh" and intake.receipt_no in done[0]["text"]
        assert "rent_loan" in intake.categories and intake.primary == "rent_loan"
        assert "我没有钱付房租" in intake.free_text
        consents = s.exec(select(ConsentRecord).where(ConsentRecord.intake_id == intake.id)).all()
        share = [(c.lang, c.wording) for c in consents if c.purpose == "share"]
    assert share and share[0][0] == "zh"
    assert share[0][1].startswith("【请求同意 1/2】")


def test_the_browser_language_chooses_the_first_language(visitor):
    response = visitor.client.post("/chat/api/messages", json={"type": "start", "id": "hint-vi-0001"},
                                   headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    messages = response.get_json()["messages"]
    assert "Bạn tư vấn về chuyện của ai?" in messages[-1]["text"]
    assert "Đây không phải là đường dây khẩn cấp" in messages[0]["text"]


def test_a_japanese_browser_gets_japanese(visitor):
    response = visitor.client.post("/chat/api/messages", json={"type": "start", "id": "hint-ja-0001"},
                                   headers={"Accept-Language": "ja,en-US;q=0.9"})
    assert "だれの ことで" in response.get_json()["messages"][-1]["text"]


def test_the_page_around_the_chat_follows_the_chosen_language(visitor):
    page = visitor.client.get("/chat").get_data(as_text=True)
    assert ">送る</button>" in page and "ここに 書いてください" in page
    visitor.open()
    answer = visitor.post({"type": "choice", "value": "lang:en"}).get_json()
    assert answer["lang"] == "en" and answer["frame"]["send"] == "Send"
    assert answer["frame"]["placeholder"] == "Type here" and "110" in answer["frame"]["note"]
    assert "This is not an emergency line" in answer["messages"][0]["text"]  # the notice again, in English


@pytest.mark.parametrize("lang, send", [("zh", "发送"), ("vi", None), ("pt", None), ("tl", None), ("ne", None)])
def test_every_language_gets_its_own_frame_and_page_language(visitor, lang, send):
    # walk2 B8: only English switched; 中文, Tiếng Việt, Português, Tagalog and नेपाली kept "ja"
    from dialogs.texts import wording

    visitor.open()
    answer = visitor.post({"type": "choice", "value": f"lang:{lang}"}).get_json()
    assert answer["lang"] == lang
    assert answer["frame"] == wording(lang)["web_frame"]
    assert answer["frame"]["send"] != "送る" and "うけつけます" not in answer["frame"]["note"]
    if send:
        assert answer["frame"]["send"] == send
    later = visitor.post({"type": "choice", "value": "who:self"}).get_json()  # and it stays
    assert later["lang"] == lang and later["frame"] == wording(lang)["web_frame"]


def test_a_reload_keeps_the_chosen_language_in_the_page_around_the_chat(visitor):
    visitor.open()
    visitor.post({"type": "choice", "value": "lang:zh"})
    page = visitor.client.get("/chat").get_data(as_text=True)
    assert '<html lang="zh">' in page and ">发送</button>" in page and "送る" not in page
