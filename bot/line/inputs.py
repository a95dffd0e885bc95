"""Turn a stored LINE webhook event (raw JSON) into a neutral dialog input."""
from __future__ import annotations

from dialogs.messages import Input, InputKind

UNSUPPORTED_MESSAGES = {"sticker", "image", "video", "audio", "file", "location"}


NO_USER = "-"  # the user_key stored for an event of no one-to-one user (a group chat, a bad event)


def user_id(event: dict) -> str | None:
    source = event.get("source")  # any JSON at all in a hostile body: check before reading
    return source.get("userId") if isinstance(source, dict) and source.get("type") == "user" else None


def group_text(event: dict) -> str | None:
    """The words of a text message in a group or multi-person chat the account is in (the
    dialog is for one-to-one chats; these are only looked at for a crisis)."""
    source, message = event.get("source"), event.get("message")
    if (event.get("type") == "message" and isinstance(source, dict) and source.get("type") in ("group", "room")
            and isinstance(message, dict) and message.get("type") == "text"
            and isinstance(message.get("text"), str)):
        return message["text"]
    return None


def to_input(event: dict) -> Input | None:
    """None for events that need no answer (unfollow, read receipts, group chats...)."""
    if user_id(event) is None:
        return None
    kind = event.get("type")
    if kind == "follow":
        return Input(InputKind.START)
    if kind == "postback":
        postback = event.get("postback") if isinstance(event.get("postback"), dict) else {}
        return Input(InputKind.CHOICE, value=str(postback.get("data", "")))
    if kind == "message":
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        mtype = message.get("type") if isinstance(message.get("type"), str) else None
        if mtype == "text":
            return Input(InputKind.TEXT, text=str(message.get("text", "")))
        media = mtype if mtype in UNSUPPORTED_MESSAGES else "other"
        return Input(InputKind.UNSUPPORTED, media=media)
    return None
