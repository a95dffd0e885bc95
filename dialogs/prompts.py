"""Turn the current state into the question a resident sees (text + buttons)."""
from __future__ import annotations

from datetime import datetime

from . import checklist
from .flow import BY_STATE, SIDE_STATES, WITHDRAW_GROUPS
from .messages import Choice, Message
from .office_hours import web_chat_reaches_staff
from .record import summary_text
from .state import DialogState, State
from .texts import choices, load_yaml, text, wording

CHECK_MARK = "✓ "


def value(state: State, raw: str) -> str:
    """Button values carry their question, so a stale button from an old message is recognised."""
    return f"{state.value}:{raw}"


def nav(lang: str, name: str) -> Choice:
    return Choice(wording(lang)["nav"][name], f"nav:{name}")


def page_size() -> int:
    return load_yaml("flow.yaml")["page_size"]


def consent_wording(purpose: str, lang: str, coordinator: str, operator: str = "") -> str:
    operator = operator or text(lang, "operator_default")  # unset: "the city" in the resident's language
    return load_yaml("consent.yaml")["purposes"][purpose][lang].format(coordinator=coordinator, operator=operator)


def consent_version() -> str:
    return load_yaml("consent.yaml")["version"]


def ask(st: DialogState, coordinator: str, operator: str = "") -> list[Message]:
    lang = st.lang
    prompt, buttons = _question(st, coordinator, operator)
    if st.state not in SIDE_STATES and st.state is not State.WHO and st.history:
        buttons.append(nav(lang, "back"))
    if st.crisis and st.state not in SIDE_STATES:
        buttons.append(nav(lang, "human"))
    if st.state is State.WHO and not st.history:
        buttons.append(nav(lang, "language"))
    return [Message(prompt, tuple(buttons))]


def _question(st: DialogState, coordinator: str, operator: str) -> tuple[str, list[Choice]]:
    lang, state = st.lang, st.state
    q = BY_STATE.get(state)
    if state is State.CHECKLIST:
        return _checklist_group(st)
    if state is State.PRIMARY:
        return _primary(st)
    if state is State.HOUSEHOLD:
        return _household(st)
    if state in (State.CONSENT_SHARE, State.CONSENT_MEETING):
        wording_text = consent_wording(q.slot, lang, coordinator, operator)
        prompt = wording_text + "\n" + text(lang, "prompts.consent_note")
        return prompt, _buttons(state, lang, "consent")
    if state is State.CONFIRM:
        # the web chat may be a shared device (a library PC), and 続きから may be someone else:
        # only the last digits; LINE is the resident's own phone
        summary = summary_text(st, mask_phone=st.resumed or st.channel != "line")
        return text(lang, "prompts.confirm", summary=summary), _buttons(state, lang, "confirm")
    if state is State.EDIT:
        hidden = () if st.is_self else ("consent",)
        return text(lang, "prompts.edit"), _buttons(state, lang, "edit", hidden)
    if state is State.WITHDRAW_CONFIRM:  # only what was given (older states did not track it: all)
        hidden = tuple(group for group, purposes in WITHDRAW_GROUPS.items()
                       if st.granted and group != "all" and not set(purposes) & set(st.granted))
        return text(lang, "prompts.withdraw_confirm"), _buttons(state, lang, "withdraw_confirm", hidden)
    if state in (State.QUIT_CONFIRM, State.RESUME):
        return text(lang, f"prompts.{state.value}"), _buttons(state, lang, state.value)
    if state is State.CONCERN:
        key = "concern_more" if st.concern else ("concern_self" if st.is_self else "concern_other")
        return text(lang, f"prompts.{key}"), [nav(lang, "none")]
    if state is State.CONTACT:
        # each channel offers itself: このLINEで on LINE, このチャットで on the web
        hidden = _other_channel(st)
        if st.wants_person:  # they asked for a person: 連絡はいらない makes no sense here
            hidden = (*hidden, "none")
        return text(lang, "prompts.contact"), _buttons(state, lang, "contact", hidden)
    if state is State.RELATION:  # a neighbour is not offered 親 / 子ども
        hidden = tuple(c["value"] for c in wording(lang)["choices"]["relation"] if st.role not in c["roles"])
        return text(lang, "prompts.relation"), _buttons(state, lang, "relation", hidden)
    if state is State.ARRANGE:
        hidden = _other_channel(st)
        reason = "arrange_unsafe" if st.answers.get("contact_safety") == "unsafe" else "arrange_visit"
        if reason == "arrange_unsafe" and st.answers.get("contact") == "letter":
            reason = "arrange_unsafe_letter"
        return text(lang, f"prompts.{reason}"), _buttons(state, lang, "arrange", hidden)
    if state is State.ARRANGE_PHONE:  # another number than one where calling is unsafe
        return text(lang, "prompts.phone"), []
    if state is State.ADDRESS and st.answers.get("contact") == "letter":
        return text(lang, "prompts.address_letter"), []
    if state is State.CONTACT_TIME:
        return text(lang, "prompts.contact_time"), _contact_times(lang)
    if state is State.CONTACT_SAFETY and st.answers.get("contact") == "letter":  # the post, not calls
        return text(lang, "prompts.contact_safety_letter"), _buttons(state, lang, "contact_safety_letter")
    if state is State.NAME:
        key = "name_self" if st.is_self else "name_other"
        return text(lang, f"prompts.{key}"), [nav(lang, "anonymous")]
    key = f"{state.value}_self" if st.is_self and f"{state.value}_self" in wording(lang)["prompts"] else state.value
    if q.kind == "text":
        return text(lang, f"prompts.{key}"), ([nav(lang, "skip")] if q.skippable else [])
    return text(lang, f"prompts.{key}"), _buttons(state, lang, q.choices)


def _contact_times(lang: str) -> list[Choice]:
    """Times from office.yaml, plus evening and weekend for residents who work."""
    office = load_yaml("office.yaml")
    return [Choice(c.label.format(open=office["open"], close=office["close"]), value(State.CONTACT_TIME, c.value))
            for c in choices(lang, "contact_time")]


def _household(st: DialogState) -> tuple[str, list[Choice]]:
    lang = st.lang
    chosen = st.answers.get("household") if isinstance(st.answers.get("household"), list) else []
    key = "household_self" if st.is_self else "household_other"
    buttons = [Choice((CHECK_MARK if c.value in chosen else "") + c.label, value(State.HOUSEHOLD, c.value))
               for c in choices(lang, "household")]
    buttons.append(Choice(wording(lang)["nav"]["decide"], "nav:done"))
    labels = text(lang, "list_sep").join(c.label for c in choices(lang, "household") if c.value in chosen) or text(lang, "summary.none")
    return text(lang, f"prompts.{key}") + "\n" + text(lang, "prompts.household_chosen", items=labels), buttons


def _other_channel(st: DialogState) -> tuple[str, ...]:
    """Each channel offers itself (このLINEで on LINE, このチャットで on the web) — the web chat
    only when staff can answer before the browser forgets the resident (office_hours.py)."""
    if st.channel == "line":
        return ("chat",)
    now = datetime.fromisoformat(st.last_active_at) if st.last_active_at else None
    return ("line",) if now is None or web_chat_reaches_staff(now) else ("line", "chat")


def _buttons(state: State, lang: str, name: str, hidden: tuple[str, ...] = ()) -> list[Choice]:
    return [Choice(c.label, value(state, c.value)) for c in choices(lang, name, exclude=hidden)]


def _chosen_line(st: DialogState) -> str:
    chosen = checklist.ordered(st.selected)
    if not chosen:
        return text(st.lang, "prompts.checklist_none")
    return text(st.lang, "prompts.checklist_chosen", items=text(st.lang, "list_sep").join(checklist.resident_label(c, st.lang) for c in chosen))


def _checklist_group(st: DialogState) -> tuple[str, list[Choice]]:
    lang = st.lang
    groups = checklist.groups()
    group = groups[st.group]
    prompt = text(lang, "prompts.checklist_group", group=group["label"][lang], index=(st.group - st.answers.get("checklist_start", 0)) % len(groups) + 1, total=len(groups))
    buttons = [
        Choice((CHECK_MARK if item in st.selected else "") + checklist.resident_label(item, lang), value(State.CHECKLIST, item))
        for item in group["items"]
    ]
    buttons.append(nav(lang, "next"))
    buttons.append(nav(lang, "done"))
    return prompt + "\n" + _chosen_line(st), buttons


def _primary(st: DialogState) -> tuple[str, list[Choice]]:
    lang = st.lang
    chosen = checklist.ordered(st.selected)
    size = page_size()
    start = (st.page * size) % len(chosen)
    shown = chosen[start : start + size]
    buttons = [Choice(checklist.resident_label(c, lang), value(State.PRIMARY, c)) for c in shown]
    if len(chosen) > size:
        buttons.append(Choice(text(lang, "prompts.more_items"), "nav:more"))
    return text(lang, "prompts.primary"), buttons
