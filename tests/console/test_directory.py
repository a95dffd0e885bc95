"""The agency directory as data: seeded once, suggested from an intake's checklist by rules."""
from __future__ import annotations

from console.directory import default_directory, routing_rules, seed_directory, suggest
from dialogs import checklist
from models import Agency
from models.db import session_scope


def test_every_checklist_item_has_a_routing_rule():
    assert set(routing_rules()) == set(checklist.item_ids())


def test_seed_is_idempotent_and_keeps_staff_edits(app):
    with session_scope() as db:
        assert seed_directory(db) == len(default_directory())
        agency = db.exec(Agency.__table__.select().where(Agency.code == "kodomo")).first()
        db.get(Agency, agency.id).name = "こども家庭センター"
    with session_scope() as db:
        assert seed_directory(db) == 0
        assert db.get(Agency, agency.id).name == "こども家庭センター"


def _names(session, categories, primary=None):
    return [s.agency.code for s in suggest(session, categories, primary)]


def test_suggestions_follow_the_rules_primary_first(app):
    with session_scope() as db:
        seed_directory(db)
        assert _names(db, ["rent_loan"])[:2] == ["seikatsu", "kyoju"]
        assert _names(db, ["caregiving"])[0] == "anshin"
        assert _names(db, ["childcare"])[0] == "kodomo"
        assert _names(db, ["dv_abuse"])[:2] == ["danjo", "kodomo"]
        assert _names(db, ["income", "caregiving"], primary="caregiving")[0] == "anshin"


def test_inactive_agencies_are_not_suggested_and_edited_categories_count(app):
    with session_scope() as db:
        seed_directory(db)
        for agency in db.exec(Agency.__table__.select()).all():
            row = db.get(Agency, agency.id)
            if row.code == "danjo":
                row.active = False
            if row.code == "hachimaru":
                row.categories = [*row.categories, "dv_abuse"]
    with session_scope() as db:
        codes = _names(db, ["dv_abuse"])
        assert "danjo" not in codes
        assert codes[0] == "kodomo" and "hachimaru" in codes  # rule first, then by category
