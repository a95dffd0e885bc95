"""Replies from the case page to the resident, through the same outbox as the bot.

LINE: a push with a retry key, after the transaction commits (console/outbox.py). Web chat:
the resident's page shows it the next time they open the chat (bot/web/chat.py fetches
waiting staff messages) - but only within the chat's resume window after their last message
(bot/web/visitor.py: a shared device forgets the resident after 2 hours). Past it the reply
can never reach them, so staff are told so (and to phone instead) rather than "未読" forever;
a reply is refused outright once the window has already closed. Per case, replies can go silently (LINE notificationDisabled): on
by default for violence and abuse. A resident who blocked the LINE account is shown as such.
Each reply is on the case timeline with what was written (the case record); the outbox copy
is blanked by retention like any other.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.visitor import RESUME_WINDOW
from console import cases, config_store
from console.i18n import t
from console.outbox import is_blocked, queue_text
from console.permissions import can
from console.views.labels import jst
from models import Intake, OutboxMessage, WebhookEvent
from models.base import as_utc, utcnow
from models.case import CaseEvent


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "replies.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


class ReplyError(Exception):
    def __init__(self, key: str, **values):
        self.key = key
        self.message = t(wording()["errors"][key], **{k: t(v) if isinstance(v, str) else v for k, v in values.items()})
        super().__init__(self.message)


def silent_for(intake: Intake) -> bool:
    if intake.silent_replies is not None:
        return intake.silent_replies
    rule = wording()["silent_by_default"]
    return (bool(set(intake.categories or []) & set(rule["categories"]))
            or bool(set(intake.crisis_kinds or []) & set(rule["crisis_kinds"])))


def set_silent(session: Session, intake: Intake, actor, silent: bool) -> None:
    if not can(actor, "resident.reply", intake):
        raise PermissionError("resident.reply")
    intake.silent_replies = silent
    session.add(intake)
    cases.record_event(session, intake, actor, "reply_silent", {"silent": silent})


def clock() -> datetime:
    """Now, by the app's clock when there is one: the web chat reads the same clock, so both
    sides agree on when a chat has ended."""
    from flask import current_app, has_app_context

    return current_app.config.get("CLOCK", utcnow)() if has_app_context() else utcnow()


def web_chat_until(session: Session, intake: Intake) -> datetime | None:
    """The last moment a web-chat resident's page can still show a reply (their last message
    plus the resume window); None when they never wrote from this browser id."""
    last = session.exec(select(func.max(WebhookEvent.occurred_at)).where(
        WebhookEvent.channel == "web", WebhookEvent.user_key == intake.user_key)).one()
    return as_utc(last) + RESUME_WINDOW if last is not None else None


@dataclass(frozen=True)
class Reach:
    """Can a reply still reach the resident? For the reply page and the case page."""

    channel: str
    until: datetime | None = None  # web chat: replies show only until then
    blocked: bool = False  # LINE: the resident blocked the account

    def open(self, now: datetime) -> bool:
        if self.channel == "web":
            return self.until is not None and now <= self.until
        return self.channel == "line" and not self.blocked

    def notice(self, now: datetime) -> str:
        """One line for staff: where a reply goes and until when; empty for LINE."""
        w = wording()["reach"]
        if self.channel != "web":
            return ""
        return t(w["web_open"], until=jst(self.until)) if self.open(now) else w["web_ended"]


def reach(session: Session, intake: Intake) -> Reach:
    if intake.channel == "web":
        return Reach("web", until=web_chat_until(session, intake))
    return Reach(intake.channel, blocked=is_blocked(session, intake.channel, intake.user_key))


def send_reply(session: Session, intake: Intake, actor, text: str,
               now: datetime | None = None) -> list[OutboxMessage]:
    if not can(actor, "resident.reply", intake):
        raise PermissionError("resident.reply")
    text = (text or "").strip()
    limit = wording()["max_length"]
    if not text:
        raise ReplyError("empty")
    if len(text) > limit:
        raise ReplyError("too_long", limit=limit)
    if intake.channel not in ("line", "web"):
        raise ReplyError("no_channel")
    if is_blocked(session, intake.channel, intake.user_key):
        raise ReplyError("blocked")
    if intake.channel == "web" and not reach(session, intake).open(now or clock()):
        raise ReplyError("web_ended")
    lang = intake.lang if intake.lang in ("ja", "en") else "ja"
    heading = wording()["heading"][lang].format(label=config_store.get(session, "coordinator_label"))
    silent = silent_for(intake)
    rows = queue_text(session, intake.channel, intake.user_key, f"{heading}\n{text}", silent=silent)
    cases.record_event(session, intake, actor, "reply", {"text": text, "outbox_ids": [r.id for r in rows],
                                                         "silent": silent, "channel": intake.channel})
    return rows


@dataclass
class SentReply:
    event: CaseEvent
    status: str  # the label: 送信済み / 未読 / 届きませんでした ...
    delivered: bool | None = None  # True: sent / shown; False: never will be; None: not yet

    @property
    def text(self) -> str:
        return self.event.data.get("text", "")

    @property
    def css(self) -> str:
        return {True: "yes", False: "no"}.get(self.delivered, "unknown")


def statuses(session: Session, intake: Intake, events: list[CaseEvent], now: datetime | None = None,
             reach_: Reach | None = None) -> dict[int, SentReply]:
    """{event id: SentReply} for the reply events among `events`: two queries, whatever their number."""
    now = now or clock()
    events = [e for e in events if e.kind == "reply"]
    if not events:
        return {}
    ids = [i for e in events for i in e.data.get("outbox_ids", [])]
    rows = {r.id: r for r in session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(ids or [-1])))}
    if intake.channel == "web":
        until = reach_.until if reach_ is not None else web_chat_until(session, intake)
    else:
        until = None
    labels = wording()["status"]
    result = {}
    for event in events:
        found = {rows[i].status for i in event.data.get("outbox_ids", []) if i in rows}
        if "failed" in found:
            status, delivered = labels["failed"], False
        elif "pending" in found and event.data.get("channel") == "web":
            if until is not None and now <= until:
                status, delivered = t(labels["pending_web"], until=jst(until)), None
            else:
                status, delivered = labels["web_ended"], False
        elif "pending" in found:
            status, delivered = labels["pending_line"], None
        else:
            status, delivered = labels["sent"], True
        result[event.id] = SentReply(event, status, delivered)
    return result


def history(session: Session, intake: Intake, now: datetime | None = None) -> list[SentReply]:
    events = session.exec(select(CaseEvent).where(CaseEvent.intake_id == intake.id, CaseEvent.kind == "reply")
                          .order_by(CaseEvent.id)).all()
    return list(statuses(session, intake, events, now).values())


def blocked(session: Session, intake: Intake) -> bool:
    return is_blocked(session, intake.channel, intake.user_key)
