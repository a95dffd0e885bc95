"""The agency directory: seeding it from data, and suggesting agencies for an intake.

Suggestions follow the routing rules (console/data/routing.yaml: checklist item -> agency
codes, in order), then any other active agency whose categories - edited by staff in the
directory - include the item. The ◎ item is looked at first. A suggestion is only that:
the coordinator chooses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from sqlmodel import Session, select

from dialogs import checklist
from models import Agency

DATA = Path(__file__).parent / "data"


@cache
def default_directory() -> list[dict]:
    with open(DATA / "directory.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)["agencies"]


@cache
def routing_rules() -> dict[str, list[str]]:
    with open(DATA / "routing.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)["rules"]


def _check_data() -> None:
    """Rules that name an unknown item or agency are rejected when the module loads."""
    items = set(checklist.item_ids())
    codes = [a["code"] for a in default_directory()]
    if len(set(codes)) != len(codes):
        raise ValueError("directory.yaml: an agency code appears twice")
    for agency in default_directory():
        unknown = set(agency["categories"]) - items
        if unknown:
            raise ValueError(f"directory.yaml: {agency['code']} handles unknown items {unknown}")
    for item, targets in routing_rules().items():
        if item not in items:
            raise ValueError(f"routing.yaml: unknown checklist item {item!r}")
        unknown = set(targets) - set(codes)
        if unknown:
            raise ValueError(f"routing.yaml: {item} names unknown agencies {unknown}")


_check_data()


def seed_directory(session: Session) -> int:
    """Add the default agencies that are not there yet (by code); staff edits are kept."""
    known = set(session.exec(select(Agency.code)).all())
    added = 0
    for entry in default_directory():
        if entry["code"] not in known:
            session.add(Agency(code=entry["code"], name=entry["name"], categories=list(entry["categories"]),
                               contact=entry.get("contact", "")))
            added += 1
    session.flush()
    return added


@dataclass
class Suggestion:
    agency: Agency
    items: list[str] = field(default_factory=list)  # the intake's checklist ids that led here
    by_rule: bool = False  # named by a routing rule (else only by the agency's categories)


def suggest(session: Session, categories: list[str], primary: str | None = None) -> list[Suggestion]:
    """Active agencies for these checklist items: rule agencies of ◎ first, then of the others,
    then agencies that list the item among their categories."""
    agencies = session.exec(select(Agency).where(Agency.active).order_by(Agency.id)).all()
    by_code = {a.code: a for a in agencies}
    ordered_items = ([primary] if primary in categories else []) + [c for c in categories if c != primary]
    found: dict[int, Suggestion] = {}

    def add(agency: Agency, item: str, by_rule: bool) -> None:
        suggestion = found.setdefault(agency.id, Suggestion(agency))
        if item not in suggestion.items:
            suggestion.items.append(item)
        suggestion.by_rule = suggestion.by_rule or by_rule

    for item in ordered_items:
        for code in routing_rules().get(item, []):
            if code in by_code:
                add(by_code[code], item, True)
    for item in ordered_items:
        for agency in agencies:
            if item in (agency.categories or []):
                add(agency, item, False)
    return list(found.values())
