"""The intake conversation declared as data: the questions in order, when each applies,
what it stores, and which part of the summary it belongs to (for なおす).

`engine.step` walks this table; it holds no question-specific branching of its own.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from .state import DialogState, State


def always(st: DialogState) -> bool:
    return True


def reporter(st: DialogState) -> bool:
    return st.role not in (None, "self")


def role_is(*roles: str) -> Callable[[DialogState], bool]:
    return lambda st: st.role in roles


def contact_is(*methods: str) -> Callable[[DialogState], bool]:
    return lambda st: st.answers.get("contact") in methods


def needs_arranging(st: DialogState) -> bool:
    """A visit has to be arranged, and an unsafe phone or home needs another way: ask how."""
    method = st.answers.get("contact")
    return method == "visit" or (method in UNSAFE_ASKED and st.answers.get("contact_safety") == "unsafe")


def arrange_by_phone(st: DialogState) -> bool:
    return needs_arranging(st) and st.answers.get("arrange") == "phone"


def voicemail_asked(st: DialogState) -> bool:
    if st.answers.get("contact") != "phone":
        return arrange_by_phone(st)
    return st.answers.get("contact_safety") != "unsafe" or arrange_by_phone(st)


def share_granted(st: DialogState) -> bool:
    return st.is_self and bool(st.consents.get("share", {}).get("granted"))


# contact methods that reach the home: is it safe to call / visit / write there?
UNSAFE_ASKED = ("phone", "visit", "letter")

PHONE_CANDIDATE = re.compile(r"(?:\+81|0)[\d\s\-ー‐−()（）]{8,16}\d")


def _digits_fit(digits: str) -> bool:
    """Japanese numbers by kind: mobile / IP / 0800 have 11 digits, landlines and 0120 have 10."""
    if re.match(r"0[5789]0|0800", digits):
        return len(digits) == 11
    return len(digits) == 10 and digits[1] != "0"


def valid_phone(raw: str) -> str | None:
    """A phone number typed alone or inside a sentence (「電話は090-1234-5678です」), +81
    forms too; returned as domestic digits, or None when the digit count is wrong."""
    text = unicodedata.normalize("NFKC", raw)
    for candidate in PHONE_CANDIDATE.findall(text):
        digits = re.sub(r"\D", "", candidate)
        if candidate.startswith("+81"):
            digits = "0" + digits[2:].removeprefix("0")
        if _digits_fit(digits):
            return digits
    return None


@dataclass(frozen=True)
class Question:
    state: State
    kind: str  # "choice" | "multi" | "text" | "checklist" | "primary" | "consent"
    section: str  # part of the summary it belongs to, for なおす
    slot: str | None = None  # where the answer is stored in DialogState.answers
    choices: str | None = None  # name of the choice list in data/<lang>.yaml
    applies: Callable[[DialogState], bool] = always
    skippable: bool = False  # text questions: offer a "nothing more" button
    validate: Callable[[str], str | None] | None = None  # text -> value or None (ask again)


QUESTIONS: tuple[Question, ...] = (
    Question(State.WHO, "choice", "who", slot="role", choices="who"),
    # a name or 呼び名 for callbacks; 名前を言わずに is open to every writer, 本人 included
    Question(State.NAME, "text", "who", slot="name"),
    Question(State.ORG, "text", "who", slot="org", applies=role_is("professional"), skippable=True),
    Question(State.RELATION, "choice", "person", slot="relation", choices="relation", applies=reporter),
    Question(State.AGE, "choice", "person", slot="age", choices="age"),
    Question(State.AREA, "text", "person", slot="area", skippable=True),
    Question(State.HOUSEHOLD, "multi", "person", slot="household", choices="household"),
    Question(State.PERSON_KNOWS, "choice", "person", slot="person_knows", choices="person_knows",
             applies=role_is("professional", "minsei")),
    # Komae's つなぐシート is filled in with the person: a professional may hold their consent
    Question(State.PROXY_CONSENT, "choice", "person", slot="proxy_consent", choices="proxy_consent",
             applies=role_is("professional")),
    Question(State.CONCERN, "text", "worries", slot="concern_asked", skippable=True),
    # the checklist is always shown (八王子: surface what the resident did not say), with the
    # classifier's suggestions ticked and a one-tap 「ほかにはない」
    Question(State.CHECKLIST, "checklist", "worries", slot="checklist_done"),
    Question(State.OTHER_TEXT, "text", "worries", slot="other_text",
             applies=lambda st: "other" in st.selected, skippable=True),
    Question(State.PRIMARY, "primary", "worries", slot="primary_asked",
             applies=lambda st: len(st.selected) >= 2),
    Question(State.DETAILS, "text", "details", slot="details", skippable=True),
    Question(State.SINCE, "choice", "since", slot="since", choices="since"),
    Question(State.CONTACT, "choice", "contact", slot="contact", choices="contact"),
    Question(State.PHONE, "text", "contact", slot="phone", applies=contact_is("phone"), validate=valid_phone),
    # where to visit, or where to send a letter (for people who cannot use the phone)
    Question(State.ADDRESS, "text", "contact", slot="address", applies=contact_is("visit", "letter")),
    Question(State.CONTACT_TIME, "choice", "contact", slot="contact_time", choices="contact_time",
             applies=contact_is("line", "chat", "phone", "visit")),
    # DV: is it safe to call, visit or write, may the household learn of it
    Question(State.CONTACT_SAFETY, "choice", "contact", slot="contact_safety", choices="contact_safety",
             applies=contact_is(*UNSAFE_ASKED)),
    Question(State.ARRANGE, "choice", "contact", slot="arrange", choices="arrange", applies=needs_arranging),
    Question(State.ARRANGE_PHONE, "text", "contact", slot="arrange_phone", applies=arrange_by_phone,
             validate=valid_phone),
    # a message on the phone staff will call (not on one where calling itself is unsafe)
    Question(State.VOICEMAIL, "choice", "contact", slot="voicemail", choices="voicemail", applies=voicemail_asked),
    Question(State.KEEP_IDENTITY, "choice", "contact", slot="keep_identity", choices="keep_identity",
             applies=reporter),
    # A reporter never consents on the person's behalf: consent is asked of 本人 only, and the
    # meeting only once sharing itself was agreed.
    Question(State.CONSENT_SHARE, "consent", "consent", slot="share", choices="consent",
             applies=lambda st: st.is_self),
    Question(State.CONSENT_MEETING, "consent", "consent", slot="meeting", choices="consent",
             applies=share_granted),
    Question(State.CONFIRM, "choice", "confirm", choices="confirm"),
)

BY_STATE: dict[State, Question] = {q.state: q for q in QUESTIONS}
ORDER: list[State] = [q.state for q in QUESTIONS]
# After 人と話したい only these are asked (how to reach the resident safely), then it is handed over.
REACH_QUESTIONS = {State.CONTACT, State.PHONE, State.ADDRESS, State.CONTACT_TIME, State.CONTACT_SAFETY,
                   State.VOICEMAIL, State.ARRANGE, State.ARRANGE_PHONE}
# 同意をとりけす asks which to take back; each answer withdraws these purposes (and only these)
WITHDRAW_GROUPS = {"share": ("share", "meeting"), "contact": ("contact", "voicemail"),
                   "all": ("share", "meeting", "contact", "voicemail")}
SIDE_STATES = {State.EDIT, State.QUIT_CONFIRM, State.RESUME, State.WITHDRAW_CONFIRM}
SECTIONS = ("who", "person", "worries", "details", "since", "contact", "consent")
# なおす on "worries" opens the checklist itself rather than the free-text question.
EDIT_TARGET = {"worries": State.CHECKLIST}
# the household question takes several answers; these stand alone
EXCLUSIVE_MEMBERS = {"alone", "unknown"}


def is_answered(q: Question, st: DialogState) -> bool:
    if q.kind == "consent":
        return q.slot in st.consents
    if q.kind == "primary":
        return st.primary in st.selected
    return q.slot is None or q.slot in st.answers


def next_question(st: DialogState, after: State) -> State:
    """The next question that applies. While editing, walk the section being edited, then
    only the unanswered questions that now apply (a role change can add some), else the summary."""
    position = ORDER.index(after)
    section = BY_STATE[after].section
    walking = not st.editing or st.editing in (True, section)
    for candidate in ORDER[position + 1 :] if walking else ():
        q = BY_STATE[candidate]
        if not q.applies(st):
            continue
        if st.editing and q.section != section:
            break
        return candidate
    if st.editing:
        for candidate in ORDER:
            q = BY_STATE[candidate]
            if q.state is not State.CONFIRM and q.applies(st) and not is_answered(q, st):
                return candidate
    return State.CONFIRM


def next_reach_question(st: DialogState) -> State | None:
    """After 人と話したい: the first question needed to reach them safely that is still
    unanswered, or None when staff can be handed the request now."""
    for candidate in ORDER:
        q = BY_STATE[candidate]
        if candidate in REACH_QUESTIONS and q.applies(st) and not is_answered(q, st):
            return candidate
    return None


def first_of_section(st: DialogState, section: str) -> State:
    for q in QUESTIONS:
        if q.section == section and q.applies(st):
            return q.state
    return State.CONFIRM


def _check_table() -> None:
    """Reject a bad table when the module loads, not in the middle of a conversation."""
    if len(BY_STATE) != len(QUESTIONS):
        raise ValueError("flow: a state is declared twice")
    if ORDER[-1] is not State.CONFIRM:
        raise ValueError("flow: the summary must be the last question")
    for q in QUESTIONS:
        if q.kind in ("choice", "multi", "consent") and not q.choices:
            raise ValueError(f"flow: {q.state} needs a choice list")
        if q.section not in SECTIONS + ("confirm",):
            raise ValueError(f"flow: {q.state} has unknown section {q.section}")
    missing = set(State) - set(BY_STATE) - SIDE_STATES - {State.IDLE}
    if missing:
        raise ValueError(f"flow: states without a question: {missing}")


_check_table()
