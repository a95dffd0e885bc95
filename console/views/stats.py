"""The statistics page, the 評価指標 and the console's downloads: parse the period, one
service call, render or send. Every route asks console.permissions.can(); every download is
audited (models/audit.py)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_login import current_user, login_required

from console import charts, stats, stats_exports
from console.permissions import can
from dialogs import office_hours
from models.audit import record_event
from models.db import session_scope

bp = Blueprint("stats", __name__, url_prefix="/console/stats")


def _need(action: str) -> None:
    if not can(current_user, action):
        abort(403)


@bp.errorhandler(403)
def _forbidden(error):
    """In Japanese, like every other refusal in the console (not Werkzeug's "Forbidden")."""
    from console.views.queue import ERRORS

    return render_template("console/error.html", code=403, message=ERRORS[403]), 403


def _today():
    return datetime.now(timezone.utc).astimezone(office_hours.zone()).date()


def _period() -> stats.Period:
    try:
        return stats.Period.parse(request.args.get("period"), _today())
    except stats.PeriodError:
        abort(400)


def _fiscal_year() -> stats.Period:
    raw = request.args.get("year") or str(stats.fiscal_year_of(_today()))
    try:
        return stats.Period.parse(raw, _today()) if raw.isdigit() and len(raw) == 4 else abort(400)
    except stats.PeriodError:
        abort(400)


def _years(year: int) -> list[stats.Period]:
    """Fiscal years around `year`, never one that has not begun (nothing to count there)."""
    last = min(year + 1, stats.fiscal_year_of(_today()))
    return [stats.Period.fiscal_year(y) for y in range(year - 4, last + 1)]


def _choices(period: stats.Period) -> list[tuple[str, str]]:
    """Fiscal years around the one shown, and the months of the shown fiscal year."""
    year = stats.fiscal_year_of(period.first)
    options = [(p.key, p.shown) for p in _years(year)]
    fy = stats.Period.fiscal_year(year)
    options += [(key, stats.Period.parse(key, fy.first).shown) for key in fy.buckets()]
    return options


@bp.get("/")
@login_required
def index():
    _need("stats.view")
    period = _period()
    with session_scope() as db:
        report = stats.report(db, period, now=datetime.now(timezone.utc))
    return render_template("console/stats.html", r=report, w=stats.wording(), charts=charts,
                           choices=_choices(period))


@bp.get("/indicators")
@login_required
def indicators():
    _need("stats.view")
    period = _fiscal_year()
    with session_scope() as db:
        values = stats.indicators(db, period)
    year = period.first.year
    years = _years(year)
    return render_template("console/stats_indicators.html", period=period, values=values,
                           w=stats.wording(), years=years)


@bp.get("/export/stats.xlsx")
@login_required
def export_workbook():
    _need("stats.export")
    period = _period()
    with session_scope() as db:
        report = stats.report(db, period, now=datetime.now(timezone.utc))
        values = stats.indicators(db, period) if period.kind == "year" else None
        record_event(db, "export", actor_id=current_user.id, target_type="stats.xlsx", target_id=period.key)
    from console import stats_xlsx  # openpyxl only when a workbook is asked for

    data = stats_xlsx.workbook(report, values)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"tsunagu-stats-{period.key}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/export/intakes.csv", defaults={"fmt": "csv"})
@bp.get("/export/intakes.jsonl", defaults={"fmt": "jsonl"})
@login_required
def export_intakes(fmt: str):
    """Intakes as in `tsunagu export` (coordinators and admins), or, for agency staff, only
    the referrals to their own agency."""
    user = current_user._get_current_object()
    if can(user, "export.intakes"):
        scope, body = "intakes", stats_exports.intakes(fmt, actor_id=user.id)
    elif can(user, "export.referrals"):
        scope, body = "referrals", stats_exports.agency_referrals(fmt, user.agency_id, actor_id=user.id)
    else:
        abort(403)
    name = f"tsunagu-{scope}.{fmt}"
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return Response(body.encode("utf-8"), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
