"""The statistical second opinion on crises (dialogs/understanding/model.py)."""
from __future__ import annotations

import json

import pytest

from dialogs.understanding import classify
from dialogs.understanding.classifier import analyse
from dialogs.understanding.model import MODEL_FILE, probabilities


def test_shipped_model_matches_what_the_labelled_data_trains():
    from dialogs.understanding.train import agrees, fit, load_rows

    rows = load_rows()
    vectorizer, classifier = fit(rows)
    assert agrees(vectorizer, classifier, rows) < 1e-3  # else: python -m dialogs.understanding.train


def test_the_final_measurement_set_is_never_trained_on():
    # blind4 was measured once and is now training data too: every training set must be a
    # labelled file that exists in tests/data
    from dialogs.understanding.train import DATA

    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert shipped["training_sets"]
    for name in shipped["training_sets"]:
        assert (DATA / f"{name}.jsonl").is_file(), name


@pytest.mark.parametrize("text", [
    "ベランダの手すりを越えたら全部終わるのかなって、毎晩外を見てる",
    "義理の父が酔うと娘の部屋に入ってくる。娘はおびえている",
])
def test_wordings_the_rules_do_not_know_are_still_caught(text):
    assert analyse(text)[1] == []  # the rules alone miss it
    understood = classify(text)
    assert understood.crisis and understood.evidence  # the sentence to highlight
    assert all(e in text for e in understood.evidence)
    assert "mental" in understood.categories or "dv_abuse" in understood.categories


@pytest.mark.parametrize("text", ["死ぬほど眠い", "殺人的な暑さですね", "借金はありません", "今日はいい天気ですね", ""])
def test_the_model_does_not_turn_ordinary_words_into_a_crisis(text):
    assert not classify(text).crisis


def test_probabilities_are_a_distribution_over_none_and_the_labelled_kinds():
    probs = probabilities("もう何日も食べていない")
    assert {"none", "suicide", "violence", "child_abuse", "starvation", "elder_abuse", "welfare_check"} <= set(probs)
    assert abs(sum(probs.values()) - 1) < 1e-9


@pytest.mark.parametrize("text", ["English", "Thank you", "I cannot pay my rent.", "<b>hi</b>", "<script>alert(1)</script>",
                                  "OK", "Hello, how are you?", "Good morning"])
def test_the_model_is_not_asked_about_text_it_has_no_features_for(text):
    # issue 8 item 5: the Japanese model called 11 of 12 English sentences a starvation crisis
    assert not classify(text).crisis


@pytest.mark.parametrize("text", ["たろう", "じろう", "はなこ", "まさお", "元本郷町", "さとう"])
def test_a_name_or_a_place_typed_at_its_question_is_no_crisis(text):
    # after the issue-8 retraining the model called 「たろう」 a suicide risk; short names are in dev now
    assert not classify(text).crisis


@pytest.mark.parametrize("text", [
    "夫は昼まで寝ています",  # walk2 B1: was a starvation crisis with ◎ 食べるものがない
    "子どもが寝ている間に書いています",  # walk2 B1: was child_abuse with 189 first
    "午前中は家にいます。夫は昼まで寝ています",
    # not in the labelled data: other everyday sleep sentences
    "息子が寝てから書いてます",
    "主人はまだ寝ています",
    "父は一日中寝てばかりです",
    "妻はもう寝ました",
    "眠いのでまた明日",
])
def test_an_everyday_sentence_about_sleeping_is_no_crisis(text):
    assert not classify(text).crisis


def test_rent_and_a_wish_to_die_is_suicide_only_not_starvation():
    understood = classify("やっぱり まだ家賃が払えません。死にたい")
    assert understood.crisis_kinds == ["suicide"]
    assert "food" not in understood.categories


@pytest.mark.parametrize("text", ["今夜寝る場所がありません", "路上で寝ています", "何日も食べてない"])
def test_nowhere_to_sleep_and_nothing_to_eat_stay_crises(text):
    assert classify(text).crisis_kind == "starvation"


@pytest.mark.parametrize("text", ["お金がない", "お金がない。", "お金がないです"])
def test_a_worry_the_rules_read_in_full_is_not_made_a_crisis_by_the_model(text):
    """The model is asked about wordings the rules have never seen; it read お金がない alone as
    having no food (a crisis, and after hours an on-call alert). A worry about money, read."""
    understood = classify(text)
    assert not understood.crisis
    assert understood.categories == ["income"]


@pytest.mark.parametrize("text", ["殺したいほどかわいい", "孫が殺したいくらい可愛い"])
def test_a_fond_idiom_is_no_violence(text):
    assert not classify(text).crisis


@pytest.mark.parametrize("text", ["殺したいほど憎い", "お金がなくて食べ物が買えない", "住むところがない"])
def test_the_same_words_in_earnest_stay_crises(text):
    assert classify(text).crisis
