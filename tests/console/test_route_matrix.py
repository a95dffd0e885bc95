"""Every console route × every role: allowed, forbidden or not found. A new route must be
added to ROUTES, or this test fails (so nobody adds a page without deciding who sees it)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from console import cases
from models import Intake, StaffUser
from models.db import session_scope
from tests.console.conftest import login, make_intake

OK, DONE, LOGIN, FORBIDDEN, MISSING = 200, 303, 302, 403, 404
ROLES = ("admin", "suishin", "viewer", "agency", None)

# endpoint -> (method, {role: status on an existing case claimed by suishin})
# DONE: the change was made or refused with a message on the case page (never a 500).
COORD = {"admin": DONE, "suishin": DONE, "viewer": FORBIDDEN, "agency": FORBIDDEN}
ROUTES = {
    # viewer: statistics only (walk finding 11): no case-by-case list
    "console.queue": ("get", {"admin": OK, "suishin": OK, "viewer": FORBIDDEN, "agency": FORBIDDEN}),
    "console.intake": ("get", {"admin": OK, "suishin": OK, "viewer": FORBIDDEN, "agency": FORBIDDEN}),
    "auth.password": ("get", dict.fromkeys(("admin", "suishin", "viewer", "agency"), OK)),  # パスワードを変える
    "counts.index": ("get", {"admin": OK, "suishin": OK, "viewer": OK, "agency": FORBIDDEN}),
    "failed_events.index": ("get", {"admin": OK, "suishin": FORBIDDEN, "viewer": FORBIDDEN, "agency": FORBIDDEN}),
    "failed_events.retry": ("post", {"admin": None, "suishin": FORBIDDEN, "viewer": FORBIDDEN, "agency": FORBIDDEN}),
    **{f"admin.{name}": ("get", {"admin": None, "suishin": FORBIDDEN, "viewer": FORBIDDEN, "agency": FORBIDDEN})
       for name in ("index", "staff", "edit_staff", "agencies", "edit_agency", "settings", "audit")},
    **{f"admin.{name}": ("post", {"admin": None, "suishin": FORBIDDEN, "viewer": FORBIDDEN, "agency": FORBIDDEN})
       for name in ("create_staff", "update_staff", "reset_password", "create_agency", "update_agency")},
    "stats.index": ("get", {"admin": OK, "suishin": OK, "viewer": OK, "agency": FORBIDDEN}),
    "stats.indicators": ("get", {"admin": OK, "suishin": OK, "viewer": OK, "agency": FORBIDDEN}),
    "stats.export_workbook": ("get", {"admin": None, "suishin": None, "viewer": None, "agency": FORBIDDEN}),
    "stats.export_intakes": ("get", {"admin": OK, "suishin": OK, "viewer": FORBIDDEN, "agency": None}),
    # referrals and replies: the coordinator's pages for a case, the agency's inbox; a referral
    # that does not exist is 404 for everyone (another agency's looks the same)
    "referrals.case_referrals": ("get", {"admin": OK, "suishin": OK, "viewer": FORBIDDEN, "agency": FORBIDDEN}),
    "referrals.reply_page": ("get", {"admin": OK, "suishin": OK, "viewer": FORBIDDEN, "agency": FORBIDDEN}),
    **{f"referrals.{name}": ("post", COORD) for name in ("refer", "reply", "silent")},
    "referrals.inbox": ("get", {"admin": FORBIDDEN, "suishin": FORBIDDEN, "viewer": FORBIDDEN, "agency": OK}),
    "referrals.agency_referral": ("get", dict.fromkeys(("admin", "suishin", "viewer", "agency"), MISSING)),
    **{f"referrals.{name}": ("post", dict.fromkeys(("admin", "suishin", "viewer", "agency"), MISSING))
       for name in ("answer", "contact", "withdraw")},
    **{f"case.{name}": ("post", COORD) for name in (
        "claim", "release", "reassign", "triage", "move", "meeting", "plan", "approve", "contact", "close",
        "reopen", "consent_override")},
}
PUBLIC = {"auth.login", "auth.logout", "console_lang.choose"}  # login page; logout needs a session but no role; the English/日本語 switch (a cookie, also before login)


def console_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/console") and r.endpoint != "static"]


def fill(rule, intake_id: int) -> str:
    return (rule.rule.replace("<int:intake_id>", str(intake_id)).replace("<int:plan_id>", "1")
            .replace("<int:row_id>", "999999").replace("<int:staff_id>", "1").replace("<int:agency_id>", "1")
            .replace("<int:referral_id>", "999999").replace("<verb>", "accept"))


def test_every_console_route_is_in_the_table(app):
    endpoints = {r.endpoint for r in console_rules(app)} - PUBLIC
    assert endpoints == set(ROUTES), "decide who may use the new route, then add it to ROUTES"


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(app, client, staff, role):
    intake_id = make_intake()
    with session_scope() as db:
        cases.claim(db, db.get(Intake, intake_id), db.exec(select(StaffUser).where(StaffUser.username == "suishin")).one())
    if role:
        assert login(client, role).status_code == 302
    for rule in console_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        method, expected = ROUTES[rule.endpoint]
        for target, missing in ((intake_id, False), (999_999, True)):
            if missing and "<int:intake_id>" not in rule.rule:
                continue
            # a case form always carries the state it was drawn in (a form without it is a 400)
            response = getattr(client, method)(fill(rule, target), **({"data": {"state": "claimed"}} if method == "post" else {}))
            got = response.status_code
            if role is None:
                want = LOGIN
            elif missing and expected[role] in (OK, DONE):
                want = MISSING
            elif missing:
                want = (FORBIDDEN, MISSING)  # no case and no right: either answer reveals nothing
            else:
                want = expected[role]
            if want is None:
                assert got < 500, (rule.rule, role, got)
            elif isinstance(want, tuple):
                assert got in want, (rule.rule, role, got)
            else:
                assert got == want, (rule.rule, role, got)
            assert got < 500
