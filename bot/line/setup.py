"""`tsunagu line setup`: what a city otherwise clicks through in the LINE console, through the
Messaging API (line-bot-sdk v3): the rich menu with a program-drawn image, and the webhook
endpoint set and tested. Re-run it when the wording changes: the old menu is replaced.
"""
from __future__ import annotations

import io
import os
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


class SetupError(Exception):
    """A step failed; the message says which and what to do."""


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
        return (Configuration(host=base, access_token=self.access_token),
                Configuration(host=data, access_token=self.access_token))

    def bot_info(self) -> tuple[bool, str]:
        """A harmless call that proves the access token: (True, bot name) or (False, why)."""
        api_config, _ = self._configs()
        try:
            with ApiClient(api_config) as client:
                info = MessagingApi(client).get_bot_info()
            return True, info.display_name
        except ApiException as exc:
            return False, f"HTTP {exc.status}"
        except Exception as exc:  # noqa: BLE001 - network errors
            return False, type(exc).__name__

    def install_rich_menu(self, menu: dict | None = None) -> str:
        """Create the menu, upload its image, make it the default, delete older menus of ours."""
        menu = menu or menu_definition()
        image = draw_menu(menu)
        api_config, data_config = self._configs()
        with ApiClient(api_config) as client, ApiClient(data_config) as data_client:
            api = MessagingApi(client)
            old = [m.rich_menu_id for m in api.get_rich_menu_list().richmenus if m.name == menu["name"]]
            menu_id = api.create_rich_menu(rich_menu_request(menu)).rich_menu_id
            MessagingApiBlob(data_client).set_rich_menu_image(
                menu_id, body=bytearray(image), _headers={"Content-Type": "image/png"})
            api.set_default_rich_menu(menu_id)
            for old_id in old:
                api.delete_rich_menu(old_id)
        return menu_id

    def set_webhook(self, endpoint: str) -> None:
        """Point LINE at our /callback and ask LINE to call it once; raise if that call failed."""
        api_config, _ = self._configs()
        with ApiClient(api_config) as client:
            api = MessagingApi(client)
            api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=endpoint))
            result = api.test_webhook_endpoint(TestWebhookEndpointRequest(endpoint=endpoint))
        if not result.success:
            raise SetupError(f"LINE could not reach {endpoint}: status {result.status_code} {result.reason}; "
                             "check that the server is reachable over HTTPS and LINE_CHANNEL_SECRET is right")
