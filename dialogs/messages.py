"""Neutral outgoing messages and incoming inputs, shared by every channel.

`bot/` renders `Message` to LINE quick replies or to web-chat buttons; it never decides
anything. Inputs are what a channel turns its events into before calling `step`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Choice:
    """A button. `value` travels back as the input (LINE postback data, web button)."""

    label: str
    value: str


@dataclass(frozen=True)
class Message:
    text: str
    choices: tuple[Choice, ...] = ()
    # "info" plain text, "question" expects an answer, "crisis" emergency numbers
    kind: str = "question"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Message":
        choices = tuple(Choice(**c) for c in data.get("choices", ()))
        return cls(text=data["text"], choices=choices, kind=data.get("kind", "question"))


class InputKind(str, Enum):
    START = "start"  # LINE follow event, web chat opened
    TEXT = "text"  # typed text
    CHOICE = "choice"  # a button / postback value
    UNSUPPORTED = "unsupported"  # sticker, image, audio, video, file, location


@dataclass(frozen=True)
class Input:
    kind: InputKind
    text: str = ""
    value: str = ""
    # what the unsupported thing was ("sticker", "image", ...), for the kind reply
    media: str = ""
    # the language the channel knows the resident uses (LINE profile language, the browser's
    # Accept-Language), e.g. "zh-TW"; used at first contact only: START greets in it, a first
    # message (in no language we can tell) is answered with a one-tap offer of it
    lang: str = ""


@dataclass(frozen=True)
class Effect:
    """Something the outside world must do after a step (write an intake, flag a crisis...)."""

    name: str
    data: dict = field(default_factory=dict)
