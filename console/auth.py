"""Staff login and logout (Flask-Login + a CSRF-protected form, argon2 passwords), and each
staff member's own password change (パスワードを変える), which comes first after an admin set
the password.

Every login and failed login is audited: the staff id, and for a failure the account name
tried (staff data: it shows who is being tried) — or, for a name that is no account, only a
keyed digest of it (console/lockout.py); the password never, and nothing goes to the logs.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from bot.sanitize import clean_text
from console import accounts, lockout, ratelimit, sessions
from console.permissions import can
from models import StaffUser
from models.audit import record_event
from models.db import session_scope
from models.staff import needs_rehash, normalise_username, verify_password

bp = Blueprint("auth", __name__, url_prefix="/console")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "ログインしてください。"
login_manager.login_message_category = "info"

LOGIN_FAILED = "ユーザー名またはパスワードが正しくありません。"
# the same words whether or not the username exists (no way to learn which accounts exist)
LOGIN_LOCKED = "ログインの失敗が続いたため、このユーザー名では しばらくログインできません。15分ほどたってから、もう一度お試しください。"
MUST_CHANGE = "管理者が決めたパスワードでログインしました。続けるには、自分だけが知っている新しいパスワードに変えてください。"
LOCKED = "locked"  # authenticate()'s answer for a locked account


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, detached from any database session."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    agency_id: int | None = None  # agency staff: the agency whose referrals they see
    must_change_password: bool = False  # an admin set the password: change it before anything else

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @classmethod
    def of(cls, user: StaffUser) -> "Staff":
        return cls(user.id, user.username, user.display_name, user.role, user.active, agency_id=user.agency_id,
                   must_change_password=user.must_change_password)


class LoginForm(FlaskForm):
    username = StringField(_l("ユーザー名"), validators=[DataRequired(_l("ユーザー名を入力してください。")), Length(max=64)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(_l("パスワードを入力してください。")), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("いまのパスワード"), validators=[DataRequired(_l("いまのパスワードを入力してください。")),
                                                      Length(max=1024)])
    new = PasswordField(_l("新しいパスワード"), validators=[DataRequired(_l("新しいパスワードを入力してください。")),
                                                   Length(max=1024)])
    again = PasswordField(_l("新しいパスワード（確認のため、もう一度）"),
                          validators=[DataRequired(_l("確認のため、もう一度入力してください。")), Length(max=1024)])


@login_manager.user_loader
def load_staff(user_id: str) -> Staff | None:
    if not user_id.isdigit():
        return None
    with session_scope() as db:
        user = db.get(StaffUser, int(user_id))
        if user is None or not user.active or not sessions.is_live(db, user.id, session.get("staff_sid")):
            return None
        return Staff.of(user)


def authenticate(username: str, password: str) -> tuple[Staff, str] | str | None:
    """(staff, session token) if the password is right and the account active and not locked;
    LOCKED while the username is locked out (existing or not); None otherwise. Audits every
    outcome, with the username typed for a refusal."""
    username = normalise_username(username)[:64]
    # a name with control characters is no account (none can be created with one), and
    # PostgreSQL refuses U+0000 in a query: look nothing up, it fails as an unknown name
    typeable = clean_text(username) == username
    with session_scope() as db:
        user = db.exec(select(StaffUser).where(StaffUser.username == username)).first() if typeable else None
        ok = verify_password(user.password_hash if user else None, password)
        # the name of an existing account is recorded as typed; a name that is no account may be
        # a password typed into the wrong box, so only its keyed digest is (walk 2, B16)
        tried = lockout.recorded_name(username, known=user is not None)
        if lockout.is_locked(db, tried, user.id if user else None, sessions.now()):
            record_event(db, "login_locked", actor_id=user.id if user else None,
                         target_type="username", target_id=tried)
            return LOCKED
        if ok and user.active:
            if needs_rehash(user.password_hash):
                user.set_password(password)
                db.flush()  # ends older sessions (a password change) before this one starts
            record_event(db, "login", actor_id=user.id)
            return Staff.of(user), sessions.start(db, user.id)
        record_event(db, "login_failed", actor_id=user.id if user else None,
                     target_type="username", target_id=tried)
        return None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (no open redirect), and never a control
    character (a line break cannot go into a Location header, and browsers drop tabs and
    line breaks from a URL, which can turn "/", tab, "/host" into another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(c < " " or c == "\x7f" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home(staff) -> str:
    """Where a role starts: agency staff at their referrals, viewers at the statistics, the
    coordinators at the queue."""
    if can(staff, "queue.view"):
        return url_for("console.queue")
    if can(staff, "stats.view"):
        return url_for("stats.index")
    return url_for("referrals.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home(current_user))
    form = LoginForm()
    error = None
    if request.method == "POST":
        with ratelimit.login_attempt():  # 429 for a flood from one address or at one account
            pass
    if form.validate_on_submit():
        outcome = authenticate(form.username.data.strip(), form.password.data)
        if isinstance(outcome, tuple):
            staff, token = outcome
            session.clear()  # a fresh session at the moment of login
            session["staff_sid"] = token
            login_user(staff)
            if staff.must_change_password:
                flash(MUST_CHANGE, "error")
                return redirect(url_for("auth.password"))
            return redirect(safe_next(request.args.get("next")) or home(staff))
        error = LOGIN_LOCKED if outcome == LOCKED else LOGIN_FAILED
    return render_template("console/login.html", form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    with session_scope() as db:
        record_event(db, "logout", actor_id=current_user.id)
        sessions.end(db, session.get("staff_sid"))  # a copied cookie dies with this one
    logout_user()
    session.pop("staff_sid", None)
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """パスワードを変える: every signed-in staff member, the current password first. Other
    sessions of the account end; this browser carries on in a fresh session."""
    form = PasswordChangeForm()
    error = None
    if form.validate_on_submit():
        try:
            with session_scope() as db:
                accounts.change_own_password(db, current_user.id, form.current.data, form.new.data, form.again.data)
                token = sessions.start(db, current_user.id)
        except accounts.AdminError as refusal:
            error = str(refusal)
            with session_scope() as db:
                record_event(db, "staff.password_change_failed", actor_id=current_user.id,
                             target_type="staff", target_id=current_user.id)
        else:
            session["staff_sid"] = token
            flash(accounts.wording()["done"]["password_changed"], "info")
            return redirect(home(current_user))
    return render_template("console/password.html", form=form, error=error,
                           minimum=accounts.wording()["password_min"]), (400 if error else 200)


def _password_change_first():
    """Someone signed in with a password an admin chose does nothing else until they change it."""
    if not request.path.startswith("/console") or request.endpoint in ("auth.password", "auth.logout", "static"):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(_password_change_first)

    @app.context_processor
    def console_context():
        from console import config_store  # the label staff set in 管理 → 設定 (env value is the default)

        signed_in = current_user.is_authenticated
        return {"can": can, "coordinator_label": config_store.cached("coordinator_label"),
                "console_home": home(current_user) if signed_in else url_for("auth.login")}
