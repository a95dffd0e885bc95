"""Staff accounts for the console. Passwords are stored only as argon2 hashes."""
from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Field, SQLModel

from .base import time_field, utcnow

# A closed list: admin, 推進員 (相談支援包括化推進員), 関係機関職員, 閲覧のみ.
ROLES = ("admin", "suishin", "agency", "viewer")

_hasher = PasswordHasher()
# Verified when the username is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("tsunagu: no such staff user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def normalise_username(username: str | None) -> str:
    """Usernames are one case: `ADMIN` and `admin` are the same account, at creation and at login."""
    return (username or "").strip().lower()


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=64)  # lower case (unique on lower() too: 0100)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    agency_id: int | None = Field(default=None, foreign_key="agency.id")  # agency staff: the one agency they work for
    team: str | None = Field(default=None, max_length=16)  # city / shakyo (console/data/case.yaml)
    city_staff: bool = False  # may approve a 支援プラン (the city's approval)
    created_at: datetime = time_field(default_factory=utcnow)
    # set when an admin creates the account or resets its password: the first thing after the
    # next login is choosing a password only its owner knows (console/auth.py)
    must_change_password: bool = False

    def __init__(self, **data):
        if data.get("role") not in ROLES:
            raise ValueError(f"unknown staff role {data.get('role')!r}; expected one of {ROLES}")
        if "username" in data:
            data["username"] = normalise_username(data["username"])
        super().__init__(**data)

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
