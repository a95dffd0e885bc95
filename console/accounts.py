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
from models.staff import ROLES, normalise_username, verify_password

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


@cache
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "data" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str | None, username: str | None = None) -> str:
    """The staff password policy (console/data/admin.yaml), kept simple so staff can follow it:
    at least `password_min` characters; not the username (nor containing it); not a common
    password (console/data/common_passwords.txt, also with digits or symbols added at the end);
    at least 4 different characters (no "aaaaaaaaaaaa")."""
    minimum = wording()["password_min"]
    if not password or len(password) < minimum:
        raise AdminError("password_short", min=minimum)
    if len(password) > 1024:
        raise AdminError("password_long")
    lowered = password.lower()
    name = normalise_username(username)
    if name and name in lowered:
        raise AdminError("password_username")
    stem = lowered.rstrip("0123456789!@#$%^&*()-_=+.?~ ")
    if lowered in _common_passwords() or stem in _common_passwords() or len(set(lowered)) < 4 \
            or _a_run_or_a_repeat(lowered):
        raise AdminError("password_common")
    return password


_RUNS = ("qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz", "01234567890", "1qaz2wsx3edc4rfv5tgb6yhn")


def _a_run_or_a_repeat(lowered: str) -> bool:
    """A piece of a keyboard row or of the alphabet (qwertyuiopas), or one word or common
    password said twice or more (tsunagutsunagu): long, and guessed first all the same."""
    if any(lowered in run or lowered in run[::-1] for run in _RUNS):
        return True
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return True
    return any(lowered.startswith(word) and lowered[len(word):].rstrip("0123456789!@#$%^&*()-_=+.?~ ") in
               _common_passwords() for word in _common_passwords() if len(word) >= 4)


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


def find_staff(session: Session, username: str | None) -> StaffUser | None:
    """The account with this username, whatever case it is typed in."""
    name = normalise_username(username)
    return session.exec(select(StaffUser).where(func.lower(StaffUser.username) == name)).first() if name else None


def create_staff(session: Session, actor_id: int | None, username: str, display_name: str, role: str,
                 password: str, agency_id: int | None = None, must_change: bool = True, **extra) -> StaffUser:
    """A new account. The password an admin chose is for the first login only (`must_change`).
    `extra`: further StaffUser fields (team, city_staff) set as given."""
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise AdminError("username")
    if find_staff(session, username) is not None:
        raise AdminError("username_taken")
    if role not in ROLES:
        raise AdminError("role")
    user = StaffUser(username=username, display_name=_display_name(display_name), role=role,
                     password_hash="", agency_id=_agency_for(session, role, agency_id),
                     **{k: v for k, v in extra.items() if hasattr(StaffUser, k)})
    user.set_password(check_password(password, username))
    user.must_change_password = must_change
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
    user.set_password(check_password(password, user.username))
    user.must_change_password = True  # the admin knows it: its owner chooses a new one at the next login
    session.add(user)
    record_event(session, "admin.staff_password", actor_id=actor_id, target_type="staff", target_id=user.id)
    return user


def change_own_password(session: Session, staff_id: int, current: str, new: str, again: str) -> StaffUser:
    """A staff member's own change (パスワードを変える): the current password first. Ends every
    other session of the account (models/staff_session.py); the caller starts a fresh one."""
    user = session.get(StaffUser, staff_id)
    if user is None or not user.active:
        raise AdminError("not_found")
    if not verify_password(user.password_hash, current or ""):
        raise AdminError("password_current_wrong")
    if new != again:
        raise AdminError("password_mismatch")
    if new == current:
        raise AdminError("password_same")
    user.set_password(check_password(new, user.username))
    user.must_change_password = False
    session.add(user)
    session.flush()  # ends the account's open sessions, this one too
    record_event(session, "staff.password_change", actor_id=user.id, target_type="staff", target_id=user.id)
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
