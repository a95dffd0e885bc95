"""The yardstick: a LINE echo bot written the way line-bot-sdk's Flask example is (v3
WebhookHandler, reply_message inside the request, Flask's own server), pointed at the fake
LINE server. Our own few lines, not the SDK's file.

    python benchmarks/echo_app.py --port 5502 --api http://127.0.0.1:5501 --secret S --token T
"""
from __future__ import annotations

import argparse
import logging

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent


def make_app(secret: str, token: str, api: str) -> Flask:
    app = Flask("echo")
    handler = WebhookHandler(secret)
    configuration = Configuration(host=api, access_token=token)

    @app.post("/callback")
    def callback():
        signature = request.headers["X-Line-Signature"]
        body = request.get_data(as_text=True)
        try:
            handler.handle(body, signature)
        except InvalidSignatureError:
            abort(400)
        return "OK"

    @handler.add(MessageEvent, message=TextMessageContent)
    def echo(event):
        with ApiClient(configuration) as api_client:
            MessagingApi(api_client).reply_message_with_http_info(
                ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text=event.message.text)]))

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5502)
    parser.add_argument("--api", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    make_app(args.secret, args.token, args.api).run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
