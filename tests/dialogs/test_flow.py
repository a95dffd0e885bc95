"""The intake conversation without any server: (state, input) -> (next state, what is said)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dialogs import checklist
from dialogs.engine import Context, step
from dialogs.messages import Input, InputKind
from dialogs.state import DialogState, State
from dialogs.texts import wording

JST = timezone(timedelta(hours=9))
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 0, tzinfo=JST)


class Chat:
    """Drives `step` like a channel would, keeping the state between turns."""

    def __init__(self, channel: str = "line", now: datetime = SUNDAY_NIGHT):
        self.state = DialogState(channel=channel)
        self.now = now
        self.effects: list = []
        self.last = None

    def send(self, inp: Input, minutes: float = 1):
        self.now += timedelta(minutes=minutes)
        result = step(self.state, inp, Context(now=self.now))
        self.state, self.last = result.state, result
        self.effects += result.effects
        return result

    def start(self):
        return self.send(Input(InputKind.START))

    def say(self, text: str, **kw):
        return self.send(Input(InputKind.TEXT, text=text), **kw)

    def tap(self, value: str, **kw):
        return self.send(Input(InputKind.CHOICE, value=value), **kw)

    @property
    def texts(self) -> str:
        return "\n".join(m.text for m in self.last.messages)

    @property
    def buttons(self) -> list[str]:
        return [c.value for m in self.last.messages for c in m.choices]

    def effect(self, name: str):
        found = [e for e in self.effects if e.name == name]
        assert found, f"no {name} effect in {[e.name for e in self.effects]}"
        return found[-1]


def self_to_concern(chat: Chat) -> Chat:
    chat.start()
    chat.tap("who:self")
    chat.say("さくら")  # a name or 呼び名 for callbacks
    chat.tap("age:40_64")
    chat.tap("nav:skip")  # area
    chat.tap("household:alone")
    chat.tap("nav:done")
    assert chat.state.state is State.CONCERN
    return chat


def self_to_checklist() -> Chat:
    chat = self_to_concern(Chat())
    chat.tap("nav:none")  # no free text: the full checklist follows
    assert chat.state.state is State.CHECKLIST
    return chat


def self_to_confirm(share: str = "yes", meeting: str = "no") -> Chat:
    chat = self_to_checklist()
    chat.tap("checklist:rent_loan")
    chat.tap("checklist:debt")
    for _ in checklist.groups():
        chat.tap("nav:next")
    chat.tap("primary:debt")
    chat.say("夜は電話に出られません")
    chat.tap("since:over_1y")
    chat.tap("contact:line")
    chat.tap("contact_time:anytime")
    chat.tap(f"consent_share:{share}")
    if share == "yes":  # the meeting is asked only once sharing was agreed
        chat.tap(f"consent_meeting:{meeting}")
    assert chat.state.state is State.CONFIRM
    return chat


# ---- greeting and office hours ---------------------------------------------------------

def test_greeting_says_not_an_emergency_line_and_when_staff_read_it():
    chat = Chat()
    chat.start()
    assert "110" in chat.texts and "119" in chat.texts
    assert "11月30日（月）8時30分" in chat.texts  # Sunday 23:00 -> Monday morning
    assert chat.state.state is State.WHO
    assert "who:self" in chat.buttons and "名前は 言わなくても" in chat.texts


@pytest.mark.parametrize("now, expected", [
    (datetime(2026, 11, 23, 10, 0, tzinfo=JST), "11月24日（火）8時30分"),  # 勤労感謝の日 (Monday)
    (datetime(2026, 12, 30, 10, 0, tzinfo=JST), "1月4日（月）8時30分"),  # 年末年始
    (datetime(2026, 11, 27, 17, 0, tzinfo=JST), "11月30日（月）8時30分"),  # Friday, just closed
])
def test_next_opening_counts_holidays(now, expected):
    chat = Chat(now=now)
    chat.start()
    assert expected in chat.texts


def test_during_office_hours_it_says_staff_read_it_today():
    chat = Chat(now=datetime(2026, 11, 26, 10, 0, tzinfo=JST))
    chat.start()
    assert "きょう 担当者が 読みます" in chat.texts


# ---- transitions ---------------------------------------------------------------------

@pytest.mark.parametrize("role, expected", [
    ("self", State.AGE),  # 本人 too: age band and area decide the routing
    ("family", State.RELATION),
    ("neighbor", State.RELATION),
    ("minsei", State.RELATION),
    ("professional", State.ORG),
])
def test_who_asks_a_name_then_leads_to_questions_about_the_person(role, expected):
    chat = Chat()
    chat.start()
    chat.tap(f"who:{role}")
    assert chat.state.state is State.NAME and "nav:anonymous" in chat.buttons
    chat.tap("nav:anonymous")
    assert chat.state.state is expected and chat.state.anonymous and chat.state.role == role


@pytest.mark.parametrize("role, offered, not_offered", [
    ("family", "relation:parent", "relation:neighbor"),
    ("neighbor", "relation:neighbor", "relation:parent"),
    ("minsei", "relation:resident", "relation:child"),
    ("professional", "relation:client", "relation:parent"),
])
def test_relation_choices_match_the_reporter(role, offered, not_offered):
    chat = Chat()
    chat.start()
    chat.tap(f"who:{role}")
    chat.tap("nav:anonymous")
    if role == "professional":
        chat.say("八王子北地域包括支援センター")
    assert chat.state.state is State.RELATION
    assert offered in chat.buttons and not_offered not in chat.buttons


def test_an_anonymous_self_writer_is_still_self_and_is_asked_for_consent():
    chat = self_to_concern(Chat())
    chat.say("やめる")
    chat.tap("quit_confirm:no")
    chat.state.answers["name"] = "-"
    chat.tap("nav:none")
    for _ in checklist.groups():
        chat.tap("nav:next")
    chat.tap("nav:skip")
    chat.tap("since:unknown")
    chat.tap("contact:none")
    assert chat.state.state is State.CONSENT_SHARE
    chat.tap("consent_share:yes")
    chat.tap("consent_meeting:yes")
    chat.tap("confirm:submit")
    payload = chat.effect("submit").data
    assert payload["reporter_role"] == "self" and payload["anonymous"] is True
    assert payload["consents"]["share"]["granted"] is True
    assert "name" not in payload["contact"]


def test_reporter_path_asks_relation_age_area_and_household_members():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.say("山田")
    chat.tap("relation:parent")
    assert chat.state.state is State.AGE
    chat.tap("age:75_plus")
    assert chat.state.state is State.AREA
    chat.say("元本郷町")
    assert chat.state.state is State.HOUSEHOLD
    chat.tap("household:adult_child")
    chat.tap("household:care_needs")
    chat.tap("household:child_young")  # 8050 and ダブルケア can both be recorded
    assert "✓ 大人の子ども" in [c.label for m in chat.last.messages for c in m.choices]
    chat.tap("household:child_young")  # tap again: untick
    chat.tap("nav:done")
    assert chat.state.state is State.CONCERN
    assert chat.state.answers["household"] == ["adult_child", "care_needs"]
    assert chat.state.answers["area"] == "元本郷町"


def test_alone_stands_by_itself_among_household_members():
    chat = Chat()
    chat.start()
    chat.tap("who:self")
    chat.tap("nav:anonymous")
    chat.tap("age:18_39")
    chat.tap("nav:skip")
    chat.tap("household:partner")
    chat.tap("household:alone")
    assert chat.state.answers["household"] == ["alone"]
    chat.tap("household:partner")
    assert chat.state.answers["household"] == ["partner"]


def test_a_professional_records_organisation_whether_the_person_knows_and_proxy_consent():
    chat = Chat()
    chat.start()
    chat.tap("who:professional")
    chat.say("田中")
    chat.say("八王子北地域包括支援センター")
    chat.tap("relation:client")
    chat.tap("age:75_plus")
    chat.tap("nav:skip")
    chat.tap("household:alone")
    chat.tap("nav:done")
    assert chat.state.state is State.PERSON_KNOWS
    chat.tap("person_knows:yes")
    chat.tap("proxy_consent:written")
    chat.say("ごみがたまっていて、食事もとれていないようです")
    chat.tap("nav:done")
    if chat.state.state is State.PRIMARY:
        chat.tap(f"primary:{chat.state.selected[0]}")
    chat.tap("nav:skip")
    chat.tap("since:1_3m")
    chat.tap("contact:none")
    chat.tap("keep_identity:share")
    assert chat.state.state is State.CONFIRM
    chat.tap("confirm:submit")
    payload = chat.effect("submit").data
    assert payload["reporter"]["organisation"] == "八王子北地域包括支援センター"
    assert payload["reporter"]["person_knows"] == "yes"
    proxy = payload["consents"]["share"]
    assert proxy["granted"] is True and proxy["obtained_by"] == "八王子北地域包括支援センター"
    assert "書面" in proxy["wording"]
    assert "meeting" not in payload["consents"]


def test_checklist_groups_toggle_and_show_the_choice_back():
    chat = self_to_checklist()
    chat.tap("checklist:income")
    assert "✓ 収入・生活費のこと" in [c.label for m in chat.last.messages for c in m.choices]
    assert "収入・生活費のこと" in chat.texts  # chosen items are shown back
    chat.tap("checklist:income")  # tap again: unmarked
    assert chat.state.selected == []
    chat.tap("nav:next")
    assert chat.state.group == 1  # a group can be skipped with つぎへ


def test_every_quick_reply_fits_line_limits():
    chat = self_to_checklist()
    seen_groups = 0
    while chat.state.state is State.CHECKLIST:
        for m in chat.last.messages:
            assert len(m.choices) <= 13
            assert all(len(c.label) <= 20 for c in m.choices)
        # mark everything in this group, then go on
        group = checklist.groups()[chat.state.group]
        for cid in group["items"]:
            if cid not in chat.state.selected:
                chat.tap(f"checklist:{cid}")
        chat.tap("nav:next")
        seen_groups += 1
    assert seen_groups == len(checklist.groups())
    assert chat.state.state is State.OTHER_TEXT  # その他 asks for its （ ）
    chat.say("町内会の役が負担")
    assert chat.state.state is State.PRIMARY and len(chat.state.selected) == 19
    first_page = chat.buttons
    assert len(first_page) <= 13 and "nav:more" in first_page  # 19 items page through
    chat.tap("nav:more")
    assert set(chat.buttons) - set(first_page) - {"nav:back"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_all_labels_fit_in_twenty_characters(lang):
    for name, items in wording(lang)["choices"].items():
        for c in items:
            assert len(c["label"].format(open="08:30", close="17:00")) <= 20, (name, c)
    for cid in checklist.item_ids():
        assert len("✓ " + checklist.item_label(cid, lang)) <= 20


def test_english_and_japanese_wording_have_the_same_keys():
    def keys(node, prefix=""):
        if isinstance(node, dict):
            return {k2 for k, v in node.items() for k2 in keys(v, f"{prefix}{k}.")} | {prefix}
        return {prefix}
    ja, en = wording("ja"), wording("en")
    assert keys({k: v for k, v in ja.items() if k != "commands"}) == keys({k: v for k, v in en.items() if k != "commands"})


def test_the_checklist_always_follows_with_the_guesses_ticked_and_kept_apart():
    chat = self_to_concern(Chat())
    chat.say("家賃が払えなくて困っています")
    assert chat.state.state is State.CHECKLIST  # never skipped: it surfaces what was not said
    assert "✓ 家賃・ローンの支払いについて" in [c.label for m in chat.last.messages for c in m.choices]
    assert "nav:done" in chat.buttons  # one tap: ほかにはない
    chat.tap("checklist:rent_loan")  # the resident unticks the guess
    chat.tap("checklist:debt")
    chat.tap("nav:done")
    assert chat.state.state is State.DETAILS
    chat.say("よろしくお願いします")
    chat.say("やめる")
    chat.tap("quit_confirm:no")
    payload = chat.effect("open").data["intake"] if [e for e in chat.effects if e.name == "open"] else None
    assert payload is None
    from dialogs.record import build_intake

    record = build_intake(chat.state, "completed")
    assert record["categories"] == ["debt"] and record["suggested"] == ["rent_loan"]


def test_a_guessed_other_is_not_ticked_so_the_resident_is_not_asked_what_it_is():
    # walk2 B19: an auto-ticked その他 led to 「「その他」の 内容を 短く 書いてください」
    chat = self_to_concern(Chat())
    chat.say("ちょっと聞きたいことがあります")  # the classifier's guess: other
    assert chat.state.state is State.CHECKLIST and chat.state.suggested == ["other"]
    assert "other" not in chat.state.selected
    chat.tap("nav:done")
    assert chat.state.state is not State.OTHER_TEXT and "その他」の 内容" not in chat.texts


def test_a_resident_who_ticks_other_is_asked_what_it_is():
    chat = self_to_checklist()
    chat.tap("checklist:other")
    chat.tap("nav:done")
    assert chat.state.state is State.OTHER_TEXT


def test_the_checklist_opens_at_the_page_of_the_first_guess_and_goes_round_once():
    chat = self_to_concern(Chat())
    chat.say("夫が家事を手伝わず、毎日けんかばかりです")  # family: the 家族 page
    assert chat.state.state is State.CHECKLIST
    family = checklist.groups()[4]
    assert family["id"] == "family" and f"【{family['label']['ja']}】" in chat.texts and "（1/6）" in chat.texts
    seen = [chat.state.group]
    for _ in range(5):
        chat.tap("nav:next")
        seen.append(chat.state.group)
    assert seen[0] == 4 and sorted(seen) == [0, 1, 2, 3, 4, 5]  # every page once, お金 too
    assert "（6/6）" in chat.texts
    chat.tap("nav:next")  # after the last page: on to the next question
    assert chat.state.state is not State.CHECKLIST


def test_text_where_a_button_is_expected_is_kept_and_the_buttons_come_back():
    chat = Chat()
    chat.start()
    chat.say("えっと、母のことなんですが")
    assert chat.state.state is State.WHO
    assert "ボタンから えらんでください" in chat.texts
    assert "who:self" in chat.buttons
    assert chat.state.concern == ["えっと、母のことなんですが"]


def test_typing_a_button_label_counts_as_tapping_it():
    chat = Chat()
    chat.start()
    chat.say("家族のこと")
    assert chat.state.answers["role"] == "family"


def test_stale_button_from_an_old_question_only_re_asks():
    chat = Chat()
    chat.start()
    chat.tap("who:self")
    chat.tap("who:family")  # an old quick reply tapped again
    assert chat.state.state is State.NAME and chat.state.role == "self"


@pytest.mark.parametrize("media, word", [("sticker", "スタンプ"), ("image", "写真"), ("location", "位置情報"),
                                         ("audio", "音声"), ("video", "動画"), ("file", "ファイル")])
def test_stickers_and_media_get_a_kind_answer_and_nothing_breaks(media, word):
    chat = Chat()
    chat.start()
    chat.tap("who:self")
    chat.send(Input(InputKind.UNSUPPORTED, media=media))
    assert word in chat.texts and "文字で 教えてください" in chat.texts
    assert chat.state.state is State.NAME
    assert "nav:anonymous" in chat.buttons


def test_phone_number_is_checked_and_normalised():
    chat = self_to_confirm()
    chat.tap("confirm:edit")
    chat.tap("edit:contact")
    chat.tap("contact:phone")
    chat.say("でんわばんごう")
    assert chat.state.state is State.PHONE and "読めませんでした" in chat.texts
    chat.say("０９０－１２３４－５６７８")
    assert chat.state.answers["phone"] == "09012345678"


def test_web_chat_does_not_offer_line_as_a_way_to_be_contacted():
    chat = self_to_concern(Chat(channel="web"))
    chat.tap("nav:none")
    for _ in checklist.groups():
        chat.tap("nav:next")
    chat.tap("nav:skip")
    chat.tap("since:unknown")
    assert chat.state.state is State.CONTACT
    assert "contact:line" not in chat.buttons and "contact:phone" in chat.buttons


# ---- commands from any step ------------------------------------------------------------

def test_back_goes_one_question_back_and_keeps_answers():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.tap("nav:anonymous")
    chat.tap("relation:child")
    chat.say("もどる")
    assert chat.state.state is State.RELATION
    assert chat.state.answers["relation"] == "child"
    chat.tap("nav:back")
    assert chat.state.state is State.NAME


def test_back_inside_the_checklist_returns_to_the_previous_group():
    chat = self_to_checklist()
    chat.tap("nav:next")
    chat.tap("nav:next")
    chat.tap("nav:back")
    assert chat.state.state is State.CHECKLIST and chat.state.group == 1


def test_back_at_the_first_question_says_so():
    chat = Chat()
    chat.start()
    chat.say("もどる")
    assert chat.state.state is State.WHO and "もどれません" in chat.texts


def test_quit_asks_first_then_deletes_partial_answers():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.say("やめる")
    assert chat.state.state is State.QUIT_CONFIRM
    chat.tap("quit_confirm:no")
    assert chat.state.state is State.NAME  # nothing lost
    chat.say("やめる")
    chat.tap("quit_confirm:yes")
    assert chat.state.state is State.IDLE
    assert chat.state.answers == {} and chat.state.concern == []
    assert chat.effect("discard").data["why"] == "quit"


def test_wants_a_person_opens_an_urgent_intake_then_asks_only_how_to_reach_them():
    chat = Chat(channel="web")
    chat.start()
    chat.tap("who:self")
    chat.tap("nav:anonymous")
    chat.say("人と話したい")
    opened = chat.effect("open").data["intake"]
    assert opened["wants_person"] is True and opened["reporter_role"] == "self"  # staff see it now
    assert chat.state.state is State.CONTACT and "contact:line" not in chat.buttons  # web: no LINE
    chat.tap("contact:phone")
    chat.say("電話は090-1234-5678です")
    chat.tap("contact_time:anytime")
    assert chat.state.state is State.CONTACT_SAFETY  # a number alone is not enough: is calling safe?
    chat.tap("contact_safety:safe")
    assert chat.state.state is State.VOICEMAIL
    chat.tap("voicemail:no")
    submitted = chat.effect("submit").data
    assert submitted["wants_person"] is True and submitted["contact"]["phone"] == "09012345678"
    assert submitted["contact"]["safety"] == "safe" and submitted["contact"]["voicemail"] == "no"
    assert chat.state.state is State.IDLE
    assert "{receipt_no}" in chat.texts  # the store fills in the number
    assert "8時30分" in chat.texts and "あなたが えらんだ 時間に 電話します" in chat.texts  # when, truthfully, and how
    assert "同意を とりけしたい" not in chat.texts  # no consent question was asked


def to_contact(channel: str = "web", now: datetime = SUNDAY_NIGHT) -> Chat:
    """本人, at 「担当者は どうやって 連絡すれば よいですか？」."""
    chat = self_to_concern(Chat(channel=channel, now=now))
    chat.tap("nav:none")
    chat.tap("nav:done")
    chat.tap("nav:skip")
    chat.tap("since:1_3m")
    return chat


def to_contact_safety(channel: str = "web", now: datetime = SUNDAY_NIGHT) -> Chat:
    """The walk's DM5Z-KA6M: 本人, phone and a time given, at 「気を つけてほしい ことは？」."""
    chat = to_contact(channel, now)
    chat.tap("contact:phone")
    chat.say("080-1111-2222")
    chat.tap("contact_time:morning")
    assert chat.state.state is State.CONTACT_SAFETY
    return chat


def test_wants_a_person_during_the_contact_questions_still_asks_if_calling_is_safe():
    chat = to_contact_safety()
    chat.say("人と話したい")
    assert not [e for e in chat.effects if e.name == "submit"]  # not handed over blind
    assert chat.effect("open").data["intake"]["wants_person"] is True  # staff see it now
    assert chat.state.state is State.CONTACT_SAFETY and "contact_safety:unsafe" in chat.buttons
    chat.tap("contact_safety:unsafe")
    assert chat.state.state is State.ARRANGE  # calling is unsafe: how else can staff reach them?
    # Sunday night on the web: the chat is gone before staff read it, so it is not offered
    assert "arrange:chat" not in chat.buttons and "arrange:line" not in chat.buttons
    assert "arrange:self" in chat.buttons
    chat.tap("arrange:self")  # no voicemail question about a phone nobody will call
    submitted = chat.effect("submit").data
    assert submitted["wants_person"] and submitted["contact"]["safety"] == "unsafe"
    assert submitted["contact"]["arrange"] == "self" and "share" not in submitted["consents"]
    assert "受付番号を 伝えて" in chat.texts and "この チャットに 出ます" not in chat.texts
    assert "電話します" not in chat.texts  # never a promise of the call they said is dangerous
    assert "家への 電話・訪問・手紙は しません" in chat.texts
    assert "同意を とりけしたい" not in chat.texts  # no consent question was ever asked


def test_wants_a_person_after_everything_needed_is_known_hands_over_at_once():
    chat = to_contact_safety(channel="line")
    chat.tap("contact_safety:safe")
    chat.tap("voicemail:yes")
    chat.say("人と話したい")
    assert chat.effect("submit").data["contact"]["voicemail"] == "yes"
    assert "あなたが えらんだ 時間に 電話します" in chat.texts


def test_wants_a_person_when_contact_is_known_hands_over_at_once():
    chat = self_to_confirm()
    chat.say("人と話したい")
    assert chat.effect("submit").data["wants_person"] is True
    assert "LINE に とどきます" in chat.texts


def test_edit_changes_one_part_and_returns_to_the_summary():
    chat = self_to_confirm()
    chat.tap("confirm:edit")
    assert chat.state.state is State.EDIT
    chat.tap("edit:since")
    assert chat.state.state is State.SINCE
    chat.tap("since:within_1m")
    assert chat.state.state is State.CONFIRM
    assert "1か月以内" in chat.texts
    assert chat.state.answers["contact"] == "line"  # the rest is kept


def test_edit_who_from_self_to_family_drops_consent_and_asks_about_the_person():
    chat = self_to_confirm(share="yes")
    chat.tap("confirm:edit")
    chat.tap("edit:who")
    chat.tap("who:family")
    assert chat.state.consents == {}
    assert chat.state.state is State.NAME  # the section is walked again
    chat.tap("nav:anonymous")
    assert chat.state.state is State.RELATION  # then what the new role needs
    chat.tap("relation:parent")
    chat.tap("keep_identity:keep")
    assert chat.state.state is State.CONFIRM
    assert "同意" not in chat.texts.split("■困りごと")[1]


def test_edit_who_from_family_to_self_asks_for_consent_before_the_summary():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.tap("nav:anonymous")
    chat.tap("relation:parent")
    chat.tap("age:75_plus")
    chat.tap("nav:skip")
    chat.tap("household:alone")
    chat.tap("nav:done")
    chat.tap("nav:none")
    chat.tap("nav:done")
    chat.tap("nav:skip")
    chat.tap("since:unknown")
    chat.tap("contact:none")
    chat.tap("keep_identity:share")
    assert chat.state.state is State.CONFIRM
    chat.tap("confirm:edit")
    chat.tap("edit:who")
    chat.tap("who:self")
    chat.tap("nav:anonymous")
    assert chat.state.state is State.CONSENT_SHARE
    chat.tap("consent_share:no")  # no meeting question after a no
    assert chat.state.state is State.CONFIRM


def test_submit_records_consent_with_wording_version_and_time():
    chat = self_to_confirm(share="yes", meeting="no")
    chat.tap("confirm:submit")
    payload = chat.effect("submit").data
    assert payload["complete"] is True
    assert payload["categories"] == ["rent_loan", "debt"] and payload["primary"] == "debt"
    share, meeting = payload["consents"]["share"], payload["consents"]["meeting"]
    assert share["granted"] is True and meeting["granted"] is False
    assert "社会福祉協議会" in share["wording"] and "106条の4" in meeting["wording"]
    assert share["version"] and share["at"].startswith("2026-11-")
    assert chat.state.state is State.IDLE and chat.state.withdrawable


def test_consent_can_be_withdrawn_later():
    chat = self_to_confirm(share="yes")
    chat.tap("confirm:submit")
    chat.say("同意をとりけす")
    assert chat.state.state is State.WITHDRAW_CONFIRM
    chat.tap("withdraw_confirm:all")
    assert chat.effect("withdraw_consent").data["purposes"] == ["share", "meeting", "contact", "voicemail"]
    assert "とりけしました" in chat.texts and not chat.state.withdrawable
    assert "連絡も しません" in chat.texts  # said plainly: contact goes too


def test_withdraw_asks_which_consent_and_takes_back_only_that_one():
    chat = self_to_confirm(share="yes", meeting="yes")
    chat.tap("confirm:submit")
    chat.say("同意をとりけす")
    assert "どの 同意を とりけしますか" in chat.texts
    assert {"withdraw_confirm:share", "withdraw_confirm:contact", "withdraw_confirm:all",
            "withdraw_confirm:no"} <= set(chat.buttons)
    chat.tap("withdraw_confirm:share")
    assert chat.effect("withdraw_consent").data["purposes"] == ["share", "meeting"]
    assert "担当者からの 連絡は これまで どおりです" in chat.texts  # contact is kept, and said so
    assert chat.state.withdrawable  # contact can still be taken back later
    chat.say("同意をとりけす")
    chat.tap("withdraw_confirm:contact")
    assert chat.effect("withdraw_consent").data["purposes"] == ["contact", "voicemail"]
    assert "連絡は しません" in chat.texts


def test_withdraw_offers_only_what_was_given():
    chat = self_to_confirm(share="no", meeting="no")  # contact by LINE was agreed, sharing was not
    chat.tap("confirm:submit")
    chat.say("同意を取り消す")
    assert "withdraw_confirm:contact" in chat.buttons and "withdraw_confirm:share" not in chat.buttons
    chat.tap("withdraw_confirm:contact")
    assert not chat.state.withdrawable
    chat.say("同意を取り消す")
    assert "とりけす 同意は ありません" in chat.texts
    assert len([e for e in chat.effects if e.name == "withdraw_consent"]) == 1


def test_english_is_available():
    chat = Chat()
    chat.start()
    chat.tap("nav:language")  # the language menu (tests/dialogs/test_languages.py)
    chat.tap("lang:en")
    assert chat.state.lang == "en" and "Who is this about" in chat.texts
    chat.tap("who:self")
    chat.tap("nav:anonymous")
    assert "About how old are you" in chat.texts


# ---- resume and expiry -----------------------------------------------------------------

def test_coming_back_within_a_day_offers_to_continue():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.say("まだいますか", minutes=120)
    assert chat.state.state is State.RESUME
    assert "まだいますか" in chat.state.concern  # the words are kept
    chat.tap("resume:resume")
    assert chat.state.state is State.NAME and chat.state.role == "family"


def test_start_over_deletes_partial_answers():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.start()  # the web page reopened
    assert chat.state.state is State.RESUME
    chat.tap("resume:restart")
    assert chat.state.state is State.WHO and chat.state.answers == {}
    assert chat.effect("discard").data["why"] == "restart"


def test_after_a_day_partial_answers_expire():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.say("家賃が払えない", minutes=25 * 60)
    assert "24時間" in chat.texts
    assert chat.effect("discard").data["why"] == "expired"
    assert chat.state.state is State.WHO and "role" not in chat.state.answers
    assert chat.state.concern == ["家賃が払えない"]  # today's message starts the new intake


# ---- crisis ------------------------------------------------------------------------------

@pytest.mark.parametrize("words, kind, number", [
    ("死にたい", "suicide", "0120-783-556"),
    ("夫に毎晩殴られている", "violence", "0120-279-889"),
    ("隣の家の子どもが虐待されているみたい", "child_abuse", "189"),
    ("もう何日も食べていない", "starvation", "0120-279-338"),
])
def test_crisis_as_the_first_message_answers_at_once_with_the_right_numbers(words, kind, number):
    chat = Chat()
    result = chat.say(words)
    first = result.messages[0]
    assert first.kind == "crisis" and number in first.text and "110" in first.text
    crisis = chat.effect("crisis").data
    assert crisis["kind"] == kind and crisis["intake"]["crisis"] is True
    assert words in crisis["intake"]["free_text"]
    assert chat.state.state is State.WHO
    assert "nav:human" in chat.buttons


def test_crisis_in_the_middle_interrupts_then_the_question_comes_back():
    chat = self_to_checklist()
    chat.tap("nav:next")
    result = chat.say("もう消えたい。いなくなりたい")
    assert result.messages[0].kind == "crisis" and "0120-783-556" in result.messages[0].text
    assert chat.state.state is State.CHECKLIST and chat.state.group == 1
    assert chat.effect("crisis").data["kind"] == "suicide"
    chat.say("人と話したい")
    chat.tap("contact:line")
    chat.tap("contact_time:anytime")
    submitted = chat.effect("submit").data
    assert submitted["crisis"] and submitted["wants_person"]


def test_idiom_is_not_a_crisis():
    chat = Chat()
    chat.start()
    chat.say("死ぬほど眠い")
    assert not [e for e in chat.effects if e.name == "crisis"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_choice_values_are_the_declared_ids_as_strings(lang):
    """YAML reads 18_39 as the number 1839; every value must stay the id we wrote."""
    import yaml

    from dialogs.texts import DATA

    raw = (DATA / f"{lang}.yaml").read_text(encoding="utf-8")
    for name, items in yaml.safe_load(raw)["choices"].items():
        for c in items:
            assert isinstance(c["value"], str), (name, c)
    assert [c["value"] for c in wording(lang)["choices"]["age"]] == [
        "under_18", "18_39", "40_64", "65_74", "75_plus", "unknown"]


def test_a_message_that_is_both_violence_and_suicide_gets_both_sets_of_numbers():
    chat = Chat()
    result = chat.say("夫に毎晩なぐられていて、もう死にたい")
    first = result.messages[0].text
    assert "0120-783-556" in first and "0120-279-889" in first  # いのちの電話 and DV相談＋
    assert first.count("☎ 110") == 1
    assert set(chat.effect("crisis").data["kinds"]) == {"suicide", "violence"}
    assert chat.effect("crisis").data["intake"]["crisis_kinds"] == ["suicide", "violence"]


# ---- what residents type is read as they mean it (issue 8 item 9, issue 9 item 13) ----------

def test_typed_labels_and_short_forms_count_as_taps_and_never_become_free_text():
    chat = Chat()
    chat.start()
    chat.say("本人")
    assert chat.state.answers["role"] == "self"
    chat.say("家賃が払えなくて困っています")  # a worry typed where the name was asked
    assert chat.state.state is State.NAME and "name" not in chat.state.answers
    chat.say("名前を言わずに")
    chat.say("40〜64歳")
    chat.say("とばす")
    chat.tap("household:alone")
    chat.say("これで決定")
    chat.say("とくにない")
    assert chat.state.state is State.CHECKLIST
    chat.say("ﾂｷﾞﾍ")  # half-width kana
    assert chat.state.group == 1
    chat.say("家賃が払えなくて困っています")  # the same words again are kept once
    chat.say("ﾓﾄﾞﾙ")
    assert chat.state.state is State.CHECKLIST and chat.state.group == 0
    assert chat.state.concern == ["家賃が払えなくて困っています"]


def test_yes_and_no_typed_answer_a_consent_question():
    chat = self_to_confirm()
    chat.tap("confirm:edit")
    chat.tap("edit:consent")
    chat.say("はい")
    assert chat.state.consents["share"]["granted"] is True
    chat.say("いいえ")
    assert chat.state.consents["meeting"]["granted"] is False
    chat.say("送信")
    assert chat.effect("submit").data["free_text"] == "夜は電話に出られません"  # no はい / 送信


@pytest.mark.parametrize("invented", ["who:admin", "who:", "household:palace", "since:" + "9" * 300])
def test_values_that_were_never_offered_only_ask_again(invented):
    chat = Chat()
    chat.start()
    if not invented.startswith("who"):
        chat.tap("who:self")
    before = chat.state.state
    chat.tap(invented)
    assert chat.state.state is before and "admin" not in chat.state.answers.values()


# ---- found by walking the product from outside -------------------------------------------

def test_opening_the_chat_twice_before_answering_just_greets_again():
    chat = Chat()
    chat.start()
    chat.start()
    assert chat.state.state is State.WHO and "resume:resume" not in chat.buttons


def test_after_asking_for_a_person_no_contact_is_not_offered():
    chat = Chat()
    chat.start()
    chat.say("人と話したい")
    assert chat.state.state is State.CONTACT
    assert "contact:phone" in chat.buttons and "contact:none" not in chat.buttons


def test_the_summary_shows_safety_voicemail_and_what_a_reporter_asked_to_keep():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.tap("nav:anonymous")
    chat.tap("relation:partner")
    chat.tap("age:40_64")
    chat.tap("nav:skip")
    chat.tap("household:partner")
    chat.tap("nav:done")
    chat.say("娘が夫から怒鳴られている")
    chat.tap("nav:done")
    if chat.state.state is State.PRIMARY:
        chat.tap(f"primary:{chat.state.selected[0]}")
    chat.tap("nav:skip")
    chat.tap("since:1_3m")
    chat.tap("contact:phone")
    chat.say("090-1234-5678")
    chat.tap("contact_time:evening")
    chat.tap("contact_safety:discreet")
    chat.tap("voicemail:no")
    chat.tap("keep_identity:keep")
    assert chat.state.state is State.CONFIRM
    assert "家の人に 知られたくない" in chat.texts and "いいえ、残さないで" in chat.texts
    assert "伝えないでほしい" in chat.texts and "平日 夕方（17:00〜20:00）" in chat.texts


def test_the_rich_menu_emergency_button_lists_the_numbers_and_keeps_the_place():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.tap("menu:emergency")
    first = chat.last.messages[0]
    assert first.kind == "crisis" and "110" in first.text and "189" in first.text and "#8008" in first.text
    assert "心配" not in first.text  # a directory, not a crisis answer about the resident
    assert chat.state.state is State.NAME and not chat.state.crisis
    assert not [e for e in chat.effects if e.name == "crisis"]  # nothing opened for staff


def test_the_rich_menu_start_button_begins_or_offers_to_continue():
    chat = Chat()
    chat.tap("menu:start")
    assert chat.state.state is State.WHO and "緊急の窓口では ありません" in chat.texts
    chat.tap("who:self")
    chat.tap("menu:start")
    assert chat.state.state is State.RESUME


@pytest.mark.parametrize("typed, expected", [
    ("090-1234-5678", "09012345678"),
    ("電話は090-1234-5678です", "09012345678"),
    ("+81 90 1234 5678", "09012345678"),
    ("+81-42-626-3111", "0426263111"),
    ("０４２（６２６）３１１１", "0426263111"),
    ("0120-279-338", "0120279338"),
    ("090-1234-567", None),  # a mobile number needs 11 digits
    ("042-626-31111", None),  # a landline has 10
    ("12345", None),
])
def test_phone_numbers_by_kind_and_inside_a_sentence(typed, expected):
    from dialogs.flow import valid_phone

    assert valid_phone(typed) == expected


def test_greeting_says_truthfully_when_sharing_can_happen_without_consent_and_who_runs_it():
    chat = Chat()
    chat.state = DialogState(channel="line")
    result = step(chat.state, Input(InputKind.START), Context(now=SUNDAY_NIGHT, operator="八王子市社会福祉協議会"))
    greeting = result.messages[0].text
    assert "八王子市社会福祉協議会の「つなぐ」" in greeting
    assert "支援会議" in greeting and "同意が なくても" in greeting
    assert "ふつうは 先に あなたに 聞きます" in greeting  # usually, not always


def test_the_citys_own_numbers_come_from_settings_and_are_left_out_when_unset():
    words = "介護している母を息子が毎日殴っている"
    with_line = step(None, Input(InputKind.TEXT, text=words),
                     Context(now=SUNDAY_NIGHT, city_numbers={"TSUNAGU_ELDER_ABUSE_PHONE": "042-620-7777"}))
    without = step(None, Input(InputKind.TEXT, text=words), Context(now=SUNDAY_NIGHT))
    assert "042-620-7777" in with_line.messages[0].text
    assert "None" not in without.messages[0].text and "110" in without.messages[0].text
    assert "0120-279-889" not in with_line.messages[0].text  # not the partner-DV line


def test_inochi_no_denwa_is_shown_with_its_hours():
    result = step(None, Input(InputKind.TEXT, text="もう死にたい"), Context(now=SUNDAY_NIGHT))
    line = next(l for l in result.messages[0].text.splitlines() if "0120-783-556" in l)
    assert "16" in line and "24時間" not in line


def test_after_continuing_later_the_summary_masks_the_phone_number():
    chat = self_to_concern(Chat())
    chat.tap("nav:none")
    chat.tap("nav:done")
    chat.tap("nav:skip")
    chat.tap("since:1_3m")
    chat.tap("contact:phone")
    chat.say("090-1234-5678")
    chat.tap("contact_time:morning")
    chat.tap("contact_safety:safe")
    chat.tap("voicemail:yes")
    chat.tap("consent_share:no")
    assert "09012345678" in chat.texts  # just typed: shown whole to be checked
    chat.start()  # the page opened again later, perhaps by someone else
    chat.tap("resume:resume")
    assert "09012345678" not in chat.texts and "*******5678" in chat.texts


# ---- from the outside walk (notes/walk.md #8 #13-#17) ------------------------------------

def minsei_to_contact() -> Chat:
    chat = Chat(channel="web")
    chat.start()
    chat.tap("who:minsei")
    return chat


def test_a_button_label_or_an_age_is_not_taken_as_a_name():
    chat = minsei_to_contact()
    for typed in ("40〜64歳", "本人（自分のこと）", "とくにない", "70"):
        chat.say(typed)
        assert chat.state.state is State.NAME and "name" not in chat.state.answers, typed
    chat.say("鈴木")
    assert chat.state.answers["name"] == "鈴木"


@pytest.mark.parametrize("typed", ["民生委員の鈴木です", "鈴木です", "鈴木と申します", "鈴木といいます。", "鈴木"])
def test_a_name_said_politely_or_with_a_role_is_taken_as_the_name(typed):
    # walk2 B11: 「民生委員の鈴木です」 and 「鈴木です」 were refused as too long
    chat = minsei_to_contact()
    chat.say(typed)
    assert chat.state.answers["name"] == "鈴木"
    assert chat.state.concern == []


def test_refused_names_do_not_pile_up_as_the_worry_but_a_worry_typed_there_is_kept():
    chat = minsei_to_contact()
    for typed in ("そうです", "はい", "40〜64歳"):
        chat.say(typed)
        assert chat.state.state is State.NAME and "name" not in chat.state.answers, typed
    chat.say("そうです")
    assert "お名前か 呼び名だけを" in chat.texts and "相談の 内容として" not in chat.texts
    chat.say("借金のことです")  # a worry, not a name: kept, and the name is asked again
    assert chat.state.state is State.NAME and chat.state.concern == ["借金のことです"]
    chat.say("鈴木です")
    assert chat.state.answers["name"] == "鈴木" and chat.state.concern == ["借金のことです"]


def test_a_visit_asks_how_to_reach_the_reporter_and_the_summary_shows_the_address():
    chat = minsei_to_contact()
    chat.say("鈴木")
    chat.tap("relation:resident")
    chat.tap("age:75_plus")
    chat.say("大和田町")
    chat.tap("household:alone")
    chat.tap("nav:done")
    chat.tap("person_knows:no")
    chat.say("ごみが家の前にたまっている")
    chat.tap("nav:done")
    if chat.state.state is State.PRIMARY:
        chat.tap(f"primary:{chat.state.selected[0]}")
    chat.tap("nav:skip")
    chat.tap("since:3_6m")
    chat.tap("contact:visit")
    chat.say("大和田町3丁目 青い屋根の家")
    chat.tap("contact_time:morning")
    chat.tap("contact_safety:unsafe")
    assert chat.state.state is State.ARRANGE  # who arranges the visit, and how?
    chat.tap("arrange:phone")
    chat.say("090-2222-3333")
    chat.tap("voicemail:no")  # about the number staff will call
    chat.tap("keep_identity:keep")
    assert chat.state.state is State.CONFIRM
    assert "大和田町3丁目 青い屋根の家" in chat.texts  # the visit address is in the summary
    assert "電話番号を 教える" in chat.texts and "*******3333" in chat.texts
    chat.tap("confirm:submit")
    contact = chat.effect("submit").data["contact"]
    assert contact["arrange"] == "phone" and contact["arrange_phone"] == "09022223333"
    assert "教えてくれた 電話番号に します" in chat.texts


@pytest.mark.parametrize("state_answers, typed, expected", [
    ("age", "70歳です", "65_74"),
    ("age", "I'm 30", "18_39"),
    ("age", "８０才です", "75_plus"),
    ("age", "40代", "40_64"),
    ("since", "半年くらい前から", "6_12m"),
    ("since", "3か月前", "3_6m"),
    ("since", "2週間くらい", "within_1m"),
    ("since", "先週から", "within_1m"),
    ("since", "1年前", "over_1y"),
    ("since", "two months", None),  # not a number we read: the buttons come back
])
def test_typed_ages_and_periods_answer_the_button_question(state_answers, typed, expected):
    chat = self_to_concern(Chat()) if state_answers == "since" else Chat()
    if state_answers == "age":
        chat.start()
        chat.tap("who:self")
        chat.tap("nav:anonymous")
    else:
        chat.tap("nav:none")
        chat.tap("nav:done")
        chat.tap("nav:skip")
    assert chat.state.state.value == state_answers
    chat.say(typed)
    assert chat.state.answers.get(state_answers) == expected
    if expected:
        assert typed not in chat.state.concern  # an answer, not a worry


def _family_to_letter_safety() -> Chat:
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.tap("nav:anonymous")
    chat.tap("relation:parent")
    chat.tap("age:65_74")
    chat.tap("nav:skip")
    chat.tap("household:alone")
    chat.tap("nav:done")
    chat.tap("nav:none")
    chat.tap("nav:done")
    chat.tap("nav:skip")
    chat.tap("since:unknown")
    chat.tap("contact:letter")
    chat.say("元本郷町1-2-3")
    assert chat.state.state is State.CONTACT_SAFETY
    return chat


def test_a_letter_is_asked_about_the_post_not_about_calls_and_visits():
    # walk2 B14: 手紙 got 「電話や 訪問のとき…」 and 「電話・訪問は あぶない」
    chat = _family_to_letter_safety()
    assert "手紙を 送るとき" in chat.texts and "電話や 訪問" not in chat.texts
    labels = [c.label for m in chat.last.messages for c in m.choices]
    assert "封筒に 市の名前を 書かないで" in labels and "電話・訪問は あぶない" not in labels
    chat.tap("contact_safety:discreet")
    chat.tap("keep_identity:share")
    assert chat.state.state is State.CONFIRM and "封筒に 市の名前を 書かないで" in chat.texts
    chat.tap("confirm:submit")
    assert chat.effect("submit").data["contact"]["safety"] == "discreet"


def test_when_a_letter_is_unsafe_the_resident_is_asked_for_another_way():
    chat = _family_to_letter_safety()
    chat.tap("contact_safety:unsafe")
    assert chat.state.state is State.ARRANGE
    assert "手紙も あぶない" in chat.texts and "電話や 訪問は あぶない" not in chat.texts


def test_typed_relation_and_a_letter_for_someone_who_cannot_phone():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    chat.tap("nav:anonymous")
    chat.say("孫です")
    assert chat.state.answers["relation"] == "grand"
    chat.tap("age:under_18")
    chat.tap("nav:skip")
    chat.tap("household:alone")
    chat.tap("nav:done")
    chat.tap("nav:none")
    chat.tap("nav:done")
    chat.tap("nav:skip")
    chat.tap("since:unknown")
    assert chat.state.state is State.CONTACT and "contact:letter" in chat.buttons
    chat.say("手紙でお願いします")
    assert chat.state.answers["contact"] == "letter"  # never recorded as 電話
    assert chat.state.state is State.ADDRESS and "手紙を 送る 住所" in chat.texts
    chat.say("元本郷町1-2-3")
    assert chat.state.state is State.CONTACT_SAFETY  # may a letter reach that home safely?
    chat.tap("contact_safety:safe")
    chat.tap("keep_identity:share")
    chat.tap("confirm:submit")
    assert chat.effect("submit").data["contact"] == {"method": "letter", "address": "元本郷町1-2-3", "safety": "safe"}
    assert "手紙で 連絡します" in chat.texts and "電話します" not in chat.texts


def test_the_web_summary_shows_only_the_last_digits_of_the_phone():
    chat = to_contact_safety(channel="web")
    chat.tap("contact_safety:safe")
    chat.tap("voicemail:yes")
    chat.tap("consent_share:no")
    assert chat.state.state is State.CONFIRM
    assert "08011112222" not in chat.texts and "*******2222" in chat.texts
    line = to_contact_safety(channel="line")  # LINE: the resident's own phone
    line.tap("contact_safety:safe")
    line.tap("voicemail:yes")
    line.tap("consent_share:no")
    assert "08011112222" in line.texts


def test_a_web_intake_ends_saying_replies_show_only_in_this_browser_for_a_while():
    chat = to_contact_safety(channel="web")
    chat.tap("contact_safety:safe")
    chat.tap("voicemail:yes")
    chat.tap("consent_share:no")
    chat.tap("confirm:submit")
    assert "この ブラウザで" in chat.texts and "2時間" in chat.texts
    line = self_to_confirm()
    line.tap("confirm:submit")
    assert "ブラウザ" not in line.texts


def test_english_greeting_has_no_japanese_operator_and_lists_use_commas():
    chat = Chat()
    chat.send(Input(InputKind.START, lang="en"))
    assert "of the city" in chat.texts and "市" not in chat.texts
    chat.tap("who:self")
    chat.tap("nav:anonymous")
    chat.tap("age:40_64")
    chat.tap("nav:skip")
    chat.tap("household:partner")
    chat.tap("household:elderly_parent")
    assert "、" not in chat.texts and ", " in chat.texts.splitlines()[-1]


def test_switching_language_with_the_button_repeats_the_notice_in_the_new_language():
    chat = Chat()
    chat.start()
    chat.tap("who:self")
    chat.tap("lang:en")
    assert "This is not an emergency line" in chat.texts and "without consent" in chat.texts
    assert chat.state.state is State.NAME and chat.state.lang == "en"


def test_after_submit_the_call_is_at_the_time_you_chose():
    assert wording("ja")["messages"]["reach_phone"] == "あなたが えらんだ 時間に 電話します。"


@pytest.mark.parametrize("words", ["隣の家の子どもが虐待されているみたい", "娘が夫に殴られている"])
def test_an_abuse_report_does_not_tell_the_reporter_to_stay_beside_them(words):
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    result = chat.say(words)
    assert result.messages[0].kind == "crisis"
    assert "そばに いて" not in result.messages[0].text and "はなれてから" in result.messages[0].text


def test_a_suicide_report_still_asks_to_stay_with_the_person():
    chat = Chat()
    chat.start()
    chat.tap("who:family")
    result = chat.say("母が死にたいと言っている")
    assert "そばに いて" in result.messages[0].text


@pytest.mark.parametrize("lang", ["ja", "en", "zh", "vi", "pt", "tl", "ne"])
def test_a_welfare_check_report_says_how_to_ask_for_a_safety_check_not_to_stay_beside_them(lang):
    # walk2 B13: a 民生委員 who cannot reach the person was told 「そばに いてください」
    chat = Chat()
    chat.start()
    chat.tap("who:minsei")
    if lang != "ja":
        chat.tap(f"lang:{lang}")
    result = chat.say("一人暮らしの高齢の方で、最近ゴミが家の前にたまっている。声をかけても出てこない")
    body = result.messages[0].text
    assert result.messages[0].kind == "crisis"
    assert body.endswith(wording(lang)["messages"]["crisis_footer_other_welfare"])
    assert wording(lang)["messages"]["crisis_footer_other"].splitlines()[0] not in body
    if lang == "ja":
        assert "安否確認" in body and "ひとりで 家に 入らないで" in body and "そばに いて" not in body
    if lang == "en":
        assert "safety check" in body and "do not go into the home alone" in body


def test_suicide_numbers_leave_out_the_childrens_line_for_an_adult_and_list_24h_lines_first():
    chat = Chat()
    chat.start()
    chat.tap("who:self")
    chat.tap("nav:anonymous")
    chat.tap("age:65_74")
    adult = chat.say("もう死にたい").messages[0].text
    assert "0120-0-78310" not in adult
    lines = adult.splitlines()
    inochi = next(i for i, l in enumerate(lines) if "0120-783-556" in l)
    assert inochi > next(i for i, l in enumerate(lines) if "0120-279-338" in l)  # after よりそい (24h)
    unknown = step(None, Input(InputKind.TEXT, text="もう死にたい"), Context(now=SUNDAY_NIGHT)).messages[0].text
    assert "0120-0-78310" in unknown  # age not known yet: it may be a child writing


def test_checklist_and_household_use_plain_words_with_the_same_ids():
    chat = self_to_checklist()
    assert "checklist:debt" in chat.buttons and "債務" not in chat.texts
    assert any(c.label == "借金の返済について" for m in chat.last.messages for c in m.choices)
    assert "配偶者" not in str(wording("ja")["choices"]["household"])


TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=JST)


def test_the_web_chat_is_offered_as_a_channel_only_when_staff_can_answer_before_it_is_gone():
    """Walk 2, B2: a web-chat reply is seen only for a couple of hours after the resident's last
    message; at night staff read it the next morning, when the chat is long gone."""
    for now, offered in ((TUESDAY_MORNING, True), (SUNDAY_NIGHT, False)):
        chat = to_contact_safety(now=now)
        chat.tap("contact_safety:unsafe")
        assert ("arrange:chat" in chat.buttons) is offered and "arrange:self" in chat.buttons
    # the contact question itself: このチャットで in the morning, not at night
    assert "contact:chat" in to_contact(now=TUESDAY_MORNING).buttons
    assert "contact:chat" not in to_contact(now=SUNDAY_NIGHT).buttons
