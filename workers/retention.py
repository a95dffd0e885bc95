"""Partial answers do not outlive the promise made to residents: after the expiry window
an unfinished conversation is wiped, even if the resident never comes back."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from sqlmodel import Session, select

from dialogs.state import DialogState
from dialogs.texts import load_yaml
from models import Conversation, Intake, OutboxMessage, Person, Reporter, WebhookEvent
from models.audit import record_event
from models.base import utcnow
from models.db import session_scope

log = logging.getLogger(__name__)

# An event not handled within this time never will be (LINE's reply token is long gone and
# a failed one has been in front of admins for weeks): its words are blanked like the rest.
UNPROCESSED_KEEP = timedelta(days=30)
DEFAULT_RETENTION_YEARS = 5
ANONYMOUS_KEY = "-"  # user_key of an anonymised intake: no LINE id, no web visitor


def retention_years(env=None) -> int:
    """TSUNAGU_RETENTION_YEARS: how long a closed case keeps personal data (whole years)."""
    raw = (os.environ if env is None else env).get("TSUNAGU_RETENTION_YEARS") or ""
    if not raw:
        return DEFAULT_RETENTION_YEARS
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"TSUNAGU_RETENTION_YEARS must be a whole number of years >= 1, got {raw!r}")
    return int(raw)


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
        events = select(WebhookEvent).where(
            (WebhookEvent.processed_at <= before)
            | (WebhookEvent.processed_at.is_(None) & (WebhookEvent.received_at <= before - UNPROCESSED_KEEP)))
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
        record_event(session, "retention", target_type="copies", target_id=blanked)
    if blanked:
        log.info("blanked %d delivered inbox/outbox copies", blanked)
    return blanked


def anonymise_closed_cases(now: datetime | None = None, years: int | None = None) -> int:
    """Closed cases received more than `years` ago keep their structured record (categories,
    dates, outcome: the statistics) and lose everything personal: the resident's words,
    contact, area, LINE id, conversation and inbox/outbox copies. Every run is audited."""
    now = now or utcnow()
    cutoff = now - timedelta(days=365 * (years or retention_years()))
    done = 0
    with session_scope() as session:
        old = session.exec(select(Intake).where(
            Intake.status == "closed", Intake.received_at <= cutoff, Intake.user_key != ANONYMOUS_KEY)).all()
        for intake in old:
            _anonymise(session, intake)
            done += 1
        record_event(session, "retention", target_type="intakes", target_id=done)
    if done:
        log.info("anonymised %d closed case(s) past retention", done)
    return done


def _anonymise(session: Session, intake: Intake) -> None:
    channel, user_key = intake.channel, intake.user_key
    intake.free_text, intake.details, intake.crisis_evidence = "", None, []
    intake.user_key = ANONYMOUS_KEY
    session.add(intake)
    if intake.reporter_id and (reporter := session.get(Reporter, intake.reporter_id)):
        reporter.contact = {}
        session.add(reporter)
    if intake.person_id and (person := session.get(Person, intake.person_id)):
        person.area = None
        session.add(person)
    session.flush()
    still_open = session.exec(select(Intake.id).where(
        Intake.channel == channel, Intake.user_key == user_key)).first()
    if still_open is None:  # nothing else of this resident is kept: forget them entirely
        for conv in session.exec(select(Conversation).where(
                Conversation.channel == channel, Conversation.user_key == user_key)):
            session.delete(conv)
        blank_copies(session, channel=channel, user_key=user_key)
