"""`tsunagu line setup`: what a city otherwise clicks through in the LINE console, through the
Messaging API (line-bot-sdk v3): the rich menu with a program-drawn image, and the webhook
endpoint set and tested. Re-run it when the wording changes: the old menu is replaced.
"""
from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
    SetWebhookEndpointRequest,
    TestWebhookEndpointRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from urllib3.exceptions import HTTPError as NetworkError
from urllib3.exceptions import MaxRetryError

MENU = Path(__file__).parent / "data" / "rich_menu.yaml"
WIDTH, HEIGHT = 2500, 843  # LINE's large-compact size
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc",
    "C:/Windows/Fonts/meiryo.ttc",
)


REQUEST_TIMEOUT = 10  # seconds for each Messaging API call made here


class SetupError(Exception):
    """A step failed; the message says which and what to do."""


def explain_failure(exc: BaseException, base_url: str) -> str:
    """One line for a failed Messaging API call, label first (as `tsunagu check` prints it):
    the token refused (401/403) is told apart from LINE not reached at all. Never the token."""
    if isinstance(exc, ApiException):
        status = exc.status
        if status in (401, 403):
            return (f"LINE access token refused (HTTP {status}): LINE がアクセストークンを拒否しました。"
                    "LINE Developers コンソールで長期のチャネルアクセストークンを発行し直し、"
                    "LINE_CHANNEL_ACCESS_TOKEN に設定してください")
        if status == 429 or (status or 0) >= 500:
            return (f"LINE API error (HTTP {status}): LINE 側の一時的なエラーです。"
                    "しばらくしてからもう一度実行してください")
        return (f"LINE API error (HTTP {status}{_line_message(exc)}): "
                "LINE がリクエストを受け付けませんでした")
    if isinstance(exc, (NetworkError, OSError)):
        cause = exc.reason if isinstance(exc, MaxRetryError) and exc.reason else exc
        return (f"LINE API unreachable ({type(cause).__name__}): {base_url} に接続できません"
                "（トークンの問題ではありません）。ネットワーク、プロキシ、ファイアウォールと "
                "LINE_API_BASE_URL を確認してください")
    return f"LINE API call failed ({type(exc).__name__}): LINE API の呼び出しに失敗しました"


def _line_message(exc: ApiException) -> str:
    """LINE's own short reason from an error body ({"message": ...}), if there is one."""
    try:
        message = json.loads(exc.body or b"{}").get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {str(message)[:200]}" if message else ""


def menu_definition() -> dict:
    return yaml.safe_load(MENU.read_text(encoding="utf-8"))


def japanese_font(size: int):
    from PIL import ImageFont

    path = os.environ.get("TSUNAGU_FONT") or next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if path is None:
        raise SetupError("no Japanese font found to draw the rich menu: install fonts-ipafont-gothic "
                         "(Debian/Ubuntu) or set TSUNAGU_FONT to a .ttf/.otf/.ttc file")
    return ImageFont.truetype(path, size)


def draw_menu(menu: dict | None = None) -> bytes:
    """The menu image as PNG: one coloured panel per button with its label, white text."""
    from PIL import Image, ImageDraw

    menu = menu or menu_definition()
    buttons = menu["buttons"]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = japanese_font(110)
    width = WIDTH // len(buttons)
    for n, button in enumerate(buttons):
        box = (n * width + 8, 8, (n + 1) * width - 8, HEIGHT - 8)
        draw.rounded_rectangle(box, radius=40, fill=button.get("color", "#1f7a5c"))
        centre = ((box[0] + box[2]) / 2, HEIGHT / 2)
        draw.multiline_text(centre, button["label"], font=_fitting(draw, button["label"], font, width - 80),
                            fill="white", anchor="mm", align="center", spacing=20)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _fitting(draw, label: str, font, max_width: int):
    size = font.size
    while size > 40 and draw.multiline_textbbox((0, 0), label, font=font)[2] > max_width:
        size -= 8
        font = font.font_variant(size=size)
    return font


def rich_menu_request(menu: dict | None = None) -> RichMenuRequest:
    menu = menu or menu_definition()
    width = WIDTH // len(menu["buttons"])
    areas = [{"bounds": {"x": n * width, "y": 0, "width": width, "height": HEIGHT},
              "action": {**button["action"], "label": button["label"].replace("\n", "")[:20]}}
             for n, button in enumerate(menu["buttons"])]
    return RichMenuRequest.from_dict({"size": {"width": WIDTH, "height": HEIGHT}, "selected": True,
                                      "name": menu["name"], "chatBarText": menu["chat_bar_text"], "areas": areas})


@dataclass
class LineSetup:
    base_url: str
    access_token: str

    def _configs(self) -> tuple[Configuration, Configuration]:
        base = self.base_url.rstrip("/")
        data = "https://api-data.line.me" if base == "https://api.line.me" else base  # images go to the data host
        configs = (Configuration(host=base, access_token=self.access_token),
                   Configuration(host=data, access_token=self.access_token))
        for config in configs:
            config.retries = False  # a connection refused is told at once, not after urllib3's retries
        return configs

    @contextmanager
    def _step(self, rejected: str | None = None):
        """Messaging API calls: any failure becomes a SetupError with one line saying what to do.
        `rejected`: the wording when LINE answers 400 (it refused what we sent)."""
        try:
            yield
        except ApiException as exc:
            if rejected and exc.status == 400:
                raise SetupError(f"LINE refused the request (HTTP 400{_line_message(exc)}): {rejected}") from None
            raise SetupError(explain_failure(exc, self.base_url)) from None
        except (NetworkError, OSError, ValueError) as exc:
            raise SetupError(explain_failure(exc, self.base_url)) from None

    def bot_info(self) -> tuple[bool, str]:
        """A harmless call that proves the access token: (True, "LINE access token valid …")
        or (False, why: the token refused, LINE not reached, or LINE's error)."""
        api_config, _ = self._configs()
        try:
            with self._step(), ApiClient(api_config) as client:
                info = MessagingApi(client).get_bot_info(_request_timeout=REQUEST_TIMEOUT)
        except SetupError as exc:
            return False, str(exc)
        return True, f"LINE access token valid (bot {info.display_name}): LINE がアクセストークンを受け付けました"

    def install_rich_menu(self, menu: dict | None = None) -> str:
        """Create the menu, upload its image, make it the default, delete older menus of ours."""
        menu = menu or menu_definition()
        image = draw_menu(menu)
        api_config, data_config = self._configs()
        timeout = {"_request_timeout": REQUEST_TIMEOUT}
        with (self._step(rejected="LINE がリッチメニューを受け付けませんでした（bot/line/data/rich_menu.yaml を確認してください）"),
              ApiClient(api_config) as client, ApiClient(data_config) as data_client):
            api = MessagingApi(client)
            old = [m.rich_menu_id for m in api.get_rich_menu_list(**timeout).richmenus if m.name == menu["name"]]
            menu_id = api.create_rich_menu(rich_menu_request(menu), **timeout).rich_menu_id
            MessagingApiBlob(data_client).set_rich_menu_image(
                menu_id, body=bytearray(image), _headers={"Content-Type": "image/png"}, **timeout)
            api.set_default_rich_menu(menu_id, **timeout)
            for old_id in old:
                api.delete_rich_menu(old_id, **timeout)
        return menu_id

    def set_webhook(self, endpoint: str) -> None:
        """Point LINE at our /callback and ask LINE to call it once; raise if that call failed."""
        api_config, _ = self._configs()
        with ApiClient(api_config) as client:
            api = MessagingApi(client)
            with self._step(rejected=f"LINE が webhook URL {endpoint} を受け付けませんでした。"
                                     "https:// で始まる、インターネットから届く URL（例: https://tsunagu.example.jp/callback）を"
                                     "指定してください"):
                api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=endpoint),
                                         _request_timeout=REQUEST_TIMEOUT)
            with self._step():
                # LINE calls our endpoint and waits for it: more time than for a plain call
                result = api.test_webhook_endpoint(TestWebhookEndpointRequest(endpoint=endpoint),
                                                   _request_timeout=3 * REQUEST_TIMEOUT)
        if not result.success:
            raise SetupError(f"webhook test failed (status {result.status_code} {result.reason}): "
                             f"LINE から {endpoint} を呼び出せませんでした。サーバーが HTTPS で外から届くこと、"
                             "LINE_CHANNEL_SECRET が正しいことを確認してください")
