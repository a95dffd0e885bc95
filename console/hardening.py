"""App-wide protections: body size limit, security headers, private error logs, kind 413/429.

One module so a reviewer finds them together; `create_app` calls `init_app` once.
"""
from __future__ import annotations

import logging
import os
import secrets
from functools import cache
from pathlib import Path

import yaml

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from workers.errors import describe

log = logging.getLogger("tsunagu.errors")

# The web chat sends at most 5,000 characters (30 KB even as \uXXXX escapes) and console
# forms are smaller still, so 64 KiB is ample and stops a client making us buffer
# megabytes. POST /callback raises its own limit for LINE's batches (bot/line/webhook.py).
MAX_BODY_BYTES = 64 * 1024


class TsunaguFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """Flask logs "Exception on /path" with the full message, which can quote what a
        resident typed; log the type, where it was raised and the route only."""
        exc = exc_info[1]
        log.error("exception on %s %s: %s", request.method, request.url_rule or "?", describe(exc))


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _security_headers(response):
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "  # templates carry their own <style> blocks
        "img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    # every page and answer may carry a resident's words: no browser or proxy keeps a copy
    response.headers["Cache-Control"] = "no-store"
    response.headers["Server"] = "tsunagu"
    return response


def _wants_json() -> bool:
    return request.path.startswith("/chat/api/") or request.is_json


def trusted_proxies(env=None) -> int:
    """TSUNAGU_TRUSTED_PROXIES: how many reverse proxies in front of us may set
    X-Forwarded-For/-Proto (so rate limits see the resident's address, not the proxy's)."""
    raw = (os.environ if env is None else env).get("TSUNAGU_TRUSTED_PROXIES") or "0"
    if not raw.isdigit():
        raise ValueError(f"TSUNAGU_TRUSTED_PROXIES must be a whole number, got {raw!r}")
    return int(raw)


def init_app(app: Flask) -> None:
    if hops := trusted_proxies():
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_security_headers)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc):
        if _wants_json():  # the chat's words: the message was refused unread, so the numbers go with it
            chat = request.path.startswith("/chat/")
            return jsonify(error="too large", message=_kind("too_large_chat" if chat else "too_large")), 413
        return render_template("console/error.html", message=_kind("too_large"), code=413), 413

    @app.errorhandler(429)
    def too_many(_exc):
        if _wants_json():
            return jsonify(error="too many requests", message=_kind("too_many"),
                           messages=_numbers_if_crisis()), 429
        staff = request.path.startswith("/console")  # staff get staff words, not the residents' chat text
        return render_template("console/error.html", message=_kind("too_many_staff" if staff else "too_many"),
                               code=429), 429

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return exc
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise exc  # tests see the real traceback unless they test this page
        app.log_exception((type(exc), exc, exc.__traceback__))
        if _wants_json():
            return jsonify(error="internal error", message=_kind("error")), 500
        return render_template("console/error.html", message=_kind("error"), code=500), 500


def _numbers_if_crisis() -> list[dict]:
    """Even a refused chat message that reads as a crisis is answered with the numbers."""
    from bot.sanitize import json_body

    body = json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return []
    from bot.sanitize import clean_text
    from dialogs.crisis_reply import emergency_reply

    return [m.to_dict() for m in emergency_reply(clean_text(body["text"])[:5000])]


@cache
def _edge_texts() -> dict:
    return yaml.safe_load((Path(__file__).parent / "data" / "edge.yaml").read_text(encoding="utf-8"))


def _kind(key: str) -> str:
    return _edge_texts()[key]
