"""The statistics page (counts only, no personal data): parse the period, one service call,
render. Viewer role and up, through console.permissions.can()."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from console import charts, stats
from console.permissions import can
from dialogs import office_hours
from models.db import session_scope

bp = Blueprint("stats", __name__, url_prefix="/console/stats")


def _need(action: str) -> None:
    if not can(current_user, action):
        abort(403)


def _period() -> stats.Period:
    today = datetime.now(timezone.utc).astimezone(office_hours.zone()).date()
    try:
        return stats.Period.parse(request.args.get("period"), today)
    except stats.PeriodError:
        abort(400)


def _choices(period: stats.Period) -> list[tuple[str, str]]:
    """Fiscal years around the one shown, and the months of the shown fiscal year."""
    year = stats.fiscal_year_of(period.first)
    options = [(p.key, p.label) for p in (stats.Period.fiscal_year(y) for y in range(year - 4, year + 2))]
    fy = stats.Period.fiscal_year(year)
    options += [(key, stats.Period.parse(key, fy.first).label) for key in fy.buckets()]
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
