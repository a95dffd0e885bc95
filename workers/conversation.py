"""One resident input -> one dialog step, with the new state, intake rows and outgoing
messages written in the caller's transaction (so they commit or fail together)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, select

from dialogs.engine import RECEIPT_PLACEHOLDER, Context, step
from dialogs.messages import Input, Message
from dialogs.state import DialogState
from models import Conversation
from models.db import on_driver
from models.limits import fitted_values

from .intakes import add_to_intake, latest_open_intake, open_or_update, record_consents, withdraw_consents
from .retention import blank_copies

log = logging.getLogger(__name__)


def load_conversation(session: Session, channel: str, user_key: str) -> Conversation:
    query = _LOCKED if session.get_bind().dialect.name == "postgresql" else _FIND  # built once, not per message
    conv = session.exec(query, params={"channel": channel, "user_key": user_key}).first()
    return conv if conv is not None else _new_conversation(session, channel, user_key)


def _new_conversation(session: Session, channel: str, user_key: str) -> Conversation:
    """Written when the step's writes are flushed: one INSERT with the first state, where an
    INSERT now and an UPDATE then were two (a second writer meets the unique key then, still
    before anything is sent, and its event is tried again)."""
    conv = Conversation(channel=channel, user_key=user_key, state={})
    session.add(conv)
    return conv


def adopt_conversation(session: Session, channel: str, user_key: str, conv_id: int | None, state: dict | None,
                       open_intake_id: int | None, updated_at: datetime | None) -> Conversation:
    """The conversation row the caller's own statement read and locked (or found missing), as a
    Conversation outside the session: the caller writes what the step changed with
    `write_adopted` (one UPDATE, or one INSERT for a resident with no row yet, where the ORM's
    unit of work cost more than the statement)."""
    if conv_id is None:
        return Conversation(channel=channel, user_key=user_key, state={})
    return Conversation(id=conv_id, channel=channel, user_key=user_key, state=state,
                        open_intake_id=open_intake_id, updated_at=updated_at)


def write_adopted(session: Session, conv: Conversation) -> None:
    """Write an adopted conversation's new state, made to fit as the flush would. Adopted rows
    come from PostgreSQL's claim statement (workers.events), so this runs on its driver. A
    second writer of a new resident's row meets the unique key, and its event is tried again."""
    values = fitted_values(Conversation, {
        "id": conv.id, "channel": conv.channel, "user_key": conv.user_key, "state": conv.state,
        "open_intake_id": conv.open_intake_id, "updated_at": conv.updated_at})
    on_driver(session, _INSERT_ADOPTED if conv.id is None else _UPDATE_ADOPTED, values)


_UPDATE_ADOPTED = ("UPDATE conversation SET state = %(state)s, open_intake_id = %(open_intake_id)s, "
                   "updated_at = %(updated_at)s WHERE id = %(id)s")
_INSERT_ADOPTED = ("INSERT INTO conversation (channel, user_key, state, open_intake_id, updated_at) "
                   "VALUES (%(channel)s, %(user_key)s, %(state)s, %(open_intake_id)s, %(updated_at)s)")

_FIND = select(Conversation).where(Conversation.channel == bindparam("channel"),
                                   Conversation.user_key == bindparam("user_key"))
_LOCKED = _FIND.with_for_update()


def never_heard_from(conv: Conversation) -> bool:
    """Nothing was ever heard from this resident (a new conversation, or one never active)."""
    return not conv.state or not conv.state.get("last_active_at")


def handle_input(
    session: Session, channel: str, user_key: str, inp: Input, now: datetime, coordinator: str,
    conv: Conversation | None = None,
) -> list[Message]:
    """`conv`: the caller's load_conversation (locked) or adopt_conversation, if it already has
    it. A loaded or new conversation is in the session, which writes its new state; an adopted
    one is outside it, and the caller writes it (write_adopted)."""
    conv = conv if conv is not None else load_conversation(session, channel, user_key)
    state = _readable_state(conv, channel)
    followup = None
    if conv.id is not None and not state.in_progress:  # intakes come from a conversation: a new one has none
        with session.no_autoflush:
            followup = latest_open_intake(session, channel, user_key)
    ctx = Context(now=now, coordinator_label=coordinator, followup=followup.receipt_no if followup else None,
                  **_counter())
    result = step(state, inp, ctx)
    receipt_no = None
    to_followup: dict = {}  # one message after the intake: one addition, one timeline entry
    for effect in result.effects:
        if effect.name in ("crisis", "open") and "intake" in effect.data:
            conv.open_intake_id = open_or_update(session, conv, effect.data["intake"], now).id
        elif effect.name == "crisis" and followup is not None:
            to_followup["crisis"] = effect.data
        elif effect.name == "followup" and followup is not None:
            to_followup.update(words=effect.data.get("text"), suggested=effect.data.get("suggested", ()),
                               wants_person=effect.data.get("wants_person", False))
        elif effect.name == "submit":
            intake = open_or_update(session, conv, effect.data, now)
            record_consents(session, intake, effect.data["consents"])
            receipt_no = intake.receipt_no
            conv.open_intake_id = None
        elif effect.name == "discard":
            # partial answers go with the old state and their inbox/outbox copies are blanked;
            # a crisis-opened intake stays for staff (and, on 最初から, keeps collecting)
            if not effect.data.get("keep_intake"):
                conv.open_intake_id = None
            blank_copies(session, channel=channel, user_key=user_key)
        elif effect.name == "withdraw_consent":
            withdrawn = withdraw_consents(session, channel, user_key, now, effect.data.get("purposes"))
            _on_timelines(session, withdrawn, now)
    if to_followup:
        add_to_intake(session, followup, now, **to_followup)
    conv.state = result.state.to_dict()
    conv.updated_at = now
    return [_with_receipt(m, receipt_no) for m in result.messages]


def _on_timelines(session: Session, withdrawn: dict[int, list[str]], now: datetime) -> None:
    """A withdrawal is on each case's timeline (経過), with the purposes taken back."""
    from console.cases import record_event
    from models import Intake

    for intake_id, purposes in withdrawn.items():
        record_event(session, session.get(Intake, intake_id), None, "consent_withdrawn",
                     {"purposes": purposes}, now=now)


def _counter() -> dict:
    """Who runs the counter and its number, from the process settings when configured."""
    from . import runtime

    try:
        settings = runtime.current().settings
    except RuntimeError:  # a bare call (tests of the dialog alone)
        return {}
    return {"operator": settings.operator_name, "city_numbers": settings.city_numbers}


def _readable_state(conv: Conversation, channel: str) -> DialogState:
    """A state written by an older release may no longer load (a renamed step, say): start the
    resident again rather than failing every message they send from now on."""
    if not conv.state:
        return DialogState(channel=channel)
    try:
        return DialogState.from_dict(conv.state)
    except (ValueError, TypeError, KeyError):
        log.warning("conversation %s: unreadable state, starting again", conv.id)
        return DialogState(channel=channel, lang=conv.state.get("lang", "ja") if isinstance(conv.state, dict) else "ja")


def _with_receipt(message: Message, receipt_no: str | None) -> Message:
    if receipt_no is None or RECEIPT_PLACEHOLDER not in message.text:
        return message
    return Message(message.text.replace(RECEIPT_PLACEHOLDER, receipt_no), message.choices, message.kind)
