"""What a conversation becomes: the structured intake payload and the summary a resident confirms."""
from __future__ import annotations

from . import checklist
from .flow import BY_STATE
from .state import DialogState, State
from .texts import choice_label, text

CONTACT_SLOTS = {
    State.PHONE: "phone",
    State.ADDRESS: "address",
    State.CONTACT_TIME: "contact_time",
    State.VOICEMAIL: "voicemail",
}


def _applies(st: DialogState, state: State) -> bool:
    return BY_STATE[state].applies(st)


def categories(st: DialogState) -> list[str]:
    """Confirmed marks; suggestions count only if the resident never reached the checklist."""
    chosen = checklist.ordered(st.selected)
    if chosen or "checklist_done" in st.answers or "suggest" in st.answers:
        return chosen
    return checklist.ordered(st.suggested)


def primary(st: DialogState) -> str | None:
    chosen = categories(st)
    if st.primary in chosen:
        return st.primary
    return chosen[0] if len(chosen) == 1 else None


def contact(st: DialogState) -> dict:
    if not _applies(st, State.CONTACT) or "contact" not in st.answers:
        return {}
    record = {"method": st.answers["contact"]}
    for state, slot in CONTACT_SLOTS.items():
        if _applies(st, state) and slot in st.answers:
            record[slot] = st.answers[slot]
    return record


def build_intake(st: DialogState, reason: str) -> dict:
    """The neutral intake record the outside world stores (reason: completed / wants_person / crisis)."""
    role = st.role or "anonymous"
    is_reporter = role != "self"
    details = st.answers.get("details")
    free_text = "\n".join([*st.concern, *([details] if details else [])])
    return {
        "reason": reason,
        "complete": reason == "completed",
        "lang": st.lang,
        "channel": st.channel,
        "reporter_role": role,
        "reporter_relation": st.answers.get("relation") if is_reporter else None,
        "person": {
            "age": st.answers.get("age") if is_reporter else None,
            "area": st.answers.get("area") if is_reporter else None,
        },
        "household": st.answers.get("household"),
        "categories": categories(st),
        "suggested": checklist.ordered(st.suggested),
        "primary": primary(st),
        "concern": list(st.concern),
        "details": details,
        "free_text": free_text,
        "since": st.answers.get("since"),
        "contact": contact(st),
        # a reporter cannot consent for the person: their report has consent "not yet"
        "consents": dict(st.consents) if role == "self" else {},
        "crisis": bool(st.crisis),
        "crisis_kinds": sorted({c["kind"] for c in st.crisis}),
        "crisis_evidence": [e for c in st.crisis for e in c["evidence"]],
        "wants_person": reason == "wants_person" or st.wants_person,
        "started_at": st.started_at,
    }


def summary_text(st: DialogState) -> str:
    lang = st.lang
    label = lambda key: text(lang, f"summary.{key}")  # noqa: E731
    lines = [f"■{label('who')}: {choice_label(lang, 'who', st.role)}"]
    if st.role != "self":
        about = [choice_label(lang, "relation", st.answers.get("relation")),
                 choice_label(lang, "age", st.answers.get("age"))]
        if st.answers.get("area"):
            about.append(st.answers["area"])
        lines.append(f"■{label('about')}: " + " / ".join(about))
    chosen = categories(st)
    main = primary(st)
    marks = [("◎" if cid == main else "〇") + checklist.item_label(cid, lang) for cid in chosen]
    lines.append(f"■{label('worries')}: " + ("、".join(marks) if marks else label("none")))
    if st.concern:
        lines.append(f"■{label('concern')}: " + _short(" ".join(st.concern)))
    if st.answers.get("details"):
        lines.append(f"■{label('details')}: " + _short(st.answers["details"]))
    lines.append(f"■{label('since')}: {choice_label(lang, 'since', st.answers.get('since'))}")
    how = contact(st)
    if how:
        parts = [choice_label(lang, "contact", how["method"])]
        if "phone" in how:
            parts.append(how["phone"])
        if "contact_time" in how:
            parts.append(choice_label(lang, "contact_time", how["contact_time"]))
        lines.append(f"■{label('contact')}: " + " / ".join(parts))
    if st.is_self:
        yes_no = lambda p: label("yes") if st.consents.get(p, {}).get("granted") else label("no")  # noqa: E731
        lines.append(
            f"■{label('consent')}: {label('consent_share')} {yes_no('share')} / "
            f"{label('consent_meeting')} {yes_no('meeting')}"
        )
    return "\n".join(lines)


def _short(value: str, limit: int = 200) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
