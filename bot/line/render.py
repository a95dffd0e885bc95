"""Render neutral dialog messages as LINE Messaging API message objects.

The output is plain JSON-ready dicts in the camelCase shape the LINE API expects, grouped
into batches: one batch is one reply / push request.

Limits LINE enforces (a request that breaks one is rejected whole, so the user gets
nothing):

* at most 5 messages per request;
* text 1..5000 characters;
* at most 13 quick reply items; action label 1..20 characters; postback data 1..300.

LINE shows the quick reply of the *last* message of a request only, so a message with
choices always closes its batch.

Lengths are counted in UTF-16 code units: that is never less than the character count,
so a text that fits here fits at LINE however it counts (an emoji is two units here).
"""
from __future__ import annotations

from dialogs.messages import Message

MAX_MESSAGES_PER_REQUEST = 5
MAX_TEXT = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20
MAX_POSTBACK_DATA = 300

ELLIPSIS = "…"
# Where a long text may be cut when its window has no line break: after the last
# sentence end (a closing bracket right after one is kept with it).
_SENTENCE_ENDS = "。！？!?．」』"


def line_length(text: str) -> int:
    """Length as LINE may count it: UTF-16 code units (>= number of characters)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """Number of characters of `text` whose UTF-16 length is <= limit."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split `text` into parts of at most `limit` units, cutting at a line break if the
    window has one, else after a sentence end, else hard (never inside a character).

    Line breaks at a cut are dropped, so no part starts or ends with an empty line and
    none is empty (LINE rejects empty texts).
    """
    if not text.strip():
        raise ValueError("a LINE text message cannot be empty or blank")
    parts: list[str] = []
    rest = text
    while line_length(rest) > limit:
        window = _prefix_within(rest, limit)
        # a line break just after the window is fine too: the break itself is dropped
        cut = rest.rfind("\n", 0, window + 1)
        if cut > 0:
            part, rest = rest[:cut], rest[cut + 1 :]
        else:
            ends = [rest.rfind(c, 0, window) for c in _SENTENCE_ENDS]
            cut = max(ends)
            if cut >= 0:
                part, rest = rest[: cut + 1], rest[cut + 1 :]
            else:
                part, rest = rest[:window], rest[window:]
        if part.strip("\n"):
            parts.append(part.rstrip("\n"))
        rest = rest.lstrip("\n")  # no part starts with an empty line
    if rest:
        parts.append(rest)
    return parts


def truncate_label(label: str, limit: int = MAX_LABEL) -> str:
    """Shorten a button label to LINE's limit, marking the cut with "…"."""
    if not label:
        raise ValueError("a quick reply button needs a label")
    if line_length(label) <= limit:
        return label
    return label[: _prefix_within(label, limit - line_length(ELLIPSIS))] + ELLIPSIS


def quick_reply(message: Message) -> dict | None:
    """The quickReply object for a message's choices, or None when it has none."""
    if not message.choices:
        return None
    if len(message.choices) > MAX_QUICK_REPLY_ITEMS:
        raise ValueError(
            f"{len(message.choices)} choices on one message; LINE shows at most "
            f"{MAX_QUICK_REPLY_ITEMS} quick reply buttons (the dialog must page them)"
        )
    items = []
    for choice in message.choices:
        if not choice.value or line_length(choice.value) > MAX_POSTBACK_DATA:
            raise ValueError(
                f"postback data must be 1..{MAX_POSTBACK_DATA} characters, "
                f"got {line_length(choice.value)}"
            )
        label = truncate_label(choice.label)
        items.append(
            {
                "type": "action",
                "action": {
                    "type": "postback",
                    "label": label,
                    "data": choice.value,
                    "displayText": label,
                },
            }
        )
    return {"items": items}


def render_message(message: Message) -> list[dict]:
    """One neutral message as one or more LINE text messages (more when the text is
    too long); the quick reply, if any, rides on the last part."""
    qr = quick_reply(message)
    rendered = [{"type": "text", "text": part} for part in split_text(message.text)]
    if qr is not None:
        rendered[-1]["quickReply"] = qr
    return rendered


def render_batches(messages: list[Message]) -> list[list[dict]]:
    """Neutral messages -> batches of LINE message dicts, each batch one API request.

    Order is kept. A batch holds at most 5 messages, and a message with a quick reply
    ends its batch, so its buttons are actually shown.
    """
    batches: list[list[dict]] = []
    batch: list[dict] = []
    for message in messages:
        for rendered in render_message(message):
            batch.append(rendered)
            if len(batch) == MAX_MESSAGES_PER_REQUEST or "quickReply" in rendered:
                batches.append(batch)
                batch = []
    if batch:
        batches.append(batch)
    return batches
