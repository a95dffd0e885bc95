"""The resident dialog in every language of data/languages.yaml: the files match ja.yaml,
every button fits LINE, a resident can choose a language (menu, typed name, channel hint)
and complete an intake in it."""
from __future__ import annotations

import re

import pytest
import yaml

from dialogs import checklist, languages
from dialogs.messages import Input, InputKind
from dialogs.prompts import CHECK_MARK
from dialogs.state import State
from dialogs.texts import DATA, LANGUAGES, language_table, load_yaml, normalise, wording
from tests.dialogs.test_flow import Chat

OTHERS = [code for code in LANGUAGES if code != "ja"]
OFFICE = load_yaml("office.yaml")


def keys(node, prefix=""):
    """Every key path, list items included (choice values and their `roles`)."""
    if isinstance(node, dict):
        return {k2 for k, v in node.items() for k2 in keys(v, f"{prefix}{k}.")} | {prefix}
    if isinstance(node, list) and node and isinstance(node[0], dict):
        return {f"{prefix}{item.get('value', i)}.{k}" for i, item in enumerate(node) for k in item}
    return {prefix}


# ---- the files ----------------------------------------------------------------------------

def test_the_language_list_fits_one_quick_reply_and_every_file_exists():
    table = language_table()
    assert table[0]["code"] == "ja"  # やさしい日本語 is the default
    assert 2 <= len(table) <= 13  # the menu is one LINE quick reply
    for entry in table:
        assert (DATA / entry["file"]).exists(), entry
        assert len(entry["code"]) <= 4  # Intake.lang and ConsentRecord.lang are 4 characters
        assert len(entry["name"]) <= 20
    names = [normalise(n) for e in table for n in (e["name"], *e.get("also", ()))]
    assert len(names) == len(set(names)), "a language name may switch to one language only"


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_exactly_the_keys_of_japanese(lang):
    def without_commands(w):
        return {k: v for k, v in w.items() if k != "commands"}
    assert keys(without_commands(wording(lang))) == keys(without_commands(wording("ja")))
    for name, items in wording(lang)["choices"].items():  # same values, same order
        assert [c["value"] for c in items] == [c["value"] for c in wording("ja")["choices"][name]], name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_the_crisis_wording(lang):
    messages = wording(lang)["messages"]
    for key in ("crisis_header", "crisis_footer", "crisis_header_other", "crisis_footer_other", "crisis_line"):
        assert messages[key].strip(), key
    assert "{number}" in messages["crisis_line"] and "{name}" in messages["crisis_line"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_button_label_fits_in_twenty_characters(lang):
    w = wording(lang)
    for name, items in w["choices"].items():
        for c in items:
            label = c["label"].format(open=OFFICE["open"], close=OFFICE["close"])
            limit = 20 - len(CHECK_MARK) if name == "household" else 20  # household ticks ✓
            assert len(label) <= limit, (name, label)
    for name, label in w["nav"].items():
        assert len(label) <= 20, (name, label)
    assert len(w["prompts"]["more_items"]) <= 20
    for cid in checklist.item_ids():
        assert len(CHECK_MARK + checklist.item_label(cid, lang)) <= 20, cid


@pytest.mark.parametrize("lang", OTHERS)
def test_every_translation_says_who_checked_it_and_when(lang):
    entry = next(e for e in language_table() if e["code"] == lang)
    head = (DATA / entry["file"]).read_text(encoding="utf-8").splitlines()[:5]
    checked = [line for line in head if line.startswith("# checked:")]
    assert checked and re.search(r"\d{4}-\d{2}-\d{2}", checked[0]), head


@pytest.mark.parametrize("name", ["checklist.yaml", "consent.yaml"])
def test_the_shared_label_files_say_who_checked_them_and_when(name):
    head = (DATA / name).read_text(encoding="utf-8").splitlines()[:8]
    checked = [line for line in head if line.startswith("# checked:")]
    assert checked and re.search(r"\d{4}-\d{2}-\d{2}", checked[0]), head


@pytest.mark.parametrize("lang", LANGUAGES)
def test_checklist_and_consent_wording_exist_in_every_language(lang):
    for group in checklist.groups():
        assert group["label"][lang]
    for purpose, texts in load_yaml("consent.yaml")["purposes"].items():
        assert texts[lang].format(operator="市", coordinator="推進員", how="口頭"), purpose


@pytest.mark.parametrize("lang", LANGUAGES)
def test_choice_values_stay_strings(lang):
    """YAML reads 18_39 as a number and a bare yes / no as a boolean."""
    entry = next(e for e in language_table() if e["code"] == lang)
    raw = yaml.safe_load((DATA / entry["file"]).read_text(encoding="utf-8"))
    for name, items in raw["choices"].items():
        for c in items:
            assert isinstance(c["value"], str) and isinstance(c["label"], str), (name, c)
    for value, words in raw["typed"].items():
        assert all(isinstance(w, str) for w in words), value


# ---- choosing a language ------------------------------------------------------------------

def test_the_language_button_opens_a_menu_of_every_language_in_its_own_words():
    chat = Chat()
    chat.start()
    assert "nav:language" in chat.buttons
    chat.tap("nav:language")
    [menu] = chat.last.messages
    assert [c.value for c in menu.choices] == [f"lang:{code}" for code in LANGUAGES]
    assert [c.label for c in menu.choices][:7] == ["日本語", "English", "中文", "Tiếng Việt", "Português",
                                                     "Tagalog", "नेपाली"]
    for line in ("ことばを えらんでください。", "请选择语言。", "Hãy chọn ngôn ngữ.", "भाषा छान्नुहोस्।"):
        assert line in menu.text
    assert chat.state.lang == "ja" and chat.state.state is State.WHO  # nothing changed yet


@pytest.mark.parametrize("lang", OTHERS)
def test_picking_a_language_asks_the_first_question_in_it(lang):
    chat = Chat()
    chat.start()
    chat.tap("nav:language")
    chat.tap(f"lang:{lang}")
    assert chat.state.lang == lang
    assert wording(lang)["prompts"]["who"] in chat.texts
    assert f"who:self" in chat.buttons


@pytest.mark.parametrize("typed, lang", [
    ("中文", "zh"), ("中国語", "zh"), ("Tiếng Việt", "vi"), ("tieng viet", "vi"), ("Português", "pt"),
    ("PORTUGUES", "pt"), ("Tagalog", "tl"), ("नेपाली", "ne"), ("English", "en"),
])
def test_typing_a_language_name_switches_to_it(typed, lang):
    chat = Chat()
    chat.start()
    chat.tap("who:self")
    chat.say(typed)
    assert chat.state.lang == lang
    assert wording(lang)["prompts"]["name_self"] in chat.texts  # the same question, in that language
    assert typed not in chat.state.concern  # a command, not a worry


def test_a_chinese_conversation_can_go_back_to_japanese_by_typing_nihongo():
    chat = Chat()
    chat.start()
    chat.say("中文")
    chat.say("日本語")
    assert chat.state.lang == "ja" and "だれの ことで" in chat.texts


@pytest.mark.parametrize("hint, lang", [("zh-TW", "zh"), ("vi", "vi"), ("pt_BR", "pt"), ("ne-NP", "ne"),
                                        ("fr", "ja"), ("", "ja")])
def test_a_channel_hint_at_first_contact_sets_the_language(hint, lang):
    chat = Chat()
    chat.send(Input(InputKind.START, lang=hint))
    assert chat.state.lang == lang
    assert wording(lang)["prompts"]["who"] in chat.texts


def test_the_hint_never_overrides_a_language_the_resident_chose():
    chat = Chat()
    chat.send(Input(InputKind.START, lang="en"))
    chat.say("日本語")
    chat.send(Input(InputKind.START, lang="en"))  # the page opened again, or LINE re-followed
    assert chat.state.lang == "ja"


def test_after_submitting_a_typed_language_name_answers_in_it():
    from dialogs.engine import Context, step

    chat = Chat()
    chat.start()  # (then submitted: the conversation is idle while staff have the intake open)
    chat.state.state = State.IDLE
    result = step(chat.state, Input(InputKind.TEXT, text="Português"), Context(now=chat.now, followup="R-0001"))
    assert result.state.lang == "pt"
    assert "Sua consulta anterior (número R-0001)" in result.messages[-1].text
    assert [c.label for c in result.messages[-1].choices] == ["Nova consulta", "Falar com uma pessoa"]
    assert not [e for e in result.effects if e.name == "followup"]  # a command, not words to add


# ---- a whole intake in each language ------------------------------------------------------

@pytest.mark.parametrize("lang", OTHERS)
def test_a_resident_completes_an_intake_in_their_language(lang):
    w = wording(lang)
    chat = Chat()
    chat.start()
    chat.tap("nav:language")
    chat.tap(f"lang:{lang}")
    chat.tap("who:self")
    assert w["prompts"]["name_self"] in chat.texts
    chat.say("Mai")
    chat.tap("age:18_39")
    chat.tap("nav:skip")  # area
    chat.tap("household:alone")
    chat.tap("nav:done")
    assert chat.state.state is State.CONCERN
    chat.tap("nav:none")
    assert chat.state.state is State.CHECKLIST
    first_group = checklist.groups()[0]
    assert first_group["label"][lang] in chat.texts
    labels = [c.label for m in chat.last.messages for c in m.choices]
    assert checklist.item_label("rent_loan", lang) in labels
    chat.tap("checklist:rent_loan")
    chat.tap("checklist:debt")
    for _ in checklist.groups():
        chat.tap("nav:next")
    chat.tap("primary:debt")
    chat.tap("nav:skip") if "nav:skip" in chat.buttons else chat.say("OK")
    chat.tap("since:over_1y")
    chat.tap("contact:line")
    chat.tap("contact_time:anytime")
    assert "consent_share:yes" in chat.buttons
    consent_text = load_yaml("consent.yaml")["purposes"]["share"][lang].splitlines()[0]
    assert consent_text in chat.texts
    chat.tap("consent_share:yes")
    chat.tap("consent_meeting:no")
    assert chat.state.state is State.CONFIRM
    assert "◎" + checklist.item_label("debt", lang) in chat.texts  # the summary in that language
    done = chat.tap("confirm:submit")
    assert w["messages"]["done"].split("{receipt_no}")[0].strip() in chat.texts
    submitted = chat.effect("submit").data
    assert submitted["lang"] == lang
    assert submitted["consents"]["share"]["lang"] == lang
    assert submitted["consents"]["share"]["wording"].splitlines()[0] == consent_text
    assert done.state.lang == lang  # a later conversation stays in it


# ---- a crisis in each language ------------------------------------------------------------

@pytest.mark.parametrize("lang", OTHERS)
def test_a_crisis_in_a_chosen_language_gets_its_wording_and_names(lang):
    """Even typed in Japanese: the resident chose this language, the numbers come in it."""
    chat = Chat()
    chat.start()
    chat.tap("nav:language")
    chat.tap(f"lang:{lang}")
    result = chat.say("もう死にたい")
    crisis = result.messages[0]
    assert crisis.kind == "crisis" and "0120-783-556" in crisis.text
    assert crisis.text.startswith(wording(lang)["messages"]["crisis_header"])
    names = load_yaml("emergency_numbers.yaml")["numbers"]
    expected = names["inochi"].get(lang) or names["inochi"]["ja"]
    assert expected in crisis.text


# ---- a resident who writes in another language --------------------------------------------

def test_a_first_message_in_portuguese_offers_the_dialog_in_portuguese():
    chat = Chat()
    chat.start()
    result = chat.say("Não tenho dinheiro para pagar o aluguel deste mês")
    texts = [m.text for m in result.messages]
    assert wording("pt")["messages"]["language_offer"] in texts  # said in Portuguese
    assert result.messages[-1].choices[-1].value == "lang:pt"  # one tap, on the question LINE shows
    assert len(result.messages[-1].choices) <= 13
    assert chat.state.lang == "ja"  # offered, not imposed
    chat.tap("lang:pt")
    assert chat.state.lang == "pt" and wording("pt")["prompts"]["who"] in chat.texts
    assert "Não tenho dinheiro para pagar o aluguel deste mês" in chat.state.concern  # kept


@pytest.mark.parametrize("words, lang", [
    ("我没有钱交房租，也找不到工作", "zh"),
    ("Tôi không có tiền trả tiền nhà tháng này", "vi"),
    ("Wala akong pera pambayad ng upa ngayong buwan", "tl"),
    ("मसँग घरभाडा तिर्ने पैसा छैन", "ne"),
    ("I cannot pay my rent this month", "en"),
])
def test_a_first_message_in_another_language_offers_that_language(words, lang):
    chat = Chat()
    chat.start()
    result = chat.say(words)
    assert wording(lang)["messages"]["language_offer"] in [m.text for m in result.messages]
    assert f"lang:{lang}" in chat.buttons


def test_a_hindi_message_is_not_offered_nepali():
    chat = Chat()
    chat.start()
    chat.say("मेरे पास किराया देने के पैसे नहीं हैं")  # Hindi: same script as Nepali, other words
    assert "lang:ne" not in chat.buttons


def test_a_japanese_message_gets_no_offer_and_a_later_one_neither():
    chat = Chat()
    chat.start()
    chat.say("家賃が払えません")
    assert not [v for v in chat.buttons if v.startswith("lang:")]
    chat.tap("who:self")
    chat.say("Maria")  # a name, in the middle of the dialog: no offer
    assert not [v for v in chat.buttons if v.startswith("lang:")]


def test_a_crisis_in_vietnamese_gets_the_numbers_with_vietnamese_names():
    chat = Chat()
    result = chat.say("Chồng tôi đang đánh tôi, tôi rất sợ")
    crisis = result.messages[0]
    assert crisis.kind == "crisis"
    numbers = load_yaml("emergency_numbers.yaml")["numbers"]
    assert crisis.text.startswith(wording("vi")["messages"]["crisis_header"])
    assert f"☎ 110  {numbers['police']['vi']}" in crisis.text
    assert numbers["dv_plus"]["vi"] in crisis.text
    assert "lang:vi" in chat.buttons  # and the dialog is offered in Vietnamese
    assert chat.effect("crisis").data["kind"] == "violence"


def test_a_crisis_in_chinese_gets_the_numbers_in_chinese():
    chat = Chat()
    result = chat.say("我丈夫现在在打我")
    crisis = result.messages[0]
    assert crisis.kind == "crisis" and crisis.text.startswith(wording("zh")["messages"]["crisis_header"])
    assert load_yaml("emergency_numbers.yaml")["numbers"]["police"]["zh"] in crisis.text
