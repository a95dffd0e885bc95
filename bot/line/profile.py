"""The resident's LINE profile language (GET /v2/bot/profile/{userId}), a hint for the dialog's
language at first contact. Asked by the worker, never on the webhook's path; a short timeout,
and any failure (LINE down, 404 for a user who blocked the account, no `language` in the
profile) is simply no hint: the conversation goes on in Japanese. The user id and the display
name are never logged or kept: only the language code is returned."""
from __future__ import annotations

import logging
import re

import urllib3
from linebot.v3.messaging import MessagingApi
from linebot.v3.messaging.exceptions import ApiException

from .sender import unchecked

log = logging.getLogger(__name__)

TIMEOUT = 2.0  # seconds: the resident is waiting for the greeting
_PATH = re.compile(r"/v2/bot/profile/[^\s\"?]+")


class _HideUserId(logging.Filter):
    """urllib3 logs each request line at DEBUG; this one has the user id in its path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and any(isinstance(a, str) and "/v2/bot/profile/" in a for a in record.args):
            record.args = tuple(_PATH.sub("/v2/bot/profile/…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def _quiet_urllib3() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _HideUserId) for f in logger.filters):
        logger.addFilter(_HideUserId())


def language(sender, user_id: str, timeout: float = TIMEOUT) -> str | None:
    """The `language` of the profile (e.g. "en", "zh-TW", "pt-BR"), or None."""
    _quiet_urllib3()
    try:
        # without the SDK's argument validation (pydantic's validate_arguments, twice: get_profile
        # wraps get_profile_with_http_info), as bot.line.sender does for replies
        profile = unchecked(MessagingApi.get_profile_with_http_info)(
            MessagingApi(sender._client()), user_id, _request_timeout=timeout).data
    except ApiException as exc:
        log.info("LINE profile not available: HTTP %s", exc.status)
        return None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        sender.close()  # a broken connection is not reused
        log.info("LINE profile not available: %s", type(exc).__name__)
        return None
    except Exception as exc:  # noqa: BLE001 - an unreadable answer is no hint, never a failed event
        log.info("LINE profile not readable: %s", type(exc).__name__)
        return None
    code = getattr(profile, "language", None)
    return code if isinstance(code, str) and code else None
