"""Send one batch of LINE messages (one API request) and classify what happened.

The sender never retries: it reports an outcome and the worker decides (reply token
spent -> push; retry_later -> back off and push again with the same retry key).

`SendResult.detail` is meant for logs: it carries the HTTP status, LINE's short error
message / property names and LINE's request id, never message text or user ids.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import threading
from dataclasses import dataclass

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    Message as LineMessage,
    MessagingApi,
)
from linebot.v3.messaging.exceptions import ApiException

log = logging.getLogger(__name__)

SENT = "sent"
REPLY_TOKEN_INVALID = "reply_token_invalid"
RETRY_LATER = "retry_later"
FAILED = "failed"

_DETAIL_MAX = 200
DEFAULT_BASE_URL = "https://api.line.me"


@dataclass(frozen=True)
class SendResult:
    outcome: str  # SENT | REPLY_TOKEN_INVALID | RETRY_LATER | FAILED
    status: int | None = None  # HTTP status, None when no response came back
    detail: str = ""  # short, log-safe: no message text, no user ids

    @property
    def ok(self) -> bool:
        return self.outcome == SENT


class LineSender:
    """Reply / push through line-bot-sdk v3 against `base_url` (https://api.line.me in
    production, the fake server in tests). Each thread keeps its own SDK client and so its
    own kept-alive connections (a new TLS connection per reply was a large part of a reply's
    cost); the object is safe to share between threads. `close()` drops the connections."""

    def __init__(self, base_url: str, access_token: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.timeout = timeout
        self._local = threading.local()

    def _client(self) -> ApiClient:
        client = getattr(self._local, "client", None)
        if client is None:
            configuration = Configuration(host=self.base_url, access_token=self.access_token)
            configuration.retries = False  # no silent urllib3 retries; the worker owns them
            client = self._local.client = ApiClient(configuration)
        return client

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.rest_client.pool_manager.clear()
            self._local.client = None

    @classmethod
    def from_env(cls, timeout: float = 5.0) -> "LineSender":
        """From LINE_API_BASE_URL (default https://api.line.me) and
        LINE_CHANNEL_ACCESS_TOKEN."""
        return cls(
            os.environ.get("LINE_API_BASE_URL") or DEFAULT_BASE_URL,
            os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
            timeout,
        )

    def reply(self, reply_token: str, batch: list[dict]) -> SendResult:
        """Answer an event with its reply token (free, single use, short-lived)."""
        return self._send(
            "reply",
            lambda: {"replyToken": reply_token, "messages": _messages(batch)},
            lambda api, request: unchecked(MessagingApi.reply_message_with_http_info)(
                api, request, _request_timeout=self.timeout
            ),
        )

    def push(self, to_user_id: str, batch: list[dict], retry_key: str, silent: bool = False) -> SendResult:
        """Push with `X-Line-Retry-Key: retry_key` (a UUID). Reuse the same key when
        retrying the same batch: LINE then delivers it at most once. `silent`: LINE's
        notificationDisabled (no sound or banner; staff replies in DV cases)."""
        return self._send(
            "push",
            lambda: {"to": to_user_id, "messages": _messages(batch), "notificationDisabled": silent},
            lambda api, request: unchecked(MessagingApi.push_message_with_http_info)(
                api, request, x_line_retry_key=retry_key, _request_timeout=self.timeout
            ),
        )

    # -- internals ---------------------------------------------------------------------

    def _send(self, endpoint: str, build, call) -> SendResult:
        try:
            request = build()
        except Exception as exc:  # noqa: BLE001 - pydantic / discriminator errors
            # The SDK's own error text quotes the message; keep only where it failed.
            result = SendResult(FAILED, None, f"invalid message payload ({_where(exc)})")
            log.warning("LINE %s not sent: %s", endpoint, result.detail)
            return result

        client = self._client()
        client.last_response = None
        try:
            response = call(MessagingApi(client), request)
            result = SendResult(SENT, response.status_code, "")
        except ApiException as exc:
            result = _classify(endpoint, exc)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            self.close()  # a broken connection is not reused
            result = SendResult(RETRY_LATER, None, f"connection: {type(exc).__name__}")
        except Exception:  # noqa: BLE001
            last = getattr(client, "last_response", None)
            if last is not None and 200 <= last.status <= 299:
                # Delivered; only reading LINE's answer failed. Never send it twice.
                result = SendResult(SENT, last.status, "unreadable response body")
            else:
                raise
        if result.outcome != SENT:
            log.info("LINE %s: %s %s %s", endpoint, result.outcome, result.status, result.detail)
        return result


def unchecked(method):
    """The SDK method without its pydantic @validate_arguments wrapper (kept by pydantic as
    `raw_function`), which validated again, field by field, the request we had just built from
    the SDK's own models: a quarter of a reply's CPU. The SDK still serialises and sends it."""
    return getattr(method, "raw_function", method)


MAX_MESSAGES = 5  # per reply or push: the limit of the SDK's Reply/PushMessageRequest


class TooManyMessages(ValueError):
    """A batch the SDK's request model would refuse: 1 to MAX_MESSAGES messages."""


def _messages(batch: list[dict]) -> list[dict]:
    if not 1 <= len(batch) <= MAX_MESSAGES:
        raise TooManyMessages(len(batch))
    return [_message(json.dumps(m, ensure_ascii=False, sort_keys=True)) for m in batch]


@functools.lru_cache(maxsize=1024)
def _message(as_json: str) -> dict:
    """One message as the SDK sends it: parsed into the SDK's model (which checks its shape;
    a bad one raises here, before anything is sent), then turned back into the model's JSON
    form (`to_dict()`, what the SDK's serialiser calls). Most messages are the same for every
    resident at a step (a question and its buttons), so this is done once per message: turning
    the models into JSON on every request was 40 % of a reply's CPU. The request body is then
    plain JSON (the `to_dict()` form of Reply/PushMessageRequest), which the SDK's serialiser
    copies as it is; the cached dicts are never changed."""
    return LineMessage.from_json(as_json).to_dict()


def _where(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            locs = [".".join(str(p) for p in e.get("loc", ())) for e in errors()]
            return ", ".join(locs)[:_DETAIL_MAX] or type(exc).__name__
        except Exception:  # noqa: BLE001
            pass
    return type(exc).__name__


def _classify(endpoint: str, exc: ApiException) -> SendResult:
    status = exc.status or None
    message, properties = _error_body(exc.body)
    request_id = _header(exc.headers, "x-line-request-id")
    parts = [message] if message else []
    if properties:
        parts.append("at " + ", ".join(properties))
    if request_id:
        parts.append(f"request {request_id}")
    detail = "; ".join(parts)[:_DETAIL_MAX]

    if status is None:  # SDK-level failure without a response (e.g. TLS error)
        return SendResult(RETRY_LATER, None, (detail or "no response")[:_DETAIL_MAX])
    if endpoint == "reply" and status == 400 and "invalid reply token" in message.lower():
        return SendResult(REPLY_TOKEN_INVALID, status, detail)
    if endpoint == "push" and status == 409:
        # The retry key was already accepted: the batch was delivered by an earlier try.
        accepted = _header(exc.headers, "x-line-accepted-request-id")
        return SendResult(SENT, status, f"already accepted as {accepted or '?'}")
    if status == 429 or 500 <= status <= 599:
        return SendResult(RETRY_LATER, status, detail)
    return SendResult(FAILED, status, detail)


def _error_body(body) -> tuple[str, list[str]]:
    """LINE's error body {"message": ..., "details": [{"message", "property"}]} ->
    (message, property names). Anything else -> ("", [])."""
    if not body:
        return "", []
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return "", []
    if not isinstance(data, dict):
        return "", []
    message = str(data.get("message") or "")[:120]
    properties = []
    for d in data.get("details") or []:
        if isinstance(d, dict) and d.get("property"):
            properties.append(str(d["property"])[:60])
    return message, properties


def _header(headers, name: str) -> str:
    if not headers:
        return ""
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return ""
