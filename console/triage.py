"""A suggested triage class (①–④, domain.md) from the checklist, the reporter and the
crisis flags. Only a suggestion: the coordinator records the class with their own reason."""
from __future__ import annotations

from dataclasses import dataclass, field

from console.i18n import t
from console.lifecycle import wording
from console.views import labels


@dataclass(frozen=True)
class Suggestion:
    triage_class: str  # "1".."4"
    reasons: list[str] = field(default_factory=list)
    team: str | None = None  # city for crisis / abuse (Komae, Tachikawa), else no opinion


def suggest(categories: list[str], reporter_role: str, crisis: bool = False,
            crisis_kinds: list[str] | None = None, household: list[str] | None = None) -> Suggestion:
    words = wording()
    reasons_text = words["triage_reasons"]
    fields = {words["triage_fields"].get(c, "other") for c in categories or []}
    real_fields = fields - {"other"}
    reasons: list[str] = []
    if reporter_role == labels.WHO_UNANSWERED:
        reasons.append(t(reasons_text["who_unanswered"]))  # then by the worries, as for 本人
    if labels.is_third_party(reporter_role):
        cls = "4"
        reasons.append(t(reasons_text["third_party"], reporter=t(labels.label(labels.REPORTERS, reporter_role))))
    elif not real_fields:
        cls = "4"
        reasons.append(t(reasons_text["no_field"]))
    elif len(real_fields) >= 3:
        cls = "3"
        reasons.append(t(reasons_text["many_fields"], count=len(real_fields)))
    elif set(household or []) & set(words["household_wide"]) and len(real_fields) >= 2:
        cls = "3"
        wide = [m for m in household if m in words["household_wide"]]
        reasons.append(t(reasons_text["household"], household=t("・").join(labels.choice("household", m) for m in wide)))
    elif len(real_fields) == 2:
        cls = "2"
        reasons.append(t(reasons_text["two_fields"]))
    else:
        cls = "1"
        reasons.append(t(reasons_text["one_field"]))
    team = None
    if crisis or "dv_abuse" in (categories or []):
        kinds = [t(labels.label(labels.CRISIS_KINDS, k)) for k in crisis_kinds or []] or [labels.item("dv_abuse")]
        reasons.append(t(reasons_text["crisis"], kinds=t("・").join(kinds)))
        team = "city"
    return Suggestion(cls, reasons, team)
