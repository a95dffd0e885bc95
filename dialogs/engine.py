"""The pure step function: (state, input, context) -> (new state, messages, effects).

Commands that work from any step (もどる / やめる / 人と話したい / 同意をとりけす / language),
crisis detection on every typed text, resume and expiry are handled here once; each
question kind has one small handler. No I/O: the caller stores the state and acts on effects.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import checklist, languages, typed_answers
from .flow import BY_STATE, EDIT_TARGET, WITHDRAW_GROUPS, EXCLUSIVE_MEMBERS, SIDE_STATES, first_of_section, next_question, next_reach_question
from .messages import Choice, Effect, Input, InputKind, Message
from .office_hours import office_hours_sentence
from .prompts import ask, consent_version, consent_wording
from .closing import closing_text, followup_buttons
from .crisis_reply import about_someone_else, crisis_message, directory_message
from .record import build_intake
from .state import ANONYMOUS, DialogState, State
from .texts import choice_label, command_for, is_a_label, is_control_word, load_yaml, text, typed_choice, wording
from .understanding import Understanding, classify

# questions whose answer is a short fact (a name, a place), never a worry
SHORT_ANSWERS = {State.NAME, State.ORG, State.AREA}
SHORT_ANSWER_MAX = 40
WITHDRAWABLE = WITHDRAW_GROUPS["all"]
RECEIPT_PLACEHOLDER = "{receipt_no}"  # filled in by whoever stores the intake
DEFAULT_COORDINATOR = "相談支援包括化推進員"


@dataclass(frozen=True)
class Context:
    now: datetime  # timezone-aware
    coordinator_label: str = DEFAULT_COORDINATOR
    # receipt number of the resident's latest intake while staff still have it open: what
    # they write after submitting is added to it instead of starting a disconnected intake
    followup: str | None = None
    # who runs the counter (a city, or its 社会福祉協議会); unset: each language's own word
    # for "the city" (operator_default in data/<lang>.yaml), never 「市」 inside English
    operator: str = ""
    # the city's own numbers, by the setting that names them (TSUNAGU_OFFICE_PHONE …)
    city_numbers: dict = field(default_factory=dict)


@dataclass
class StepResult:
    state: DialogState
    messages: list[Message]
    effects: list[Effect]


def step(state: DialogState | None, inp: Input, ctx: Context) -> StepResult:
    turn = _Turn(copy.deepcopy(state) if state else DialogState(), ctx)
    turn.run(inp)
    turn.st.last_active_at = ctx.now.isoformat()
    return StepResult(turn.st, turn.messages, turn.effects)


@dataclass
class _Turn:
    st: DialogState
    ctx: Context
    messages: list[Message] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    understood: Understanding | None = None
    _last_text: str = ""

    # ---- entry -------------------------------------------------------------------
    def run(self, inp: Input) -> None:
        if inp.kind is InputKind.START and self.st.last_active_at is None and languages.known(inp.lang):
            self.st.lang = languages.known(inp.lang)  # first contact: the channel's hint
        written_in = None
        if inp.kind is InputKind.TEXT:
            self._last_text = inp.text
            written_in = languages.written_in(inp.text)
            self.understood = classify(inp.text)
            if self.understood.crisis:
                self._crisis(written_in)
            inp = self._as_tap(inp)
        first = not self.st.in_progress or (self.st.state is State.WHO and not self.st.history)
        # a first message ever, in no language we can tell, from someone whose channel knows
        # another language (LINE profile): offer that one, as for a message written in it
        hint = languages.known(inp.lang) if self.st.last_active_at is None and written_in is None else None
        self._dispatch(inp)
        if first and written_in and written_in != self.st.lang and inp.kind is InputKind.TEXT:
            self._offer_language(written_in)
        elif hint and hint != self.st.lang and inp.kind is not InputKind.START:
            self._offer_language(hint)
        # whatever path the message took (resume offer, expiry, after submitting, before the
        # first question), a crisis always reaches staff
        if self.understood and self.understood.crisis:
            self._crisis_effect()

    def _dispatch(self, inp: Input) -> None:
        if self.st.in_progress and self._timed_out(inp):
            return
        if not self.st.in_progress and self.ctx.followup and self._followup(inp):
            return
        if inp.kind is InputKind.START:
            if self.st.in_progress and (self.st.answers or self.st.concern or self.st.history):
                self._offer_resume()
            else:  # the page opened again before anything was answered: just greet
                self._greet()
        elif inp.kind is InputKind.UNSUPPORTED:
            self.say(text(self.st.lang, "messages.unsupported", media=self._media_name(inp.media)))
            self.reask() if self.st.in_progress else self._greet()
        elif command := self._command(inp):
            self._run_command(command)
        elif not self.st.in_progress:
            if inp.kind is InputKind.TEXT:
                self.keep(inp.text)
            self._greet()
        else:
            handler = BY_STATE[self.st.state].kind if self.st.state in BY_STATE else self.st.state.value
            getattr(self, f"_on_{handler}")(inp)

    def _crisis_effect(self) -> None:
        u = self.understood
        data = {"kind": u.crisis_kind, "kinds": list(u.crisis_kinds), "evidence": list(u.evidence)}
        if self.st.in_progress or not self.ctx.followup:
            data["intake"] = build_intake(self.st, "crisis")
        # after any discard of this same turn, so the intake it opens stays linked
        self.effects.append(Effect("crisis", data))

    # ---- output helpers ------------------------------------------------------------
    @property
    def operator(self) -> str:
        return self.ctx.operator or text(self.st.lang, "operator_default")

    def say(self, body: str, kind: str = "info") -> None:
        self.messages.append(Message(body, (), kind))

    def reask(self) -> None:
        self.messages.extend(ask(self.st, self.ctx.coordinator_label, self.operator))

    def keep(self, raw: str) -> None:
        """A resident's words are never dropped: keep them (once) and learn from them.
        Button labels and command words typed as text are taps, not words to keep."""
        if not raw.strip() or is_control_word(raw) or raw in self.st.concern:
            return
        self.st.concern.append(raw)
        found = (self.understood or classify(raw)).categories
        self.st.suggested = checklist.ordered([*self.st.suggested, *found])
        if self.st.state is State.CHECKLIST:
            self.st.selected = checklist.ordered([*self.st.selected, *checklist.to_tick(found)])

    def goto(self, target: State) -> None:
        self.st.history.append([self.st.state.value, self.st.group])
        if target is State.CHECKLIST and self.st.state is not State.CHECKLIST:
            if not self.st.answers.get("checklist_seeded"):  # the guesses, ticked, once
                crisis_items = checklist.for_crisis(c["kind"] for c in self.st.crisis)
                self.st.selected = checklist.ordered([*self.st.selected, *checklist.to_tick(self.st.suggested),
                                                      *crisis_items])
                self.st.answers["checklist_seeded"] = True
            # the pages open at the first ticked item and go round once (つぎへ wraps)
            self.st.group = self.st.answers["checklist_start"] = checklist.first_group(self.st.selected)
        if target is State.PRIMARY:
            self.st.page = 0
        if target is State.CONFIRM:
            self.st.editing = False
        self.st.state = target
        self.reask()

    def advance(self) -> None:
        if self.st.wants_person:
            # 人と話したい: only how to reach them safely is asked; then hand over
            target = next_reach_question(self.st)
            return self.goto(target) if target else self.submit("wants_person")
        self.goto(next_question(self.st, self.st.state))

    def pause_for(self, side: State) -> None:
        if self.st.state not in SIDE_STATES:
            self.st.paused = [self.st.state.value, self.st.group]
        self.st.state = side
        self.reask()

    def unpause(self, reask: bool = True) -> None:
        state, group = self.st.paused or [State.IDLE.value, 0]
        self.st.state, self.st.group, self.st.paused = State(state), group, None
        if reask and self.st.in_progress:
            self.reask()

    def submit(self, reason: str) -> None:
        payload = build_intake(self.st, reason)
        self.effects.append(Effect("submit", payload))
        self.say(closing_text(payload, self.ctx.now, RECEIPT_PLACEHOLDER))
        granted = {p for p in WITHDRAWABLE if payload["consents"].get(p, {}).get("granted")}
        fresh = self.st.fresh()
        fresh.granted = [p for p in WITHDRAWABLE if p in granted or p in fresh.granted]
        fresh.withdrawable = self.st.withdrawable or bool(granted)
        self.st = fresh

    # ---- start, resume, expiry, crisis --------------------------------------------
    def _greet(self) -> None:
        self.st.state = State.WHO
        self.st.started_at = self.st.started_at or self.ctx.now.isoformat()
        if not self.st.crisis:  # after a crisis answer, go straight to the first question
            self.say(self._greeting_text())
        self.reask()

    def _greeting_text(self) -> str:
        hours = office_hours_sentence(self.ctx.now, self.st.lang)
        return text(self.st.lang, "greeting", office_hours=hours, operator=self.operator)

    def _timed_out(self, inp: Input) -> bool:
        timing = load_yaml("flow.yaml")
        idle = self.ctx.now - datetime.fromisoformat(self.st.last_active_at or self.ctx.now.isoformat())
        if idle >= timedelta(hours=timing["expire_after_hours"]):
            self.effects.append(Effect("discard", {"why": "expired"}))
            crisis = self.st.crisis[-1:] if self.understood and self.understood.crisis else []
            self.st = self.st.fresh()
            self.st.crisis = crisis  # the crisis met in this very message still counts
            self.say(text(self.st.lang, "messages.expired"))
            return False  # carry on with this message as the start of a new conversation
        if idle >= timedelta(minutes=timing["resume_after_minutes"]) and self.st.state is not State.RESUME:
            if inp.kind is InputKind.TEXT and not self._command(inp):
                self.keep(inp.text)
            self._offer_resume()
            return True
        return False

    def _followup(self, inp: Input) -> bool:
        """After submitting, while staff have the intake open: add to it, don't start over."""
        lang, receipt = self.st.lang, self.ctx.followup
        command = self._command(inp)
        if inp.kind is InputKind.CHOICE and inp.value == "nav:new":
            self.st = self.st.fresh()
            self._greet()
            return True
        if command in ("quit", "withdraw", "back", "emergency"):
            return False
        if command == "language":
            self.messages.append(languages.menu(lang))
            return True
        if command and command.startswith("language_"):
            self.st.lang = command.removeprefix("language_")
            key = "followup_welcome"
        elif command == "human":
            self.effects.append(Effect("followup", {"wants_person": True}))
            key = "followup_person"
        elif inp.kind is InputKind.TEXT and not is_control_word(inp.text):
            found = self.understood.categories if self.understood else []
            self.effects.append(Effect("followup", {"text": inp.text, "suggested": list(found)}))
            key = "followup_added"
        elif inp.kind is InputKind.UNSUPPORTED:
            self.say(text(lang, "messages.unsupported", media=self._media_name(inp.media)))
            key = "followup_welcome"
        else:
            key = "followup_welcome"
        body = text(self.st.lang, f"messages.{key}", receipt_no=receipt,
                    office_hours=office_hours_sentence(self.ctx.now, self.st.lang))
        self.messages.append(Message(body, tuple(followup_buttons(self.st.lang)), "question"))
        return True

    def _offer_resume(self) -> None:
        if self.st.state is State.RESUME:
            self.reask()
        else:
            self.pause_for(State.RESUME)

    def _crisis(self, written_in: str | None = None) -> None:
        u = self.understood
        for kind in u.crisis_kinds:
            self.st.crisis.append({"kind": kind, "evidence": list(u.evidence)})
        about_other = self.st.role not in (None, "self") if self.st.role else about_someone_else(self._last_text)
        # no button here: the question that follows carries 人と話したい (LINE shows only the
        # last message's quick reply, and a second request would cost a push)
        # the numbers in the language the resident wrote in while the conversation is still in
        # the default Japanese (they may not have found the language button); else theirs
        lang = written_in if written_in and self.st.lang == "ja" else self.st.lang
        self.messages.append(crisis_message(list(u.crisis_kinds), lang, about_other=about_other,
                                            city_numbers=self.ctx.city_numbers, age=self.st.answers.get("age")))

    def _offer_language(self, code: str) -> None:
        """Written in another language we have: say so in it, with a one-tap switch on the
        question (LINE shows only the last message's quick reply)."""
        button = languages.button(code)
        last = self.messages[-1] if self.messages else None
        offer = Message(languages.offer_text(code), (), "info")
        if last and last.kind == "question" and len(last.choices) < 13 and button not in last.choices:
            self.messages[-1:] = [offer, Message(last.text, (*last.choices, button), last.kind)]
        else:
            self.messages.append(Message(offer.text, (button,), "question"))

    def _media_name(self, media: str) -> str:
        names = wording(self.st.lang)["messages"]["media_names"]
        return names.get(media, names["other"])

    # ---- commands that work from any step ------------------------------------------
    def _command(self, inp: Input) -> str | None:
        if inp.kind is InputKind.CHOICE and inp.value.startswith("nav:"):
            name = inp.value[4:]
            return {"language": "language", "human": "human", "back": "back"}.get(name)
        if inp.kind is InputKind.CHOICE and (code := languages.picked(inp.value)):
            return f"language_{code}"
        if inp.kind is InputKind.CHOICE and inp.value.startswith("menu:"):  # the LINE rich menu
            return {"start": "start", "emergency": "emergency"}.get(inp.value[5:])
        if inp.kind is InputKind.TEXT:
            return command_for(inp.text)
        return None

    def _cmd_start(self) -> None:
        """相談をはじめる from the rich menu: continue what is in progress, or begin."""
        self._offer_resume() if self.st.in_progress else self._greet()

    def _cmd_emergency(self) -> None:
        """緊急の連絡先 from the rich menu: every number, then the question again."""
        self.messages.append(directory_message(self.st.lang, self.ctx.city_numbers))
        if self.st.in_progress:
            self.reask()

    def _cmd_back(self) -> None:
        if self.st.state in SIDE_STATES:
            return self.unpause()
        if not self.st.in_progress:
            return self._greet()
        if not self.st.history:
            self.say(text(self.st.lang, "messages.back_none"))
            return self.reask()
        state, group = self.st.history.pop()
        self.st.state, self.st.group = State(state), group
        self.reask()

    def _cmd_quit(self) -> None:
        if not self.st.in_progress:
            return self.say(text(self.st.lang, "messages.quit_done"))
        self.pause_for(State.QUIT_CONFIRM)

    def _cmd_human(self) -> None:
        if self.st.state in SIDE_STATES:
            self.unpause(reask=False)
        if self.st.wants_person:  # asked again while we ask how to reach them
            return self.reask()
        self.st.wants_person = True
        self.st.started_at = self.st.started_at or self.ctx.now.isoformat()
        target = None if self.st.role == "anonymous" else next_reach_question(self.st)
        if target is None:  # staff know how to reach them safely: hand over at once
            return self.submit("wants_person")
        # staff see the request at once; then ask only how to reach the resident safely (a
        # phone number alone is not enough: is it safe to call, may we leave a message)
        self.effects.append(Effect("open", {"intake": build_intake(self.st, "wants_person")}))
        self.say(text(self.st.lang, "messages.wants_person_how"))
        if target is not self.st.state:
            self.st.history.append([self.st.state.value, self.st.group])
            self.st.state = target
        self.reask()

    def _cmd_withdraw(self) -> None:
        if not self.st.withdrawable:
            self.say(text(self.st.lang, "messages.withdraw_none"))
            return self.reask() if self.st.in_progress else None
        self.pause_for(State.WITHDRAW_CONFIRM)

    def _run_command(self, command: str) -> None:
        if command.startswith("language_"):  # language_zh: typed 中文, or its menu button
            return self._switch_language(command.removeprefix("language_"))
        getattr(self, f"_cmd_{command}")()

    def _switch_language(self, lang: str) -> None:
        self.st.lang = lang
        if not self.st.in_progress:
            return self._greet()
        # what the greeting said (not an emergency desk, who reads it, when it may be shared
        # without consent) was in a language they may not read: say it again in theirs
        self.say(self._greeting_text())
        self.reask()

    def _cmd_language(self) -> None:
        """The language button: every language, each named in its own words."""
        self.messages.append(languages.menu(self.st.lang))

    # ---- answers -------------------------------------------------------------------
    def _offered(self) -> list[Choice]:
        """The buttons the resident sees now."""
        if self.st.in_progress:
            return [c for m in ask(self.st, self.ctx.coordinator_label, self.operator) for c in m.choices]
        if self.ctx.followup:
            return followup_buttons(self.st.lang)
        return []

    def _as_tap(self, inp: Input) -> Input:
        """A typed button label (or a short form of it: はい, 送信, つぎへ, 本人 …) is the tap;
        at a question with buttons, so is a typed answer that means one (「70歳です」, 「孫です」)."""
        offered = self._offered()
        value = typed_choice(inp.text, offered)
        question = BY_STATE.get(self.st.state)
        if not value and self.st.in_progress and question and question.kind == "choice" and not self.understood.crisis:
            value = typed_answers.understood(inp.text, offered, question.choices)
            if value and (self.understood.categories or len(inp.text) > SHORT_ANSWER_MAX // 2):
                self.keep(inp.text)  # 「1年前に仕事をなくした」 answers the question and tells a worry
        return Input(InputKind.CHOICE, value=value) if value else inp

    def _picked(self, inp: Input) -> str | None:
        """The value of a button for the current question; anything not offered is None
        (a stale button from an older message, or an invented value)."""
        prefix = self.st.state.value + ":"
        if inp.kind is not InputKind.CHOICE or not inp.value.startswith(prefix):
            return None
        picked = inp.value[len(prefix):]
        if self.st.state is State.CHECKLIST and picked in checklist.item_ids():
            return picked  # an item of another group, from an earlier message
        return picked if inp.value in {c.value for c in self._offered()} else None

    def _not_understood(self, inp: Input) -> None:
        """Text where a button was expected: ask again, and keep the words."""
        if inp.kind is InputKind.TEXT:
            self.keep(inp.text)
            if not self.understood.crisis:  # after the numbers, just ask the question again
                self.say(text(self.st.lang, "messages.reask_buttons"))
        self.reask()

    def _on_choice(self, inp: Input) -> None:
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        state = self.st.state
        if state is State.CONFIRM:
            return {"submit": lambda: self.submit("completed"),
                    "edit": lambda: self.pause_for(State.EDIT),
                    "quit": lambda: self.pause_for(State.QUIT_CONFIRM)}[picked]()
        self.st.answers[BY_STATE[state].slot] = picked
        if state is State.WHO and picked != "self":
            self.st.consents = {}  # a reporter cannot consent for the person
        if state is State.PROXY_CONSENT:
            self._record_proxy_consent(picked)
        if state in (State.CONTACT, State.VOICEMAIL) and self.st.is_self:
            # may staff contact me / leave a message: consents, with wording and time
            self._record_consent(state.value, picked not in ("none", "no"), choice_label(
                self.st.lang, BY_STATE[state].choices, picked))
        self.advance()

    def _on_text(self, inp: Input) -> None:
        q = BY_STATE[self.st.state]
        if inp.kind is InputKind.CHOICE:
            if inp.value in ("nav:skip", "nav:none"):
                self.st.answers[q.slot] = None if self.st.state is not State.CONCERN else True
                return self.advance()
            if inp.value == "nav:anonymous" and self.st.state is State.NAME:
                self.st.answers[q.slot] = ANONYMOUS
                return self.advance()
            return self.reask()
        if self.st.state is State.NAME and is_a_label(inp.text):  # 「40〜64歳」 is no one's name
            self.say(text(self.st.lang, "messages.name_invalid"))
            return self.reask()
        if self.st.state is State.NAME:
            return self._on_name(inp.text)
        if self.st.state in SHORT_ANSWERS and self._is_a_worry(inp.text):
            self.keep(inp.text)  # a worry typed where a name or a place was asked: keep it
            if not self.understood.crisis:
                self.say(text(self.st.lang, "messages.short_answer"))
            return self.reask()
        if q.validate:
            value = q.validate(inp.text)
            if value is None:
                if not any(ch.isdigit() for ch in inp.text):
                    self.keep(inp.text)  # a malformed number never goes into the free text
                if not (self.understood and self.understood.crisis):  # the numbers came first
                    self.say(text(self.st.lang, f"messages.{q.slot}_invalid"))
                return self.reask()
            self.st.answers[q.slot] = value
        elif self.st.state is State.CONCERN:
            self.keep(inp.text)
            self.st.answers[q.slot] = True
        else:
            self.st.answers[q.slot] = inp.text
        self.advance()

    def _on_name(self, raw: str) -> None:
        """「民生委員の鈴木です」 is 鈴木: the courtesy around a name is taken off. A worry typed
        here is kept as words about the trouble; a refused name is not a worry, so it is not."""
        if self.understood.crisis or len(raw) > SHORT_ANSWER_MAX:
            self.keep(raw)
            if not self.understood.crisis:
                self.say(text(self.st.lang, "messages.short_answer"))
            return self.reask()
        name = typed_answers.name_in(raw)
        if name and not self._is_a_worry(name):
            self.st.answers["name"] = name
            return self.advance()
        if any(c != "other" for c in self.understood.categories):
            self.keep(raw)
            self.say(text(self.st.lang, "messages.short_answer"))
        else:
            self.say(text(self.st.lang, "messages.name_again"))
        self.reask()

    def _is_a_worry(self, raw: str) -> bool:
        """A name or a place is short and names no worry; a sentence about trouble is a worry."""
        found = classify(raw) if self.st.state is State.NAME else (self.understood or classify(raw))
        if found.crisis or len(raw) > SHORT_ANSWER_MAX:
            return True
        if self.st.state is State.NAME and any(re.search(p, raw) for p in load_yaml("flow.yaml")["not_a_name"]):
            return True
        # an organisation's name is full of welfare words (地域包括支援センター); a name or a place is not
        return self.st.state is not State.ORG and any(c != "other" for c in found.categories)

    def _on_checklist(self, inp: Input) -> None:
        pages = len(checklist.groups())
        last_group = (self.st.group + 1) % pages == self.st.answers.get("checklist_start", 0)
        if inp.kind is InputKind.CHOICE and inp.value == "nav:next" and not last_group:
            self.st.history.append([self.st.state.value, self.st.group])
            self.st.group = (self.st.group + 1) % pages
            return self.reask()
        if inp.kind is InputKind.CHOICE and inp.value in ("nav:next", "nav:done"):
            self.st.answers["checklist_done"] = True
            return self.advance()
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        if picked in self.st.selected:
            self.st.selected.remove(picked)
        else:
            self.st.selected = checklist.ordered([*self.st.selected, picked])
        self.reask()

    def _on_multi(self, inp: Input) -> None:
        """Several answers (household members): tap to tick or untick, 決定 to go on."""
        slot = BY_STATE[self.st.state].slot
        chosen = self.st.answers.get(slot)
        chosen = list(chosen) if isinstance(chosen, list) else []
        if inp.kind is InputKind.CHOICE and inp.value == "nav:done":
            self.st.answers[slot] = chosen
            return self.advance()
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        if picked in chosen:
            chosen.remove(picked)
        elif picked in EXCLUSIVE_MEMBERS:
            chosen = [picked]
        else:
            chosen = [c for c in chosen if c not in EXCLUSIVE_MEMBERS] + [picked]
        self.st.answers[slot] = chosen
        self.st.answers.setdefault(f"{slot}_started", True)
        self.reask()

    def _on_primary(self, inp: Input) -> None:
        if inp.kind is InputKind.CHOICE and inp.value == "nav:more":
            self.st.page += 1
            return self.reask()
        picked = self._picked(inp)
        if picked is None or picked not in self.st.selected:
            return self._not_understood(inp)
        self.st.primary = picked
        self.st.answers["primary_asked"] = True
        self.advance()

    def _on_consent(self, inp: Input) -> None:
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        purpose = BY_STATE[self.st.state].slot
        self._record_consent(purpose, picked == "yes")
        if purpose == "share" and picked != "yes":
            self.st.consents.pop("meeting", None)  # the meeting is asked only after sharing
        self.advance()

    def _record_proxy_consent(self, how: str) -> None:
        """A professional who obtained the person's consent: consent by proxy, with who."""
        if how == "none":
            self.st.answers.pop("proxy_record", None)
            return
        raw = load_yaml("consent.yaml")["purposes"]["proxy_share"][self.st.lang]
        self.st.answers["proxy_record"] = {
            "granted": True, "version": consent_version(), "lang": self.st.lang, "at": self.ctx.now.isoformat(),
            "wording": raw.format(how=choice_label(self.st.lang, "proxy_consent", how)),
            "obtained_by": (self.st.answers.get("org") or choice_label(self.st.lang, "who", "professional"))[:100],
        }

    def _record_consent(self, purpose: str, granted: bool, answer: str | None = None) -> None:
        wording_text = consent_wording(purpose, self.st.lang, self.ctx.coordinator_label, self.operator)
        self.st.consents[purpose] = {
            "granted": granted,
            "version": consent_version(),
            "wording": wording_text + (f"\n→ {answer}" if answer else ""),
            "lang": self.st.lang,
            "at": self.ctx.now.isoformat(),
        }

    # ---- side states ---------------------------------------------------------------
    def _on_edit(self, inp: Input) -> None:
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        if picked == "cancel":
            return self.unpause()
        self.st.paused = None
        self.st.state = State.CONFIRM
        self.st.editing = picked
        if picked == "worries":
            self.st.answers.pop("checklist_done", None)
        self.goto(EDIT_TARGET.get(picked) or first_of_section(self.st, picked))

    def _on_quit_confirm(self, inp: Input) -> None:
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        if picked == "yes":
            self.effects.append(Effect("discard", {"why": "quit"}))
            key = "quit_done_crisis" if self.st.crisis else "quit_done"
            self.st = self.st.fresh()
            return self.say(text(self.st.lang, f"messages.{key}"))
        self.say(text(self.st.lang, "messages.quit_cancel"))
        self.unpause()

    def _on_resume(self, inp: Input) -> None:
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        if picked == "resume":
            self.st.resumed = True  # from now on the summary shows only the phone's last digits
            return self.unpause()
        crisis = self.st.crisis
        # a crisis is never forgotten by starting again: the new answers complete its intake
        self.effects.append(Effect("discard", {"why": "restart", "keep_intake": bool(crisis)}))
        self.st = self.st.fresh()
        self.st.crisis = crisis
        self._greet()

    def _on_withdraw_confirm(self, inp: Input) -> None:
        picked = self._picked(inp)
        if picked is None:
            return self._not_understood(inp)
        if picked in WITHDRAW_GROUPS:
            purposes = list(WITHDRAW_GROUPS[picked])
            self.effects.append(Effect("withdraw_consent", {"at": self.ctx.now.isoformat(), "purposes": purposes}))
            left = [p for p in self.st.granted if p not in purposes]
            self.st.granted = left
            self.st.withdrawable = bool(left) if picked != "all" else False  # the rest, later
            what = choice_label(self.st.lang, "withdraw_confirm", picked)
            self.say(text(self.st.lang, f"messages.withdraw_done_{picked}", what=what))
        else:
            self.say(text(self.st.lang, "messages.withdraw_cancel"))
        self.unpause()
