"""A local fake of the LINE Messaging API (reply + push) for tests.

It validates what LINE validates for the message shapes Tsunagu sends, keeps reply
tokens single-use, honours X-Line-Retry-Key (409 on a repeat, no second delivery), can
be told to fail or stall the next calls, and records every accepted delivery.

    fake = FakeLine(access_token="t").start()
    token = fake.issue_reply_token("U1")
    ...  # point the code under test at fake.base_url
    fake.messages_to("U1")
    fake.stop()
"""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus

from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

DEFAULT_ACCESS_TOKEN = "fake-line-channel-access-token"

MESSAGE_TYPES = {
    "text", "textV2", "sticker", "image", "video", "audio", "location", "imagemap",
    "template", "flex", "coupon",
}
ACTION_TYPES = {
    "postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location",
    "richmenuswitch", "clipboard",
}
_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


def line_length(text: str) -> int:
    """UTF-16 code units: the strictest way LINE may count characters."""
    return len(text.encode("utf-16-le")) // 2


class _QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API allows

    def log_request(self, *args, **kwargs) -> None:  # no access log noise in test output
        pass


@dataclass
class _Injection:
    status: int | None  # None: behave normally (only delay)
    times: int
    endpoint: str | None
    deliver: bool = False
    delay: float = 0.0


class FakeLine:
    """Fake LINE Messaging API on 127.0.0.1:<free port>, served from a background thread.

    Attributes for assertions:
      delivered  accepted deliveries, in order: {"endpoint", "to", "messages", "retry_key"}
                 (+ "notification_disabled": True for a silent push)
      calls      every request that reached the fake: {"endpoint", "status"}
      profile_requests  every GET /v2/bot/profile/{userId}: {"user", "status"} (kept apart
                 from `calls`, which counts message sends)
    """

    def __init__(self, access_token: str = DEFAULT_ACCESS_TOKEN, any_reply_token: bool = False,
                 channel_secret: str | None = None):
        self.access_token = access_token
        self.channel_secret = channel_secret  # signs the webhook test call (set_webhook + test)
        # channel settings made through the API (tsunagu line setup)
        self.webhook_endpoint: str | None = None
        self.rich_menus: dict[str, dict] = {}  # id -> {"request": dict, "image": bytes | None}
        # user id -> LINE profile (displayName, userId, language, ...); unknown users get 404
        self.profiles: dict[str, dict] = {}
        self.profile_requests: list[dict] = []
        self.default_rich_menu: str | None = None
        # benchmarks: a token "<userId>:<anything>" that was never issued is valid once, so a
        # load generator in another process need not ask for tokens first
        self.any_reply_token = any_reply_token
        self.reused_reply_tokens = 0  # replies with a token already used: a duplicate answer
        self._delivery_meta: list[tuple[str | None, float]] = []
        self.delivered: list[dict] = []
        self.calls: list[dict] = []
        self._lock = threading.Lock()
        self._new_delivery = threading.Condition(self._lock)  # long polls of /_fake/deliveries
        self._tokens: dict[str, dict] = {}  # token -> {"user": str, "state": str}
        self._retry_keys: dict[str, str] = {}  # retry key -> accepted request id
        self._injections: list[_Injection] = []
        self._stopping = threading.Event()
        self._server = None
        self._thread: threading.Thread | None = None
        self.flask_app = self._make_app()
        self.app = _MessagesFirst(self, self.flask_app)

    # -- lifecycle --------------------------------------------------------------------

    def start(self, port: int = 0) -> "FakeLine":
        self._stopping.clear()
        self._server = make_server(
            "127.0.0.1", port, self.app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            # a short poll interval keeps stop() (and so every test teardown) fast
            target=self._server.serve_forever, args=(0.02,), name="fake-line", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wake stalled handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "FakeLine":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeLine is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- test controls ----------------------------------------------------------------

    def issue_reply_token(self, user_id: str = "U" + "0" * 32) -> str:
        """A fresh, valid, single-use reply token for an event of `user_id`."""
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = {"user": user_id, "state": "valid"}
        return token

    def expire(self, token: str) -> None:
        """Make a reply token invalid, as LINE does after it times out."""
        with self._lock:
            if token in self._tokens:
                self._tokens[token]["state"] = "expired"

    def fail_next(
        self, status: int, times: int = 1, endpoint: str | None = None, deliver: bool = False
    ) -> None:
        """Answer the next `times` calls (to `endpoint`, or to any) with `status` and a
        LINE-style error body. deliver=True: process and record the delivery anyway, then
        answer with the error (LINE delivered but the answer was lost)."""
        self._check_endpoint(endpoint)
        with self._lock:
            self._injections.append(_Injection(status, times, endpoint, deliver))

    def delay_next(self, seconds: float, times: int = 1, endpoint: str | None = None) -> None:
        """Stall the next `times` calls for `seconds` before handling them (timeouts)."""
        self._check_endpoint(endpoint)
        with self._lock:
            self._injections.append(_Injection(None, times, endpoint, delay=seconds))

    def set_profile(self, user_id: str, language: str | None = None, display_name: str = "テスト") -> None:
        """What GET /v2/bot/profile/{user_id} answers; LINE leaves `language` out when the user
        has not allowed it (or it is not set)."""
        profile = {"userId": user_id, "displayName": display_name, "pictureUrl": "https://example.invalid/p.png"}
        if language is not None:
            profile["language"] = language
        with self._lock:
            self.profiles[user_id] = profile

    def messages_to(self, user_id: str) -> list[dict]:
        """All message objects delivered to `user_id` (reply and push), in order."""
        with self._lock:
            return [m for d in self.delivered if d["to"] == user_id for m in d["messages"]]

    def texts_to(self, user_id: str) -> list[str]:
        """The texts of the text messages delivered to `user_id`, in order."""
        return [m["text"] for m in self.messages_to(user_id) if m.get("type") == "text"]

    # -- the app ----------------------------------------------------------------------

    @staticmethod
    def _check_endpoint(endpoint: str | None) -> None:
        if endpoint not in (None, "reply", "push", "profile"):
            raise ValueError(f"endpoint must be 'reply', 'push', 'profile' or None, not {endpoint!r}")

    def _take_injection(self, endpoint: str) -> _Injection | None:
        with self._lock:
            for inj in self._injections:
                # a failure for "any endpoint" means the message sends; the profile is asked for by name
                wanted = (endpoint,) if endpoint == "profile" else (None, endpoint)
                if inj.endpoint in wanted and inj.times > 0:
                    inj.times -= 1
                    if inj.times == 0:
                        self._injections.remove(inj)
                    return inj
        return None

    def _make_app(self) -> Flask:
        app = Flask("fakeline")

        @app.get("/v2/bot/profile/<user_id>")
        def profile(user_id):
            response = self._profile(user_id)
            with self._lock:
                self.profile_requests.append({"user": user_id, "status": response.status_code})
            return response

        @app.get("/v2/bot/info")
        def bot_info():
            if not self._authorised():
                return _error(401, "Authentication failed")
            return jsonify(userId="U" + "f" * 32, basicId="@000tsunagu", displayName="つなぐ（テスト）",
                           chatMode="bot", markAsReadMode="auto")

        @app.put("/v2/bot/channel/webhook/endpoint")
        def set_endpoint():
            if not self._authorised():
                return _error(401, "Authentication failed")
            endpoint = (request.get_json(silent=True) or {}).get("endpoint", "")
            if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://127.0.0.1")):
                return _error(400, "Invalid webhook endpoint URL")
            self.webhook_endpoint = endpoint
            return jsonify({})

        @app.post("/v2/bot/channel/webhook/test")
        def test_endpoint():
            if not self._authorised():
                return _error(401, "Authentication failed")
            endpoint = (request.get_json(silent=True) or {}).get("endpoint") or self.webhook_endpoint
            return jsonify(self._call_webhook(endpoint))

        @app.get("/v2/bot/richmenu/list")
        def rich_menu_list():
            return jsonify(richmenus=[dict(m["request"], richMenuId=i) for i, m in self.rich_menus.items()])

        @app.post("/v2/bot/richmenu")
        def create_rich_menu():
            if not self._authorised():
                return _error(401, "Authentication failed")
            body = request.get_json(silent=True)
            details = _validate_rich_menu(body)
            if details:
                return _error(400, "The request body has errors", details)
            menu_id = "richmenu-" + secrets.token_hex(16)
            self.rich_menus[menu_id] = {"request": body, "image": None}
            return jsonify(richMenuId=menu_id)

        @app.post("/v2/bot/richmenu/<menu_id>/content")
        def rich_menu_image(menu_id):
            menu = self.rich_menus.get(menu_id)
            if menu is None:
                return _error(404, "Not found")
            if request.content_type not in ("image/png", "image/jpeg"):
                return _error(415, "Unsupported media type")
            data = request.get_data()
            size = _png_size(data)
            want = menu["request"]["size"]
            if size != (want["width"], want["height"]) or len(data) > 1024 * 1024:
                return _error(400, "The image size does not match the rich menu (or is over 1 MB)")
            menu["image"] = data
            return jsonify({})

        @app.post("/v2/bot/user/all/richmenu/<menu_id>")
        def set_default(menu_id):
            if menu_id not in self.rich_menus or self.rich_menus[menu_id]["image"] is None:
                return _error(400, "The rich menu has no image")
            self.default_rich_menu = menu_id
            return jsonify({})

        @app.delete("/v2/bot/richmenu/<menu_id>")
        def delete_rich_menu(menu_id):
            if self.rich_menus.pop(menu_id, None) is None:
                return _error(404, "Not found")
            if self.default_rich_menu == menu_id:
                self.default_rich_menu = None
            return jsonify({})

        @app.get("/_fake/deliveries")
        def deliveries():
            """For a load generator in another process: deliveries from index `after` on;
            with `wait` (seconds, at most 5), the answer waits for at least one, and with
            `gather` (seconds, at most 0.1) a little longer for more: one answer for several
            deliveries instead of one each (the times reported are the deliveries' own)."""
            after = int(request.args.get("after", 0))
            wait = min(5.0, float(request.args.get("wait", 0)))
            gather = min(0.1, float(request.args.get("gather", 0)))
            with self._new_delivery:
                if wait > 0:
                    self._new_delivery.wait_for(lambda: len(self.delivered) > after, timeout=wait)
                arrived = len(self.delivered) > after
            if gather > 0 and arrived:
                time.sleep(gather)
            with self._new_delivery:
                items = [{"to": d["to"], "endpoint": d["endpoint"], "token": token, "at": at}
                         for d, (token, at) in zip(self.delivered[after:], self._delivery_meta[after:])]
                reused = self.reused_reply_tokens
            return jsonify(items=items, next=after + len(items), reused_reply_tokens=reused)

        return app

    def _profile(self, user_id: str) -> Response:
        injection = self._take_injection("profile")
        if injection is not None and injection.delay:
            self._stopping.wait(injection.delay)
        if injection is not None and injection.status is not None:
            return _injected(injection.status)
        if not self._authorised():
            return _error(401, "Authentication failed. Confirm that the access token in the authorization header is valid.")
        with self._lock:
            profile = self.profiles.get(user_id)
        if profile is None:  # not a friend, or blocked: LINE answers 404
            return _error(404, "Not found")
        return jsonify(profile)

    def _authorised(self) -> bool:
        return request.headers.get("Authorization", "") == f"Bearer {self.access_token}"

    def _call_webhook(self, endpoint: str | None) -> dict:
        """What LINE's webhook test does: a signed POST with no events to the endpoint."""
        import requests

        from tests.fakeline.webhook import signed_webhook

        body, signature = signed_webhook(self.channel_secret or "", [])
        try:
            response = requests.post(endpoint, data=body, timeout=5, headers={
                "X-Line-Signature": signature, "Content-Type": "application/json"})
            status, reason = response.status_code, response.reason
        except requests.RequestException as exc:
            status, reason = 0, type(exc).__name__
        return {"success": status == 200, "timestamp": "2026-11-28T00:00:00Z", "statusCode": status,
                "reason": reason, "detail": ""}

    def tap(self, user_id: str, area: int, reply_token: str | None = None) -> dict:
        """The webhook event LINE sends when `user_id` taps area `area` of the default menu."""
        from tests.fakeline.webhook import postback_event, text_event

        action = self.rich_menus[self.default_rich_menu]["request"]["areas"][area]["action"]
        token = reply_token or self.issue_reply_token(user_id)
        if action["type"] == "postback":
            return postback_event(user_id, action["data"], token)
        return text_event(user_id, action["text"], token)

    def answer(self, endpoint: str, authorization: str, retry_key: str | None, body) -> tuple[int, dict, dict]:
        """POST /v2/bot/message/reply or /push, without a web framework (see _MessagesFirst):
        (status, JSON payload, extra headers). `body`: the parsed JSON, None if it was not."""
        status, payload, headers = self._answer(endpoint, authorization, retry_key, body)
        headers["x-line-request-id"] = str(uuid.uuid4())
        with self._lock:
            self.calls.append({"endpoint": endpoint, "status": status})
        return status, payload, headers

    def _answer(self, endpoint: str, authorization: str, retry_key: str | None, body) -> tuple[int, dict, dict]:
        injection = self._take_injection(endpoint)
        if injection is not None and injection.delay:
            self._stopping.wait(injection.delay)
        if injection is not None and injection.status is not None and not injection.deliver:
            return _injected_answer(injection.status)

        if authorization != f"Bearer {self.access_token}":
            return _error_answer(
                401,
                "Authentication failed. Confirm that the access token in the "
                "authorization header is valid.",
            )
        if not isinstance(body, dict):
            return _error_answer(400, "The request body could not be parsed as JSON")

        details = _validate_messages(body.get("messages"))
        target = "replyToken" if endpoint == "reply" else "to"
        if not isinstance(body.get(target), str) or not body.get(target):
            details.insert(0, {"message": "Must not be empty", "property": target})
        if endpoint == "push" and retry_key is not None and not _UUID_RE.match(retry_key):
            return _error_answer(400, "The retry key must be a UUID (X-Line-Retry-Key)")
        if details:
            return _error_answer(400, f"The request body has {len(details)} error(s)", details)

        request_id = str(uuid.uuid4())
        with self._lock:
            if endpoint == "reply":
                token = self._tokens.get(body["replyToken"])
                if token is None and self.any_reply_token and ":" in body["replyToken"]:
                    token = self._tokens[body["replyToken"]] = {
                        "user": body["replyToken"].split(":", 1)[0], "state": "valid"}
                if token is not None and token["state"] == "used":
                    self.reused_reply_tokens += 1
                if token is None or token["state"] != "valid":
                    return _error_answer(400, "Invalid reply token")
                token["state"] = "used"
                to = token["user"]
            else:
                if retry_key is not None and retry_key in self._retry_keys:
                    accepted = self._retry_keys[retry_key]
                    return 409, {"message": "The retry key is already accepted", "sentMessages": []}, {
                        "x-line-accepted-request-id": accepted}
                if retry_key is not None:
                    self._retry_keys[retry_key] = request_id
                to = body["to"]
            # when and with which reply token, for load generators (kept apart: tests compare delivered)
            self._delivery_meta.append((body["replyToken"] if endpoint == "reply" else None, time.time()))
            delivery = {
                "endpoint": endpoint,
                "to": to,
                "messages": body["messages"],
                "retry_key": retry_key if endpoint == "push" else None,
            }
            if body.get("notificationDisabled"):
                delivery["notification_disabled"] = True  # sent silently (no sound or banner)
            self.delivered.append(delivery)
            self._new_delivery.notify_all()
        if injection is not None and injection.status is not None:
            return _injected_answer(injection.status)  # delivered, but the answer says otherwise
        return 200, {
            "sentMessages": [
                {"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(24)}
                for _ in body["messages"]
            ]
        }, {}


class _MessagesFirst:
    """WSGI: POST /v2/bot/message/reply and /push answered here, everything else by the Flask
    app. Under a load test the fake shares the CPUs with what it measures, and Flask's request
    handling was most of the fake's 0.6 ms of CPU per reply (the real LINE costs us nothing)."""

    PATHS = {"/v2/bot/message/reply": "reply", "/v2/bot/message/push": "push"}

    def __init__(self, fake: "FakeLine", app):
        self.fake, self.app = fake, app

    def __call__(self, environ, start_response):
        endpoint = self.PATHS.get(environ.get("PATH_INFO", ""))
        if endpoint is None:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            status, payload, headers = 405, {"message": "Method not allowed"}, {}
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            status, payload, headers = self.fake.answer(
                endpoint, environ.get("HTTP_AUTHORIZATION", ""), environ.get("HTTP_X_LINE_RETRY_KEY"), body)
        data = json.dumps(payload).encode()
        start_response(f"{status} {HTTPStatus(status).phrase}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers.items()])
        return [data]


def _error(status: int, message: str, details: list[dict] | None = None) -> Response:
    return _as_response(*_error_answer(status, message, details))


def _injected(status: int) -> Response:
    return _as_response(*_injected_answer(status))


def _as_response(status: int, payload: dict, headers: dict) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers)
    return response


def _error_answer(status: int, message: str, details: list[dict] | None = None) -> tuple[int, dict, dict]:
    payload: dict = {"message": message}
    if details:
        payload["details"] = details
    return status, payload, {}


def _injected_answer(status: int) -> tuple[int, dict, dict]:
    return _error_answer(status, _INJECTED.get(status, f"Injected failure {status}"))


_INJECTED = {
    429: "You have reached your monthly limit.",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _validate_rich_menu(body) -> list[dict]:
    """The checks LINE makes on a rich menu object that Tsunagu could get wrong."""
    if not isinstance(body, dict):
        return [{"message": "Must be an object", "property": ""}]
    details = []
    size = body.get("size") or {}
    if size.get("width") not in (2500, 1200, 800) or not 250 <= int(size.get("height") or 0) <= 1686:
        details.append({"message": "Invalid size", "property": "size"})
    if not isinstance(body.get("chatBarText"), str) or not 1 <= line_length(body["chatBarText"]) <= 14:
        details.append({"message": "Length must be between 1 and 14", "property": "chatBarText"})
    if not isinstance(body.get("name"), str) or not 1 <= len(body["name"]) <= 300:
        details.append({"message": "Length must be between 1 and 300", "property": "name"})
    areas = body.get("areas")
    if not isinstance(areas, list) or not 1 <= len(areas) <= 20:
        return details + [{"message": "Size must be between 1 and 20", "property": "areas"}]
    for n, area in enumerate(areas):
        action = area.get("action") or {}
        if action.get("type") not in ("postback", "message", "uri"):
            details.append({"message": "Invalid action", "property": f"areas[{n}].action.type"})
        if "label" in action and not 1 <= line_length(str(action["label"])) <= 20:
            details.append({"message": "Length must be between 1 and 20", "property": f"areas[{n}].action.label"})
        if action.get("type") == "postback" and not 1 <= len(str(action.get("data", ""))) <= 300:
            details.append({"message": "Length must be between 1 and 300", "property": f"areas[{n}].action.data"})
        if action.get("type") == "message" and not 1 <= len(str(action.get("text", ""))) <= 300:
            details.append({"message": "Length must be between 1 and 300", "property": f"areas[{n}].action.text"})
    return details


def _validate_messages(messages) -> list[dict]:
    """LINE-style validation of a messages array -> list of {"message", "property"}."""
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return [{"message": "Size must be between 1 and 5", "property": "messages"}]
    details: list[dict] = []

    def bad(message: str, prop: str) -> None:
        details.append({"message": message, "property": prop})

    for i, m in enumerate(messages):
        at = f"messages[{i}]"
        if not isinstance(m, dict) or m.get("type") not in MESSAGE_TYPES:
            bad("Must be one of the following values: " + ", ".join(sorted(MESSAGE_TYPES)),
                f"{at}.type")
            continue
        if m["type"] == "text":
            text = m.get("text")
            if not isinstance(text, str) or not 1 <= line_length(text) <= 5000:
                bad("Length must be between 1 and 5000", f"{at}.text")
        if "quickReply" in m:
            _validate_quick_reply(m["quickReply"], f"{at}.quickReply", bad)
    return details


def _validate_quick_reply(qr, at: str, bad) -> None:
    items = qr.get("items") if isinstance(qr, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= 13:
        bad("Size must be between 1 and 13", f"{at}.items")
        return
    for j, item in enumerate(items):
        where = f"{at}.items[{j}]"
        if not isinstance(item, dict) or item.get("type") != "action":
            bad("Must be one of the following values: action", f"{where}.type")
            continue
        action = item.get("action")
        if not isinstance(action, dict) or action.get("type") not in ACTION_TYPES:
            bad("Must be a valid action", f"{where}.action.type")
            continue
        label = action.get("label")
        if not isinstance(label, str) or not 1 <= line_length(label) <= 20:
            bad("Length must be between 1 and 20", f"{where}.action.label")
        if action["type"] == "postback":
            data = action.get("data")
            if not isinstance(data, str) or not 1 <= line_length(data) <= 300:
                bad("Length must be between 1 and 300", f"{where}.action.data")
            display = action.get("displayText")
            if display is not None and (
                not isinstance(display, str) or not 1 <= line_length(display) <= 300
            ):
                bad("Length must be between 1 and 300", f"{where}.action.displayText")


def main() -> None:
    """Run the fake on its own: `python -m tests.fakeline.server --port 5501 --any-reply-token`."""
    import argparse
    import os

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=5501)
    parser.add_argument("--access-token", default=DEFAULT_ACCESS_TOKEN)
    parser.add_argument("--any-reply-token", action="store_true")
    parser.add_argument("--server", choices=["granian", "waitress"], default=None,
                        help="default: granian where installed (Linux), else waitress")
    args = parser.parse_args()
    print(f"fake LINE on http://127.0.0.1:{args.port}", flush=True)
    server = args.server or ("granian" if _has_granian() else "waitress")
    if server == "granian":
        # one process (the fake's state is in memory), HTTP parsed in Rust: under a load test
        # the fake shares the CPUs with what it measures, and on waitress it cost ~1.5 ms per
        # reply, more than the real LINE costs the product (nothing: it runs elsewhere)
        from granian import Granian
        from granian.constants import Interfaces

        os.environ["FAKE_LINE_ACCESS_TOKEN"] = args.access_token
        os.environ["FAKE_LINE_ANY_REPLY_TOKEN"] = "1" if args.any_reply_token else ""
        Granian("tests.fakeline.server:standalone_app", factory=True, address="127.0.0.1", port=args.port,
                interface=Interfaces.WSGI, workers=1, blocking_threads=32, log_access=False,
                log_enabled=False).serve()
        return
    # waitress, not werkzeug's server: that one closes the connection after every request, so
    # each reply cost a new TCP connection (and a thread) on both sides, as the real API does not
    from waitress import serve

    fake = FakeLine(args.access_token, any_reply_token=args.any_reply_token)
    serve(fake.app, host="127.0.0.1", port=args.port, threads=32, ident="fake-line", _quiet=True)


def standalone_app() -> Flask:
    """The WSGI app of `main()` under granian (which imports it by name in its own process)."""
    import os

    fake = FakeLine(os.environ.get("FAKE_LINE_ACCESS_TOKEN", DEFAULT_ACCESS_TOKEN),
                    any_reply_token=bool(os.environ.get("FAKE_LINE_ANY_REPLY_TOKEN")))
    return fake.app


def _has_granian() -> bool:
    try:
        import granian  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
