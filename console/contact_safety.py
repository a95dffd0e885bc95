"""Before anyone phones or visits: the resident's own safety instructions (連絡の注意, 留守電,
withdrawn contact consent, a reporter who must stay unnamed), as highlighted cautions.

Whoever sees a phone number or address sees these with it: the coordinator's case page and
the agency's referral page both ask `cautions()`. A question never answered (the resident
asked for a person mid-way, or an intake closed early for a crisis) is a caution too: safety
unknown is not safety confirmed."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

# methods that reach the person where others may hear or see (a call, a knock on the door)
REACHING = frozenset({"phone", "visit"})
NOT_GIVEN = frozenset({"declined", "withdrawn"})


@cache
def wording() -> dict:
    with open(Path(__file__).parent / "data" / "contact.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def cautions(contact: dict | None, consents: dict[str, str] | None = None,
             keep_identity: bool | None = None) -> list[str]:
    """The cautions, most serious first. `contact`: the reporter's contact dict (method,
    phone, safety, voicemail, ...); `consents`: {purpose: newest action}."""
    contact, consents = contact or {}, consents or {}
    texts = wording()["cautions"]
    found: list[str] = []
    reaches = contact.get("method") in REACHING or bool(contact.get("phone") or contact.get("address"))
    safety = contact.get("safety")
    if safety in ("unsafe", "discreet"):
        # for a letter the same answers are about the post (封筒に 市の名前を…, 手紙も あぶない)
        found.append(texts[f"{safety}_letter" if contact.get("method") == "letter" else safety])
        if safety == "unsafe" and contact.get("arrange") == "phone" and contact.get("arrange_phone"):
            found.append(texts["safe_phone"])  # which of the two numbers to call
    elif reaches and not safety:
        found.append(texts["safety_not_asked"])
    if consents.get("contact") in NOT_GIVEN:
        found.append(texts["contact_withdrawn"])
    if contact.get("phone"):
        voicemail = contact.get("voicemail")
        if voicemail == "no" or consents.get("voicemail") in NOT_GIVEN:
            found.append(texts["no_voicemail"])
        elif voicemail != "yes":
            found.append(texts["voicemail_not_asked"])
    if keep_identity:
        found.append(texts["keep_identity"])
    return found
