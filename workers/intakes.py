"""Turn dialog effects into rows: intakes, the people in them, consent records."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session, select

from dialogs import checklist
from dialogs.office_hours import is_open, zone
from models import ConsentRecord, Conversation, Household, Intake, Person, Reporter
from models.base import as_utc
from models.case import CaseEvent
from models.consent import latest_by_purpose

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def new_receipt_no(session: Session, channel: str, user_key: str, now: datetime) -> str:
    """The receipt number of a new intake, derived from whose it is and the time of the message
    that opened it (on LINE the event's own time), not drawn at random: the worker sends the
    answer that tells the resident their number before it commits, so a step done again after
    a crash in between (the resident has the first answer; LINE's retry key drops the second)
    must give the same number, or staff could not find the resident's case by it. A number
    already taken (about one in 10^12 per intake) is skipped, the same way every time."""
    seed = f"{channel}\0{user_key}\0{as_utc(now).timestamp():.6f}"  # the instant, whatever its zone
    for attempt in range(1000):
        digest = int.from_bytes(hashlib.sha256(f"{seed}\0{attempt}".encode()).digest()[:8], "big")
        body = "".join(RECEIPT_ALPHABET[(digest >> (5 * i)) & 31] for i in range(8))
        number = f"{body[:4]}-{body[4:]}"
        if session.exec(select(Intake.id).where(Intake.receipt_no == number)).first() is None:
            return number
    raise RuntimeError("no free receipt number")  # not reached: 1,000 taken in a row


def _fill(intake: Intake, payload: dict) -> None:
    intake.reporter_role = payload["reporter_role"]
    intake.anonymous = payload.get("anonymous", False)
    intake.lang = payload["lang"]
    intake.categories = payload["categories"]
    intake.suggested = payload["suggested"]
    intake.primary = payload["primary"]
    intake.free_text = payload["free_text"]
    intake.details = payload["details"]
    intake.since = payload["since"]
    intake.wants_person = intake.wants_person or payload["wants_person"]
    intake.complete = intake.complete or payload["complete"]
    # crisis flags are never removed once raised
    intake.crisis = intake.crisis or payload["crisis"]
    intake.crisis_kinds = sorted(set(intake.crisis_kinds or []) | set(payload["crisis_kinds"]))
    evidence = list(intake.crisis_evidence or [])
    intake.crisis_evidence = evidence + [e for e in payload["crisis_evidence"] if e not in evidence]
    intake.urgent = intake.urgent or intake.crisis or payload["wants_person"]


def _people(session: Session, intake: Intake, payload: dict) -> None:
    reporter = session.get(Reporter, intake.reporter_id) if intake.reporter_id else Reporter(role="")
    reporter.role = payload["reporter_role"]
    reporter.relation = payload["reporter_relation"]
    reporter.contact = payload["contact"]
    about_reporter = payload.get("reporter", {})
    reporter.organisation = about_reporter.get("organisation")
    reporter.person_knows = about_reporter.get("person_knows")
    reporter.keep_identity = about_reporter.get("keep_identity")
    person = session.get(Person, intake.person_id) if intake.person_id else Person()
    person.age_band = payload["person"]["age"]
    person.area = payload["person"]["area"]
    household = session.get(Household, intake.household_id) if intake.household_id else Household()
    household.members = list(payload["household"])
    session.add_all([reporter, person, household])
    session.flush()
    intake.reporter_id, intake.person_id, intake.household_id = reporter.id, person.id, household.id


def open_or_update(session: Session, conv: Conversation, payload: dict, now: datetime) -> Intake:
    intake = session.get(Intake, conv.open_intake_id) if conv.open_intake_id else None
    previous = None
    if intake is None:
        previous = _previous_intake(session, conv.channel, conv.user_key)
        intake = Intake(
            receipt_no=new_receipt_no(session, conv.channel, conv.user_key, now),
            channel=conv.channel,
            user_key=conv.user_key,
            received_at=now,
            after_hours=not is_open(now),
            reporter_role=payload["reporter_role"],
        )
    _fill(intake, payload)
    _people(session, intake, payload)
    session.add(intake)
    session.flush()
    if previous is not None and previous.status == CLOSED:
        # the closed case's timeline says the resident came back (its former assignee sees it)
        session.add(CaseEvent(intake_id=previous.id, at=now, kind="new_intake",
                              data={"receipt_no": intake.receipt_no, "intake_id": intake.id}))
    return intake


def _previous_intake(session: Session, channel: str, user_key: str) -> Intake | None:
    return session.exec(select(Intake).where(Intake.channel == channel, Intake.user_key == user_key)
                        .order_by(Intake.received_at.desc(), Intake.id.desc())).first()


CLOSED = "closed"  # 終結: the resident's next message starts a new intake


def latest_open_intake(session: Session, channel: str, user_key: str) -> Intake | None:
    """The resident's newest intake while staff still have it open."""
    return session.exec(
        select(Intake).where(Intake.channel == channel, Intake.user_key == user_key, Intake.status != CLOSED)
        .order_by(Intake.received_at.desc(), Intake.id.desc())
    ).first()


def add_to_intake(session: Session, intake: Intake, now: datetime, words: str | None = None, suggested=(),
                  wants_person: bool = False, crisis: dict | None = None) -> None:
    """What a resident writes after submitting joins their open intake: staff see one case,
    a timeline entry (without the words: they are in the intake) and a 新着 mark in the queue."""
    session.add(CaseEvent(intake_id=intake.id, at=now, kind="resident_message", data={
        "crisis_kinds": list(crisis["kinds"]) if crisis else [], "wants_person": wants_person}))
    intake.resident_wrote_at = now
    if words:
        stamp = now.astimezone(zone()).strftime("%m/%d %H:%M")
        intake.free_text = f"{intake.free_text}\n【追加 {stamp}】{words}".lstrip("\n")
        intake.suggested = checklist.ordered([*(intake.suggested or []), *suggested])
    if wants_person:
        intake.wants_person = intake.urgent = True
    if crisis:
        intake.crisis = intake.urgent = True
        intake.crisis_kinds = sorted(set(intake.crisis_kinds or []) | set(crisis["kinds"]))
        evidence = list(intake.crisis_evidence or [])
        intake.crisis_evidence = evidence + [e for e in crisis["evidence"] if e not in evidence]
        # the resident did not tick these: they are guessed from the crisis (推定), shown apart
        guessed = [c for c in checklist.for_crisis(crisis["kinds"]) if c not in (intake.categories or [])]
        intake.suggested = checklist.ordered([*(intake.suggested or []), *guessed])


def record_consents(session: Session, intake: Intake, consents: dict) -> None:
    for purpose, answer in consents.items():
        session.add(ConsentRecord(
            intake_id=intake.id,
            purpose=purpose,
            action="granted" if answer["granted"] else "declined",
            wording_version=answer["version"],
            wording=answer["wording"],
            lang=answer["lang"],
            recorded_at=datetime.fromisoformat(answer["at"]),
            obtained_by=answer.get("obtained_by"),
        ))


def withdraw_consents(session: Session, channel: str, user_key: str, at: datetime,
                      purposes=None) -> dict[int, list[str]]:
    """Append a withdrawal for every purpose (of `purposes`, or all) whose latest answer is
    still 'granted'; the earlier records stay. Returns {intake id: purposes withdrawn}."""
    intakes = session.exec(select(Intake).where(Intake.channel == channel, Intake.user_key == user_key)).all()
    withdrawn: dict[int, list[str]] = {}
    for intake in intakes:
        for purpose, record in latest_by_purpose(consent_history(session, intake.id)).items():
            if record.action == "granted" and (purposes is None or purpose in purposes):
                session.add(ConsentRecord(
                    intake_id=intake.id, purpose=purpose, action="withdrawn",
                    wording_version=record.wording_version, wording=record.wording,
                    lang=record.lang, recorded_at=at,
                ))
                withdrawn.setdefault(intake.id, []).append(purpose)
    return withdrawn


def consent_history(session: Session, intake_id: int) -> list[ConsentRecord]:
    """Every consent record of an intake, oldest first."""
    return session.exec(
        select(ConsentRecord).where(ConsentRecord.intake_id == intake_id).order_by(ConsentRecord.id)
    ).all()


def current_consents(session: Session, intake_id: int) -> dict[str, bool]:
    """{purpose: True/False} from the newest record of each purpose."""
    latest = latest_by_purpose(consent_history(session, intake_id))
    return {purpose: record.action == "granted" for purpose, record in latest.items()}
