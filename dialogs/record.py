"""What a conversation becomes: the structured intake payload and the summary a resident confirms."""
from __future__ import annotations

from . import checklist
from .flow import BY_STATE
from .state import DialogState, State
from .texts import choice_label, load_yaml, text

CONTACT_SLOTS = {
    State.PHONE: "phone",
    State.ADDRESS: "address",
    State.CONTACT_TIME: "contact_time",
    State.CONTACT_SAFETY: "safety",
    State.VOICEMAIL: "voicemail",
    State.ARRANGE: "arrange",
    State.ARRANGE_PHONE: "arrange_phone",
}


def _applies(st: DialogState, state: State) -> bool:
    return BY_STATE[state].applies(st)


def categories(st: DialogState) -> list[str]:
    """What the resident marked, and the dangers they disclosed (a danger is a worry of its
    own, whenever it is told: after the checklist too); the classifier's other guesses are
    kept apart in `suggested` and never count as marked."""
    return checklist.ordered([*st.selected, *checklist.for_crisis(c["kind"] for c in st.crisis)])


def primary(st: DialogState) -> str | None:
    chosen = categories(st)
    if st.primary in chosen:
        return st.primary
    return chosen[0] if len(chosen) == 1 else None


def household(st: DialogState) -> list[str]:
    members = st.answers.get("household")
    if isinstance(members, str):  # one value, from an earlier release
        return [members]
    return list(members or [])


def contact(st: DialogState) -> dict:
    if not _applies(st, State.CONTACT) or "contact" not in st.answers:
        return {}
    record = {"method": st.answers["contact"]}
    for state, key in CONTACT_SLOTS.items():
        slot = BY_STATE[state].slot
        if _applies(st, state) and slot in st.answers:
            record[key] = st.answers[slot]
    if not st.anonymous and st.answers.get("name"):
        record["name"] = st.answers["name"]
    return record


def consents(st: DialogState) -> dict:
    """本人's own answers; a reporter cannot consent for the person, except a professional who
    obtained it from them (recorded as consent by proxy, with who obtained it)."""
    if st.is_self:
        return dict(st.consents)
    proxy = st.answers.get("proxy_record")
    return {"share": proxy} if st.role == "professional" and proxy else {}


def build_intake(st: DialogState, reason: str) -> dict:
    """The neutral intake record the outside world stores (reason: completed / wants_person / crisis)."""
    role = st.role or "anonymous"
    is_reporter = role != "self"
    details = st.answers.get("details")
    other = st.answers.get("other_text")
    free_text = "\n".join([*st.concern, *([f"その他: {other}"] if other else []), *([details] if details else [])])
    return {
        "reason": reason,
        "complete": reason == "completed",
        "lang": st.lang,
        "channel": st.channel,
        "reporter_role": role,
        "anonymous": st.anonymous,
        "reporter_relation": st.answers.get("relation") if is_reporter else None,
        "reporter": {
            "organisation": st.answers.get("org") if role == "professional" else None,
            "person_knows": st.answers.get("person_knows"),
            "keep_identity": st.answers.get("keep_identity") == "keep" if is_reporter and "keep_identity" in st.answers else None,
        },
        "person": {
            "relation": st.answers.get("relation") if is_reporter else "self",
            "age": st.answers.get("age"),
            "area": st.answers.get("area"),
        },
        "household": household(st),
        "categories": categories(st),
        "suggested": checklist.ordered(st.suggested),
        "primary": primary(st),
        "concern": list(st.concern),
        "details": details,
        "other_text": other,
        "free_text": free_text,
        "since": st.answers.get("since"),
        "contact": contact(st),
        "consents": consents(st),
        "crisis": bool(st.crisis),
        "crisis_kinds": sorted({c["kind"] for c in st.crisis}),
        "crisis_evidence": [e for c in st.crisis for e in c["evidence"]],
        "wants_person": reason == "wants_person" or st.wants_person,
        "started_at": st.started_at,
    }


def summary_text(st: DialogState, mask_phone: bool = False) -> str:
    lang = st.lang
    label = lambda key: text(lang, f"summary.{key}")  # noqa: E731
    who = choice_label(lang, "who", st.role)
    if st.anonymous:
        who += " / " + text(lang, "nav.anonymous")
    elif st.answers.get("name"):
        who += f" / {st.answers['name']}"
    lines = [f"■{label('who')}: {who}"]
    about = []
    if st.role != "self":
        about.append(choice_label(lang, "relation", st.answers.get("relation")))
    if st.answers.get("age"):
        about.append(choice_label(lang, "age", st.answers.get("age")))
    if st.answers.get("area"):
        about.append(st.answers["area"])
    if about:
        lines.append(f"■{label('about')}: " + " / ".join(about))
    members = household(st)
    if members:
        lines.append(f"■{label('household')}: " + text(lang, "list_sep").join(choice_label(lang, "household", m) for m in members))
    chosen = categories(st)
    main = primary(st)
    marks = [("◎" if cid == main else "〇") + checklist.resident_label(cid, lang) for cid in chosen]
    lines.append(f"■{label('worries')}: " + (text(lang, "list_sep").join(marks) if marks else label("none")))
    if st.concern:
        lines.append(f"■{label('concern')}: " + _short(" ".join(st.concern)))
    if st.answers.get("details"):
        lines.append(f"■{label('details')}: " + _short(st.answers["details"]))
    lines.append(f"■{label('since')}: {choice_label(lang, 'since', st.answers.get('since'))}")
    how = contact(st)
    if how:
        parts = [choice_label(lang, "contact", how["method"])]
        if "phone" in how:
            parts.append(_masked(how["phone"]) if mask_phone else how["phone"])
        if "address" in how:
            parts.append(_short(how["address"], 60))
        if "contact_time" in how:
            office = load_yaml("office.yaml")
            parts.append(choice_label(lang, "contact_time", how["contact_time"]).format(
                open=office["open"], close=office["close"]))
        safety = "contact_safety_letter" if how["method"] == "letter" else "contact_safety"
        for slot, choices_name in (("safety", safety), ("voicemail", "voicemail")):
            if slot in how:
                parts.append(choice_label(lang, choices_name, how[slot]))
        lines.append(f"■{label('contact')}: " + " / ".join(parts))
        if "arrange" in how:
            arrange = choice_label(lang, "arrange", how["arrange"])
            if how.get("arrange_phone"):
                phone = how["arrange_phone"]
                arrange += " / " + (_masked(phone) if mask_phone else phone)
            lines.append(f"■{label('arrange')}: {arrange}")
    if st.answers.get("keep_identity") and st.role != "self":
        lines.append(f"■{label('keep_identity')}: {choice_label(lang, 'keep_identity', st.answers['keep_identity'])}")
    if st.is_self:
        def yes_no(purpose: str) -> str:
            return label("yes") if st.consents.get(purpose, {}).get("granted") else label("no")
        consent_line = f"■{label('consent')}: {label('consent_share')} {yes_no('share')}"
        if "meeting" in st.consents:
            consent_line += f" / {label('consent_meeting')} {yes_no('meeting')}"
        lines.append(consent_line)
    return "\n".join(lines)


def _masked(phone: str) -> str:
    """On a shared device, 続きから shows only the last digits."""
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def _short(value: str, limit: int = 200) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
