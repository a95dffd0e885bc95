"""Reporters hear back: a family member, neighbour, 民生委員 or supporter who reported a case
over LINE or the web chat gets a short status when staff take it up and when it is passed
to an agency (受け付けました / 担当の機関に つなぎました). Wording: console/data/notices.yaml.

Never the person's details, words or outcome. Each notice goes once per case (keyed by the
outbox event id), and not at all to a LINE account that blocked us.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from sqlmodel import Session, select

from console.outbox import is_blocked, queue_text
from models import Intake, OutboxMessage

KINDS = ("claimed", "referred")


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "notices.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    for lang in ("ja", "en"):
        missing = set(KINDS) - set(data[lang])
        if missing:
            raise ValueError(f"notices.yaml: no {lang} wording for {missing}")
    return data


def notify_reporter(session: Session, intake: Intake, kind: str) -> bool:
    """Queue the notice `kind` for the intake's reporter; False when it does not apply."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice {kind!r}")
    words = wording()
    if intake.reporter_role not in words["who_hears_back"] or intake.channel not in ("line", "web"):
        return False
    event_id = f"notice-{intake.id}-{kind}"
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.event_id == event_id)).first() is not None:
        return False  # told once already (a released and re-claimed case, a second referral)
    if is_blocked(session, intake.channel, intake.user_key):
        return False
    lang = intake.lang if intake.lang in ("ja", "en") else "ja"
    queue_text(session, intake.channel, intake.user_key, words[lang][kind].format(receipt_no=intake.receipt_no),
               event_id=event_id, kind="info")
    return True
