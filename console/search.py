"""The queue's search box: a receipt number (ABCD-EFGH, with or without the hyphen, any case),
a phone number or its last digits (090-1234-5678, 5678; the first number or the safe one), or
a name or area as the resident wrote it (山田, 元本郷町). A resident who phones the counter
rarely has the receipt number.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import false, func, or_, select

from models import Intake, Person, Reporter

MAX_LENGTH = 30
_RECEIPT = re.compile(r"[A-Z0-9]{4}-?[A-Z0-9]{4}")
_PHONE = re.compile(r"\+?[\d\s()\-]+")


def normalise(raw: str) -> str:
    """Full-width digits and letters to half-width (０９０ー → 090-), outer spaces off."""
    text = unicodedata.normalize("NFKC", raw).strip()
    dashed = text.replace("ー", "-").replace("−", "-")
    return dashed if _PHONE.fullmatch(dashed) else text


def _digits(q: str) -> str | None:
    """The digits of a phone-like term, when there are at least four of them."""
    if not _PHONE.fullmatch(q):
        return None
    digits = re.sub(r"\D", "", q)
    return digits if len(digits) >= 4 else None


def _receipt(q: str) -> str | None:
    compact = q.upper().replace(" ", "")
    if not _RECEIPT.fullmatch(compact):
        return None
    compact = compact.replace("-", "")
    return f"{compact[:4]}-{compact[4:]}"


def kind(q: str) -> str:
    """What the audit row says was searched for (never the term)."""
    return "receipt" if _receipt(q) and not _digits(q) else "phone" if _digits(q) else "name_or_area"


PHONE_KEYS = ("phone", "arrange_phone")


def _stored(key: str):
    return func.replace(func.replace(Reporter.contact[key].as_string(), "-", ""), " ", "")


def condition(q: str, people: bool):
    """One WHERE clause: any intake whose receipt matches, or (people=True) whose reporter's
    phone contains the digits, or whose reporter's name or person's area contains the words."""
    found = []
    if receipt := _receipt(q):
        found.append(Intake.receipt_no == receipt)
        if not _digits(q):  # letters and digits in the receipt's shape: nobody's name or area
            return found[0]
    if people:
        if digits := _digits(q):
            # the first number, or the safe one given when phone is unsafe (日程などの連絡先)
            found.append(Intake.reporter_id.in_(select(Reporter.id).where(or_(
                *(_stored(key).contains(digits, autoescape=True) for key in PHONE_KEYS)))))
        elif len(q) >= 2:
            found.append(Intake.reporter_id.in_(select(Reporter.id).where(
                Reporter.contact["name"].as_string().contains(q, autoescape=True))))
            found.append(Intake.person_id.in_(select(Person.id).where(Person.area.contains(q, autoescape=True))))
    return or_(*found) if found else false()
