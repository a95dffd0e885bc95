"""The Flask app factory: a short list of init steps, settings from the environment."""
from __future__ import annotations

import os
import secrets
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from flask import Flask, redirect, url_for
from flask_wtf.csrf import CSRFProtect

from console import hardening, ratelimit
from console.settings import SECRET_KEY_ADVICE, Settings, SettingsError
from models.db import default_url
from models.migrate import upgrade
from workers import runtime
from workers.jobs import make_jobs

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
csrf = CSRFProtect()


def create_app(settings: Settings | None = None, jobs=None, instance_path: str | None = None,
               generate_secret: bool = False) -> Flask:
    settings = settings or Settings.from_env()
    # the instance folder (SQLite file of the embedded default) is ./instance unless given
    app = hardening.TsunaguFlask("tsunagu", template_folder=str(TEMPLATES),
                instance_path=instance_path or os.path.abspath("instance"))
    if not settings.database_url:
        settings = replace(settings, database_url=default_url(app.instance_path))
    if not settings.secret_key:
        if not generate_secret:
            raise SettingsError([("SECRET_KEY", f"未設定: {SECRET_KEY_ADVICE}"
                                               "（not set: tsunagu demo makes its own; production must set it）")])
        settings = replace(settings, secret_key=secrets.token_hex(32))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TSUNAGU=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        JSON_AS_ASCII=False,
        # only ever used if something marks a session permanent: staff sessions idle out
        # server-side after 30 minutes anyway (console/sessions.py), chat ones are browser-only
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=30),
    )
    app.json.ensure_ascii = False

    upgrade(settings.database_url)
    intervals = list(settings.job_retry_intervals) if settings.job_retry_intervals is not None else None
    runtime.configure(settings, jobs if jobs is not None else make_jobs(settings.redis_url, intervals))
    csrf.init_app(app)
    hardening.init_app(app)
    ratelimit.init_app(app, settings.redis_url)

    from bot.web import chat

    app.register_blueprint(chat.bp)

    from console import auth, i18n
    from console.views import cases, counts, failed_events, queue

    i18n.init_app(app)  # before any template is compiled: the catalog filter is part of them
    auth.init_app(app)
    app.register_blueprint(queue.bp)
    app.register_blueprint(failed_events.bp)
    from bot.web import replies as web_replies
    from console.views import admin, referrals

    app.register_blueprint(admin.bp)
    from console.views import stats as stats_views

    app.register_blueprint(stats_views.bp)
    app.register_blueprint(referrals.bp)
    app.register_blueprint(web_replies.bp)  # staff replies waiting for a web-chat resident
    app.register_blueprint(cases.bp)
    app.register_blueprint(counts.bp)
    if settings.line_enabled:
        from bot.line import webhook

        # answered before Flask (and so without CSRF: LINE proves itself with the signature)
        app.wsgi_app = webhook.WebhookFirst(app.wsgi_app, settings.line_channel_secret)

    @app.get("/")
    def index():
        return redirect(url_for("web_chat.page"))  # residents arrive at the chat; staff use /console/

    from console import ops

    app.register_blueprint(ops.bp)  # /healthz, /metrics

    return app
