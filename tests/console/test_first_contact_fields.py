"""What a first contact gathered is what the coordinator sees before calling (issue 8):
a professional's report, made through the real web chat, then read on the intake page."""
from __future__ import annotations

from sqlmodel import select

from models import Intake
from models.db import session_scope
from tests.helpers import WebVisitor


def professional_report(app) -> int:
    visitor = WebVisitor(app.test_client())
    visitor.open()
    visitor.tap("who:professional")
    visitor.say("田中")
    visitor.say("はちまるサポート")
    visitor.tap("relation:client")
    visitor.tap("age:75_plus")
    visitor.say("元本郷町")
    visitor.tap("household:alone")
    visitor.tap("nav:done")
    visitor.tap("person_knows:no")
    visitor.tap("proxy_consent:verbal")
    visitor.say("ごみがたまっていて、食事もとれていないようです")
    messages = visitor.tap("nav:done")
    if any(c["value"].startswith("primary:") for m in messages for c in m.get("choices", [])):
        visitor.tap("primary:food")
    visitor.tap("nav:skip")
    visitor.tap("since:1_3m")
    visitor.tap("contact:phone")
    visitor.say("042-626-3111")
    visitor.tap("contact_time:evening")
    visitor.tap("contact_safety:discreet")
    visitor.tap("voicemail:no")
    visitor.tap("keep_identity:keep")
    visitor.tap("confirm:submit")
    with session_scope() as s:
        return s.exec(select(Intake)).one().id


def test_the_intake_page_shows_who_reported_and_how_to_reach_them_safely(app, as_role):
    intake_id = professional_report(app)
    page = as_role("suishin").get(f"/console/intakes/{intake_id}").get_data(as_text=True)
    assert "田中" in page and "はちまるサポート" in page  # name for the callback, organisation
    assert "知らない" in page  # the person does not know of the report
    assert 'id="keep-identity"' in page and "伝えないでほしい" in page
    assert 'id="contact-safety"' in page and "家の人に 知られたくない" in page
    assert "平日 夕方（17:00〜20:00）" in page
    assert "代理取得：はちまるサポート" in page  # consent by proxy, with who obtained it
