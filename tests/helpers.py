"""Test actors: a LINE user behind the real webhook, and a web-chat visitor."""
from __future__ import annotations

import secrets
import time

from tests.fakeline import (
    follow_event,
    image_event,
    location_event,
    postback_event,
    signed_webhook,
    sticker_event,
    text_event,
)


def run_jobs(app) -> None:
    """Run queued jobs to the end: the in-process thread, or a real RQ worker in burst mode."""
    from workers import runtime

    jobs = runtime.current().jobs
    if hasattr(jobs, "drain"):
        jobs.drain()
        return
    from console.commands.worker import run_burst

    run_burst(jobs)


class LineResident:
    """A LINE user: every action is a signed webhook POST; replies are read from the fake LINE."""

    def __init__(self, app, client, fake, secret, user_id: str | None = None):
        self.app, self.client, self.fake, self.secret = app, client, fake, secret
        self.user_id = user_id or "U" + secrets.token_hex(16)
        self.clock_ms = int(time.time() * 1000)
        self.seen = 0

    def post(self, *events, signature: str | None = None):
        body, good = signed_webhook(self.secret, list(events))
        headers = {"X-Line-Signature": signature if signature is not None else good}
        return self.client.post("/callback", data=body, headers=headers, content_type="application/json")

    def _event(self, build, *args, **kwargs) -> dict:
        self.clock_ms += 1000
        token = self.fake.issue_reply_token(self.user_id)
        return build(self.user_id, *args, token, timestamp=self.clock_ms, **kwargs)

    def send(self, event: dict) -> list[str]:
        response = self.post(event)
        assert response.status_code == 200, response.data
        run_jobs(self.app)
        return self.new_texts()

    def new_texts(self) -> list[str]:
        texts = self.fake.texts_to(self.user_id)
        fresh, self.seen = texts[self.seen :], len(texts)
        return fresh

    def later(self, **delta) -> None:
        """Move this user's clock (event timestamps) forward."""
        from datetime import timedelta

        self.clock_ms += int(timedelta(**delta).total_seconds() * 1000)

    def follow(self) -> list[str]:
        return self.send(self._event(follow_event))

    def say(self, words: str) -> list[str]:
        return self.send(self._event(text_event, words))

    def tap(self, value: str) -> list[str]:
        return self.send(self._event(postback_event, value))

    def sticker(self) -> list[str]:
        return self.send(self._event(sticker_event))

    def image(self) -> list[str]:
        return self.send(self._event(image_event))

    def location(self) -> list[str]:
        return self.send(self._event(location_event))

    def last_quick_reply(self) -> list[dict]:
        """The buttons LINE shows now: the quick reply of the last message delivered."""
        last = self.fake.messages_to(self.user_id)[-1]
        return [item["action"] for item in (last.get("quickReply") or {}).get("items", [])]


class WebVisitor:
    def __init__(self, client):
        self.client = client

    def post(self, body: dict):
        body = dict(body)
        body.setdefault("id", secrets.token_hex(8))
        return self.client.post("/chat/api/messages", json=body)

    def _messages(self, body: dict) -> list[dict]:
        response = self.post(body)
        assert response.status_code == 200, response.data
        return response.get_json()["messages"]

    def open(self) -> list[dict]:
        return self._messages({"type": "start"})

    def say(self, words: str) -> list[dict]:
        return self._messages({"type": "text", "text": words})

    def tap(self, value: str) -> list[dict]:
        return self._messages({"type": "choice", "value": value})
