"""処理できなかったメッセージ: LINE events set aside after failures and web-chat crisis messages
refused by a limit; the page says which channel and whether the kept text is a crisis (never the
text), and a web-chat message is handled at once into an intake (walk 2, B18)."""
from __future__ import annotations

from sqlmodel import select

from models import Intake, WebhookEvent
from models.base import utcnow
from models.db import session_scope

CRISIS = "もう死にたい"


def kept(channel: str, event_id: str, payload: dict, error: str = "rate_limited") -> int:
    now = utcnow()
    with session_scope() as db:
        event = WebhookEvent(event_id=event_id, channel=channel, user_key=f"{channel}-visitor-{event_id}",
                             payload=payload, occurred_at=now, received_at=now, failed_at=now, error=error)
        db.add(event)
        db.flush()
        return event.id


def row(page: str, row_id: int) -> str:
    start = page.index(f'data-event="{row_id}"')
    return page[start:page.index("</tr>", start)]


def test_the_page_shows_the_channel_and_crises_but_never_the_words(as_role):
    web = kept("web", "web-aaaa-1", {"type": "text", "text": CRISIS})
    line = kept("line", "line-1", {"type": "message", "message": {"type": "text", "text": "家賃のこと"}},
                error="OperationalError")
    page = as_role("admin").get("/console/failed-events/").get_data(as_text=True)
    assert "LINE から届いたメッセージのうち" not in page and "Webチャット" in page
    assert ">Web<" in row(page, web) and "危機" in row(page, web)
    assert ">LINE<" in row(page, line) and "危機" not in row(page, line)
    assert CRISIS not in page and "家賃のこと" not in page


def test_retrying_a_web_crisis_opens_an_urgent_intake_at_once(as_role):
    web = kept("web", "web-aaaa-2", {"type": "text", "text": CRISIS})
    client = as_role("admin")
    page = client.post(f"/console/failed-events/{web}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Webチャットのメッセージを処理しました" in page and f'data-event="{web}"' not in page
    with session_scope() as db:
        intakes = db.exec(select(Intake).where(Intake.channel == "web")).all()
        assert len(intakes) == 1 and intakes[0].crisis and intakes[0].urgent
        assert db.get(WebhookEvent, web).processed_at is not None
