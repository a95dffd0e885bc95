"""Turn a stored LINE webhook event (raw JSON) into a neutral dialog input."""
from __future__ import annotations

from dialogs.messages import Input, InputKind

UNSUPPORTED_MESSAGES = {"sticker", "image", "video", "audio", "file", "location"}


def user_id(event: dict) -> str | None:
    source = event.get("source") or {}
    return source.get("userId") if source.get("type") == "user" else None


def to_input(event: dict) -> Input | None:
    """None for events that need no answer (unfollow, read receipts, group chats...)."""
    if user_id(event) is None:
        return None
    kind = event.get("type")
    if kind == "follow":
        return Input(InputKind.START)
    if kind == "postback":
        return Input(InputKind.CHOICE, value=str((event.get("postback") or {}).get("data", "")))
    if kind == "message":
        message = event.get("message") or {}
        if message.get("type") == "text":
            return Input(InputKind.TEXT, text=str(message.get("text", "")))
        media = message.get("type") if message.get("type") in UNSUPPORTED_MESSAGES else "other"
        return Input(InputKind.UNSUPPORTED, media=media)
    return None
