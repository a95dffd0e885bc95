"""Staff accounts: create, reset, and the demo logins."""
from __future__ import annotations

from sqlmodel import Session, select

from models import Agency, StaffUser
from models.staff import normalise_username
from models.db import session_scope

DEMO_STAFF = (
    ("admin", "管理者（デモ）", "admin"),
    ("suishin", "推進員（デモ）", "suishin"),
    ("agency", "関係機関職員（デモ）", "agency"),
    ("viewer", "閲覧者（デモ）", "viewer"),
)
DEMO_AGENCY = "seikatsu"  # the demo agency account works at 生活自立支援課 (console/data/directory.yaml)


def upsert_staff(session: Session, username: str, display_name: str, role: str, password: str) -> StaffUser:
    """Create the account, or reset its name, role and password and make it active again."""
    user = session.exec(select(StaffUser).where(StaffUser.username == normalise_username(username))).first()
    if user is None:  # the demo's printed logins work as printed: no forced change (must_change_password False)
        user = StaffUser(username=username, display_name=display_name, role=role, password_hash="")
    else:
        user.display_name, user.role, user.active = display_name, role, True
    user.set_password(password)
    session.add(user)
    return user


def missing_demo_staff() -> list[str]:
    """Demo usernames with no account yet (the ones seed_demo_staff would create)."""
    with session_scope() as session:
        taken = set(session.exec(select(StaffUser.username)).all())
    return [username for username, _, _ in DEMO_STAFF if username not in taken]


def seed_demo_staff(password: str) -> list[str]:
    """The agency directory and the demo accounts admin, suishin, agency, viewer. A missing
    account is created with `password`; an existing one is left exactly as it is (its
    password, and deactivated stays deactivated): restarting the demo must not undo an
    admin's decision. Idempotent."""
    from console.directory import seed_directory

    if not password:
        raise ValueError("demo staff need a password")
    with session_scope() as session:
        seed_directory(session)
        agency = session.exec(select(Agency).where(Agency.code == DEMO_AGENCY)).first()
        for username, display_name, role in DEMO_STAFF:
            user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
            if user is None:
                user = upsert_staff(session, username, display_name, role, password)
            if role == "agency" and user.agency_id is None and agency is not None:
                user.agency_id = agency.id
    return [username for username, _, _ in DEMO_STAFF]
