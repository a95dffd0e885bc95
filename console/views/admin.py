"""Admin screens: staff accounts, the agency directory, settings, the audit log.
Parse the form, one service call (console/accounts.py, console/config_store.py), redirect."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from console import accounts, config_store
from console.accounts import AdminError
from console.i18n import t
from console.permissions import can
from console.views.labels import JST
from dialogs import checklist
from models import Agency, AuditEvent, StaffUser
from models.audit import ACTIONS, record_event
from models.db import session_scope

bp = Blueprint("admin", __name__, url_prefix="/console/admin")
AUDIT_PAGE = 100


def _need(action: str) -> None:
    if not can(current_user, action):
        abort(403)


def _done(key: str, **values) -> None:
    flash(t(accounts.wording()["done"][key], **{k: t(v) if isinstance(v, str) else v for k, v in values.items()}), "info")


def _int_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def _staff_extra(form) -> dict:
    """Team and city flag, when the case model has them (console/cases.py)."""
    extra = {}
    if hasattr(StaffUser, "team"):
        extra["team"] = form.get("team") or None
    if hasattr(StaffUser, "city_staff"):
        extra["city_staff"] = form.get("city_staff") == "on"
    return extra


def _get_or_404(db, model, row_id: int):
    """The row, or a 404 page: the one load-or-404 of the admin screens."""
    row = db.get(model, row_id)
    if row is None:
        abort(404)
    return row


def _apply(change, done_key: str, label: str, back: str, then: str):
    """One admin change in one transaction: `change(db)` returns the row. A row that is gone is a
    404 (as opening it would be), a refusal is a message on `back`; success, the done message on `then`."""
    try:
        with session_scope() as db:
            value = getattr(change(db), label)
    except AdminError as error:
        if error.key == "not_found":
            abort(404)
        flash(str(error), "error")
        return redirect(back)
    _done(done_key, **{label: value})
    return redirect(then)


def _staff_page(db, form: dict, status: int = 200):
    users = db.exec(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.id)).all()
    agencies = _agencies(db)
    return render_template("console/admin/staff.html", users=users, agencies=agencies,
                           agency_names={a.id: a.name for a in agencies}, teams=_teams(),
                           roles=accounts.wording()["roles"], form=form), status


def _agencies(db) -> list[Agency]:
    return db.exec(select(Agency).order_by(Agency.active.desc(), Agency.id)).all()


def _teams() -> dict:
    try:
        from console.lifecycle import wording as case_wording
    except ImportError:
        return {}
    return case_wording().get("teams", {})


@bp.get("/")
@login_required
def index():
    _need("admin.staff")
    return redirect(url_for("admin.staff"))


# ---- staff -------------------------------------------------------------------------------

@bp.get("/staff")
@login_required
def staff():
    _need("admin.staff")
    with session_scope() as db:
        return _staff_page(db, {})


@bp.post("/staff")
@login_required
def create_staff():
    _need("admin.staff")
    form = request.form
    try:
        with session_scope() as db:
            user = accounts.create_staff(db, current_user.id, form.get("username", ""), form.get("display_name", ""),
                                         form.get("role", ""), form.get("password", ""),
                                         _int_or_none(form.get("agency_id")), **_staff_extra(form))
            username = user.username
    except AdminError as error:
        flash(str(error), "error")
        with session_scope() as db:
            return _staff_page(db, {k: v for k, v in form.items() if k != "password"}, 400)
    _done("staff_created", username=username)
    return redirect(url_for("admin.staff"))


@bp.get("/staff/<int:staff_id>")
@login_required
def edit_staff(staff_id: int):
    _need("admin.staff")
    with session_scope() as db:
        user = _get_or_404(db, StaffUser, staff_id)
        agencies = _agencies(db)
    return render_template("console/admin/staff_edit.html", user=user, agencies=agencies, teams=_teams(),
                           roles=accounts.wording()["roles"])


@bp.post("/staff/<int:staff_id>")
@login_required
def update_staff(staff_id: int):
    _need("admin.staff")
    form = request.form
    return _apply(lambda db: accounts.update_staff(db, current_user.id, staff_id, form.get("display_name", ""),
                                                   form.get("role", ""), form.get("active") == "on",
                                                   _int_or_none(form.get("agency_id")), **_staff_extra(form)),
                  "staff_updated", "username", url_for("admin.edit_staff", staff_id=staff_id), url_for("admin.staff"))


@bp.post("/staff/<int:staff_id>/password")
@login_required
def reset_password(staff_id: int):
    _need("admin.staff")
    return _apply(lambda db: accounts.reset_password(db, current_user.id, staff_id, request.form.get("password", "")),
                  "password_reset", "username", url_for("admin.edit_staff", staff_id=staff_id),
                  url_for("admin.staff"))


# ---- agency directory --------------------------------------------------------------------

def _items() -> list[tuple[str, str]]:
    return [(i, checklist.item_label(i, "ja")) for i in checklist.item_ids()]


@bp.get("/agencies")
@login_required
def agencies():
    _need("admin.directory")
    with session_scope() as db:
        rows = _agencies(db)
    return render_template("console/admin/agencies.html", agencies=rows, items=_items())


@bp.post("/agencies")
@login_required
def create_agency():
    _need("admin.directory")
    form = request.form
    return _apply(lambda db: accounts.create_agency(db, current_user.id, form.get("code", ""), form.get("name", ""),
                                                    form.getlist("categories"), form.get("contact", ""),
                                                    form.get("note", "")),
                  "agency_created", "name", url_for("admin.agencies"), url_for("admin.agencies"))


@bp.get("/agencies/<int:agency_id>")
@login_required
def edit_agency(agency_id: int):
    _need("admin.directory")
    with session_scope() as db:
        agency = _get_or_404(db, Agency, agency_id)
    return render_template("console/admin/agency_edit.html", agency=agency, items=_items())


@bp.post("/agencies/<int:agency_id>")
@login_required
def update_agency(agency_id: int):
    _need("admin.directory")
    form = request.form
    return _apply(lambda db: accounts.update_agency(db, current_user.id, agency_id, form.get("name", ""),
                                                    form.getlist("categories"), form.get("contact", ""),
                                                    form.get("note", ""), form.get("active") == "on"),
                  "agency_updated", "name", url_for("admin.edit_agency", agency_id=agency_id),
                  url_for("admin.agencies"))


# ---- settings ----------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    _need("admin.settings")
    errors: dict[str, str] = {}
    if request.method == "POST":
        with session_scope() as db:
            for key in config_store.keys():
                if key not in request.form:
                    continue
                try:
                    config_store.set_value(db, key, request.form[key], current_user.id)
                except config_store.SettingError as error:
                    errors[key] = str(error)
            if errors:
                db.rollback()  # all or nothing: a half-saved form would surprise
        if not errors:
            config_store.clear_cache()
            flash(accounts.wording()["done"]["settings_saved"], "info")
            return redirect(url_for("admin.settings"))
    with session_scope() as db:
        values = config_store.all_values(db)
    typed = {k: request.form[k] for k in errors} if errors else {}
    return render_template("console/admin/settings.html", spec=config_store.spec()["settings"], values=values,
                           typed=typed, errors=errors), (400 if errors else 200)


# ---- audit log ---------------------------------------------------------------------------

def _day(raw: str | None) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(raw or "", "%Y-%m-%d").date(), time(0), tzinfo=JST)
    except ValueError:
        return None


@bp.get("/audit")
@login_required
def audit():
    _need("audit.view")
    args = request.args
    filters = {k: (args.get(k) or "").strip()[:64] for k in ("action", "actor", "target_type", "target_id",
                                                              "since", "until")}
    before = _int_or_none(args.get("before"))
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if filters["action"] in ACTIONS:
        query = query.where(AuditEvent.action == filters["action"])
    elif filters["action"]:
        filters["action"] = ""
    if filters["target_type"]:
        query = query.where(AuditEvent.target_type == filters["target_type"])
    if filters["target_id"]:
        query = query.where(AuditEvent.target_id == filters["target_id"])
    if (since := _day(filters["since"])) is not None:
        query = query.where(AuditEvent.at >= since)
    if (until := _day(filters["until"])) is not None:
        query = query.where(AuditEvent.at < until + timedelta(days=1))
    if before is not None:
        query = query.where(AuditEvent.id < before)
    with session_scope() as db:
        staff = {u.id: u for u in db.exec(select(StaffUser))}
        if filters["actor"]:
            wanted = [u.id for u in staff.values() if u.username == filters["actor"].lower()]
            query = query.where(AuditEvent.actor_id.in_(wanted or [-1]))
        rows = db.exec(query.limit(AUDIT_PAGE + 1)).all()
        record_event(db, "audit.view", actor_id=current_user.id)
    more = len(rows) > AUDIT_PAGE
    rows = rows[:AUDIT_PAGE]
    return render_template("console/admin/audit.html", rows=rows, staff=staff, filters=filters,
                           actions=list(dict.fromkeys(ACTIONS)), action_labels=accounts.wording()["audit_actions"],
                           next_before=rows[-1].id if more and rows else None)


def _error(error):
    from console.views.queue import ERRORS

    return render_template("console/error.html", code=error.code, message=ERRORS[error.code]), error.code


for _code in (400, 403, 404):
    bp.register_error_handler(_code, _error)
