"""The 八王子市 checklist: 19 ids, their wording, and the groups shown one at a time."""
from __future__ import annotations

from .texts import load_yaml


def _data() -> dict:
    return load_yaml("checklist.yaml")


def item_ids() -> list[str]:
    return list(_data()["items"])


def item_label(item_id: str, lang: str) -> str:
    return _data()["items"][item_id][lang]


def resident_label(item_id: str, lang: str) -> str:
    """The label a resident reads: plainer words where the form's are hard (債務 → 借金);
    staff, statistics and exports keep the form's wording (item_label) and the ids."""
    return _data().get("plain", {}).get(lang, {}).get(item_id) or item_label(item_id, lang)


def groups() -> list[dict]:
    return _data()["groups"]


def for_crisis(kinds) -> list[str]:
    """The checklist items a crisis kind is about (a disclosed danger is always a worry)."""
    mapping = _data().get("crisis_items", {})
    return ordered(item for kind in kinds for item in mapping.get(kind, ()))


def to_tick(ids) -> list[str]:
    """Guesses ticked for the resident: never その他, which asks them what it is (only a
    resident who ticks it themselves is asked); the guess stays in `suggested`."""
    return [i for i in ordered(ids) if i != "other"]


def first_group(ids) -> int:
    """The page that holds the first of these items (0 when none): the checklist opens where
    the guesses are, not always at お金."""
    first = ordered(ids)[:1]
    return next((n for n, g in enumerate(groups()) if first and first[0] in g["items"]), 0)


def ordered(ids) -> list[str]:
    """Checklist ids in form order, without duplicates or unknown ids."""
    wanted = set(ids)
    return [i for i in item_ids() if i in wanted]


def _check_table() -> None:
    grouped = [i for g in groups() for i in g["items"]]
    if sorted(grouped) != sorted(item_ids()) or len(grouped) != len(set(grouped)):
        raise ValueError("checklist.yaml: every item must be in exactly one group")
    for g in groups():
        if len(g["items"]) + 3 > 13:  # items + next + back + talk-to-a-person
            raise ValueError(f"checklist group {g['id']} too large for a LINE quick reply")
