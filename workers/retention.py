"""Partial answers do not outlive the promise made to residents: after the expiry window
an unfinished conversation is wiped, even if the resident never comes back."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, select

from dialogs.state import DialogState
from dialogs.texts import load_yaml
from models import Conversation, OutboxMessage, WebhookEvent
from models.base import utcnow
from models.db import session_scope

log = logging.getLogger(__name__)


def expire_conversations() -> int:
    window = timedelta(hours=load_yaml("flow.yaml")["expire_after_hours"])
    cutoff = utcnow() - window
    wiped = 0
    with session_scope() as session:
        for conv in session.exec(select(Conversation).where(Conversation.updated_at <= cutoff)):
            state = DialogState.from_dict(conv.state)
            if not state.in_progress:
                continue
            conv.state = state.fresh().to_dict()
            conv.open_intake_id = None  # a crisis-opened intake stays for staff
            session.add(conv)
            blank_copies(session, channel=conv.channel, user_key=conv.user_key)
            wiped += 1
    if wiped:
        log.info("wiped %d expired partial conversation(s)", wiped)
    return wiped


def blank_copies(session: Session, before: datetime | None = None,
                 channel: str | None = None, user_key: str | None = None) -> int:
    """Blank residents' words in handled inbox events and sent outbox messages, for everyone
    older than `before`, or for one channel user (after やめる / 最初から / expiry)."""
    events = select(WebhookEvent).where(WebhookEvent.processed_at.is_not(None))
    sent = select(OutboxMessage).where(OutboxMessage.status != "pending")
    if before is not None:
        events = events.where(WebhookEvent.processed_at <= before)
        sent = sent.where(OutboxMessage.created_at <= before)
    if user_key is not None:
        events = events.where(WebhookEvent.channel == channel, WebhookEvent.user_key == user_key)
        sent = sent.where(OutboxMessage.channel == channel, OutboxMessage.user_key == user_key)
    blanked = 0
    for event in session.exec(events):
        if not event.payload.get("purged"):
            event.payload = {"type": event.payload.get("type"), "purged": True}
            event.reply_token = None
            session.add(event)
            blanked += 1
    for row in session.exec(sent):
        if row.messages:
            row.messages = []
            session.add(row)
            blanked += 1
    return blanked


def purge_delivered_copies(older_than: timedelta = timedelta(days=7)) -> int:
    """The inbox and outbox keep residents' words only as long as delivery may need them:
    the intake is the record. Handled events and sent messages are blanked after a week."""
    with session_scope() as session:
        blanked = blank_copies(session, before=utcnow() - older_than)
    if blanked:
        log.info("blanked %d delivered inbox/outbox copies", blanked)
    return blanked
