"""Partial answers do not outlive the promise made to residents: after the expiry window
an unfinished conversation is wiped, even if the resident never comes back."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from dialogs.state import DialogState
from dialogs.texts import load_yaml
from models import Conversation
from models.base import as_utc, utcnow
from models.db import session_scope

log = logging.getLogger(__name__)


def expire_conversations() -> int:
    window = timedelta(hours=load_yaml("flow.yaml")["expire_after_hours"])
    cutoff = utcnow() - window
    wiped = 0
    with session_scope() as session:
        for conv in session.exec(select(Conversation).where(Conversation.updated_at <= cutoff)):
            state = DialogState.from_dict(conv.state)
            if not state.in_progress or as_utc(conv.updated_at) > cutoff:
                continue
            conv.state = state.fresh().to_dict()
            conv.open_intake_id = None  # a crisis-opened intake stays for staff
            session.add(conv)
            wiped += 1
    if wiped:
        log.info("wiped %d expired partial conversation(s)", wiped)
    return wiped


def purge_delivered_copies(older_than: timedelta = timedelta(days=7)) -> int:
    """The inbox and outbox keep residents' words only as long as delivery may need them:
    the intake is the record. Handled events and sent messages are blanked after a week."""
    from models import OutboxMessage, WebhookEvent

    cutoff = utcnow() - older_than
    blanked = 0
    with session_scope() as session:
        for event in session.exec(select(WebhookEvent).where(WebhookEvent.processed_at <= cutoff)):
            if event.payload.get("purged"):
                continue
            event.payload = {"type": event.payload.get("type"), "purged": True}
            event.reply_token = None
            session.add(event)
            blanked += 1
        for row in session.exec(select(OutboxMessage).where(OutboxMessage.status != "pending",
                                                            OutboxMessage.created_at <= cutoff)):
            if row.messages:
                row.messages = []
                session.add(row)
                blanked += 1
    if blanked:
        log.info("blanked %d delivered inbox/outbox copies", blanked)
    return blanked
