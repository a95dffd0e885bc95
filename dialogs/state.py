"""Conversation state: an Enum of steps and a JSON-serialisable record of the answers."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class State(str, Enum):
    IDLE = "idle"  # nothing in progress (never started, finished, or stopped)
    WHO = "who"
    NAME = "name"
    ORG = "org"
    RELATION = "relation"
    AGE = "age"
    AREA = "area"
    HOUSEHOLD = "household"
    PERSON_KNOWS = "person_knows"
    PROXY_CONSENT = "proxy_consent"
    CONCERN = "concern"
    CHECKLIST = "checklist"
    OTHER_TEXT = "other_text"
    PRIMARY = "primary"
    DETAILS = "details"
    SINCE = "since"
    CONTACT = "contact"
    PHONE = "phone"
    ADDRESS = "address"
    CONTACT_TIME = "contact_time"
    CONTACT_SAFETY = "contact_safety"
    VOICEMAIL = "voicemail"
    ARRANGE = "arrange"  # visit, or phone/visit unsafe: how to reach them to arrange it
    ARRANGE_PHONE = "arrange_phone"
    KEEP_IDENTITY = "keep_identity"
    CONSENT_SHARE = "consent_share"
    CONSENT_MEETING = "consent_meeting"
    CONFIRM = "confirm"
    # side states: they remember where to return in `paused`
    EDIT = "edit"
    QUIT_CONFIRM = "quit_confirm"
    RESUME = "resume"
    WITHDRAW_CONFIRM = "withdraw_confirm"


ANONYMOUS = "-"  # the name slot's value for 「名前を言わずに」

# Steps an older release stored that are now folded into another step.
RENAMED: dict[str, str] = {"suggest": "checklist"}


@dataclass
class DialogState:
    state: State = State.IDLE
    lang: str = "ja"
    channel: str = "line"
    answers: dict = field(default_factory=dict)  # slot -> value
    concern: list = field(default_factory=list)  # the resident's own words, in order
    selected: list = field(default_factory=list)  # checklist ids marked 〇
    suggested: list = field(default_factory=list)  # ids the classifier proposed
    primary: str | None = None  # the ◎ id
    group: int = 0  # checklist group shown now
    page: int = 0  # page of the ◎ question
    consents: dict = field(default_factory=dict)  # purpose -> record
    crisis: list = field(default_factory=list)  # [{kind, evidence}]
    history: list = field(default_factory=list)  # [[state, group], ...] for もどる
    editing: bool | str = False  # the section chosen in なおす: return to the summary after it
    paused: list | None = None  # [state, group] a side state returns to
    withdrawable: bool = False  # a submitted intake holds consent that may be withdrawn
    granted: list = field(default_factory=list)  # the purposes given and not taken back (同意をとりけす offers these)
    wants_person: bool = False  # 人と話したい: ask only how to reach them, then hand over
    resumed: bool = False  # came back with 続きから: maybe another person at a shared device
    started_at: str | None = None
    last_active_at: str | None = None

    @property
    def in_progress(self) -> bool:
        return self.state is not State.IDLE

    @property
    def role(self) -> str | None:
        return self.answers.get("role")

    @property
    def is_self(self) -> bool:
        return self.role == "self"

    @property
    def anonymous(self) -> bool:
        """Gave no name: a property of any writer, apart from the role (the old role value
        "anonymous" from earlier releases counts too)."""
        return self.role == "anonymous" or self.answers.get("name") == ANONYMOUS

    def to_dict(self) -> dict:
        data = asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> "DialogState":
        if not data:
            return cls()
        data = dict(data)
        data["state"] = State(RENAMED.get(data.get("state", "idle"), data.get("state", "idle")))
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def fresh(self) -> "DialogState":
        """Forget the answers, keep who the resident is to us (language, channel, consent)."""
        return DialogState(lang=self.lang, channel=self.channel, withdrawable=self.withdrawable,
                           granted=list(self.granted))
