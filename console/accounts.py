"""Staff accounts and the agency directory, as the admin screens and `tsunagu staff` change
them. Each function validates, writes and audits in the caller's transaction; a refusal is
AdminError with the message the admin sees (console/data/admin.yaml)."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from dialogs import checklist
from models import Agency, StaffUser
from models.audit import record_event
from models.staff import ROLES

USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
AGENCY_CODE = re.compile(r"^[a-z0-9_]{2,32}$")


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "admin.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


class AdminError(ValueError):
    def __init__(self, key: str, **values):
        self.key = key
        super().__init__(wording()["errors"][key].format(**values))


def check_password(password: str | None) -> str:
    minimum = wording()["password_min"]
    if not password or len(password) < minimum:
        raise AdminError("password_short", min=minimum)
    if len(password) > 1024:
        raise AdminError("password_long")
    return password


def _agency_for(session: Session, role: str, agency_id: int | None) -> int | None:
    if role == "agency":
        if agency_id is None:
            raise AdminError("agency_required")
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise AdminError("unknown_agency")
        return agency.id
    if agency_id is not None:
        raise AdminError("agency_only_for_agency_role")
    return None


def _display_name(value: str | None) -> str:
    value = (value or "").strip()
    if not value or len(value) > 100:
        raise AdminError("display_name")
    return value


def _active_admins(session: Session) -> int:
    return session.exec(select(func.count()).select_from(StaffUser)
                        .where(StaffUser.role == "admin", StaffUser.active)).one()


def create_staff(session: Session, actor_id: int | None, username: str, display_name: str, role: str,
                 password: str, agency_id: int | None = None, **extra) -> StaffUser:
    """A new account. `extra`: further StaffUser fields (team, city_staff) set as given."""
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise AdminError("username")
    if session.exec(select(StaffUser).where(StaffUser.username == username)).first() is not None:
        raise AdminError("username_taken")
    if role not in ROLES:
        raise AdminError("role")
    user = StaffUser(username=username, display_name=_display_name(display_name), role=role,
                     password_hash="", agency_id=_agency_for(session, role, agency_id),
                     **{k: v for k, v in extra.items() if hasattr(StaffUser, k)})
    user.set_password(check_password(password))
    session.add(user)
    session.flush()
    record_event(session, "admin.staff_create", actor_id=actor_id, target_type="staff", target_id=user.id)
    return user


def update_staff(session: Session, actor_id: int | None, staff_id: int, display_name: str, role: str,
                 active: bool, agency_id: int | None = None, **extra) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise AdminError("not_found")
    if role not in ROLES:
        raise AdminError("role")
    if staff_id == actor_id and (not active or role != user.role):
        raise AdminError("self_lockout")
    was_admin = user.role == "admin" and user.active
    user.display_name = _display_name(display_name)
    user.role, user.active = role, active
    user.agency_id = _agency_for(session, role, agency_id)
    for key, value in extra.items():
        if hasattr(StaffUser, key):
            setattr(user, key, value)
    session.add(user)
    session.flush()
    if was_admin and not (user.role == "admin" and user.active) and _active_admins(session) == 0:
        raise AdminError("last_admin")
    record_event(session, "admin.staff_update", actor_id=actor_id, target_type="staff", target_id=user.id)
    return user


def reset_password(session: Session, actor_id: int | None, staff_id: int, password: str) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise AdminError("not_found")
    user.set_password(check_password(password))
    session.add(user)
    record_event(session, "admin.staff_password", actor_id=actor_id, target_type="staff", target_id=user.id)
    return user


# ---- the agency directory ----------------------------------------------------------------

def _agency_fields(name: str, categories: list[str], contact: str, note: str) -> dict:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise AdminError("agency_name")
    contact, note = (contact or "").strip(), (note or "").strip()
    if len(contact) > 300:
        raise AdminError("agency_contact")
    if len(note) > 1000:
        raise AdminError("agency_note")
    known = set(checklist.item_ids())
    if set(categories) - known:
        raise AdminError("unknown_category")
    return {"name": name, "categories": checklist.ordered(list(dict.fromkeys(categories))),
            "contact": contact, "note": note}


def create_agency(session: Session, actor_id: int | None, code: str, name: str, categories: list[str],
                  contact: str = "", note: str = "") -> Agency:
    code = (code or "").strip()
    if not AGENCY_CODE.match(code):
        raise AdminError("agency_code")
    if session.exec(select(Agency).where(Agency.code == code)).first() is not None:
        raise AdminError("agency_code_taken")
    agency = Agency(code=code, **_agency_fields(name, categories, contact, note))
    session.add(agency)
    session.flush()
    record_event(session, "admin.agency_create", actor_id=actor_id, target_type="agency", target_id=agency.id)
    return agency


def update_agency(session: Session, actor_id: int | None, agency_id: int, name: str, categories: list[str],
                  contact: str, note: str, active: bool) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise AdminError("not_found")
    for key, value in _agency_fields(name, categories, contact, note).items():
        setattr(agency, key, value)
    agency.active = active
    session.add(agency)
    record_event(session, "admin.agency_update", actor_id=actor_id, target_type="agency", target_id=agency.id)
    return agency
