"""Replies from the case page to the resident, through the same outbox as the bot.

LINE: a push with a retry key, after the transaction commits (console/outbox.py). Web chat:
the resident's page shows it the next time they open the chat (bot/web/chat.py fetches
waiting staff messages). Per case, replies can go silently (LINE notificationDisabled): on
by default for violence and abuse. A resident who blocked the LINE account is shown as such.
Each reply is on the case timeline with what was written (the case record); the outbox copy
is blanked by retention like any other.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlmodel import Session, select

from console import cases, config_store
from console.outbox import is_blocked, queue_text
from console.permissions import can
from models import Intake, OutboxMessage
from models.case import CaseEvent


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "replies.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


class ReplyError(Exception):
    def __init__(self, key: str, **values):
        self.key = key
        self.message = wording()["errors"][key].format(**values)
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


def send_reply(session: Session, intake: Intake, actor, text: str) -> list[OutboxMessage]:
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
    status: str  # the label: 送信済み / 未読 ...

    @property
    def text(self) -> str:
        return self.event.data.get("text", "")


def history(session: Session, intake: Intake) -> list[SentReply]:
    events = session.exec(select(CaseEvent).where(CaseEvent.intake_id == intake.id, CaseEvent.kind == "reply")
                          .order_by(CaseEvent.id)).all()
    ids = [i for e in events for i in e.data.get("outbox_ids", [])]
    rows = {r.id: r for r in session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(ids or [-1])))}
    labels = wording()["status"]
    result = []
    for event in events:
        statuses = {rows[i].status for i in event.data.get("outbox_ids", []) if i in rows}
        if "failed" in statuses:
            status = labels["failed"]
        elif "pending" in statuses:
            status = labels["pending_web"] if event.data.get("channel") == "web" else labels["pending_line"]
        else:
            status = labels["sent"]
        result.append(SentReply(event, status))
    return result


def blocked(session: Session, intake: Intake) -> bool:
    return is_blocked(session, intake.channel, intake.user_key)
