"""Neutral messages -> LINE message batches: what LINE would accept and show."""
from __future__ import annotations

import uuid

import pytest

from bot.line.render import render_batches
from bot.line.sender import LineSender
from dialogs.messages import Choice, Message
from tests.fakeline.fixtures import fake_line  # noqa: F401

USER = "U" + "1" * 32


def choices(n: int) -> tuple[Choice, ...]:
    return tuple(Choice(f"選択肢{i}", f"v{i}") for i in range(n))


def texts(batches: list[list[dict]]) -> list[str]:
    return [m["text"] for batch in batches for m in batch]


def test_choices_become_postback_quick_reply_buttons():
    [[message]] = render_batches(
        [Message("だれのことで相談しますか？", (Choice("自分", "self"), Choice("家族", "family")))]
    )
    assert message["type"] == "text"
    assert message["text"] == "だれのことで相談しますか？"
    assert message["quickReply"]["items"] == [
        {
            "type": "action",
            "action": {"type": "postback", "label": "自分", "data": "self", "displayText": "自分"},
        },
        {
            "type": "action",
            "action": {
                "type": "postback", "label": "家族", "data": "family", "displayText": "家族",
            },
        },
    ]


def test_message_without_choices_has_no_quick_reply():
    [[message]] = render_batches([Message("ありがとうございました。", kind="info")])
    assert message == {"type": "text", "text": "ありがとうございました。"}


def test_thirteen_choices_fit_fourteen_are_refused_loudly():
    [[message]] = render_batches([Message("どれですか？", choices(13))])
    assert len(message["quickReply"]["items"]) == 13
    with pytest.raises(ValueError, match="14 choices"):
        render_batches([Message("どれですか？", choices(14))])


def test_long_label_is_truncated_with_ellipsis_and_value_kept():
    long_label = "生活費・家賃・借金などお金のことで困っている"  # 22 characters
    [[message]] = render_batches([Message("どれですか？", (Choice(long_label, "money"),))])
    action = message["quickReply"]["items"][0]["action"]
    assert len(action["label"]) == 20
    assert action["label"] == long_label[:19] + "…"
    assert action["displayText"] == action["label"]
    assert action["data"] == "money"


def test_label_of_exactly_twenty_characters_is_untouched():
    label = "あ" * 20
    [[message]] = render_batches([Message("?", (Choice(label, "a"),))])
    assert message["quickReply"]["items"][0]["action"]["label"] == label


def test_postback_data_over_300_is_refused():
    render_batches([Message("?", (Choice("はい", "x" * 300),))])  # the limit itself is fine
    with pytest.raises(ValueError, match="postback data"):
        render_batches([Message("?", (Choice("はい", "x" * 301),))])


def test_empty_text_is_refused():
    with pytest.raises(ValueError):
        render_batches([Message("")])


def test_long_text_is_split_at_line_breaks_without_losing_content():
    paragraph = "相談の内容をうかがいました。担当者から連絡します。"  # 25 chars
    lines = [f"{i:03d}{paragraph}" for i in range(400)]  # 400 lines x 28 chars
    text = "\n".join(lines)
    assert len(text) > 10000

    [parts] = render_batches([Message(text, kind="info")])
    assert len(parts) == 3
    assert all(1 <= len(p["text"]) <= 5000 for p in parts)
    # every cut is at a line break: no line is torn apart, nothing lost or reordered
    assert "\n".join(texts([parts])) == text
    assert all(p["text"].split("\n")[0] in lines for p in parts)


def test_long_text_without_line_breaks_is_split_after_a_sentence():
    sentence = "今日は区役所に行きました。"  # 13 chars, ends with 。
    text = sentence * 500  # 6500 chars, no newline
    [parts] = render_batches([Message(text, kind="info")])
    assert [len(p["text"]) for p in parts] == [4992, 1508]
    assert parts[0]["text"].endswith("。")
    assert "".join(texts([parts])) == text


def test_text_without_any_boundary_is_cut_hard_at_the_limit():
    text = "あ" * 12001
    [parts] = render_batches([Message(text, kind="info")])
    assert [len(p["text"]) for p in parts] == [5000, 5000, 2001]


def test_emoji_count_double_so_a_split_never_exceeds_limit_in_utf16():
    text = "😀" * 2600  # 2600 characters, 5200 UTF-16 units
    [parts] = render_batches([Message(text, kind="info")])
    assert "".join(texts([parts])) == text
    assert all(len(p["text"].encode("utf-16-le")) // 2 <= 5000 for p in parts)


def test_split_question_keeps_buttons_on_its_last_part():
    text = "あ" * 5000 + "\n" + "どれですか？"
    [parts] = render_batches([Message(text, choices(2))])
    assert [("quickReply" in p) for p in parts] == [False, True]
    assert parts[1]["text"] == "どれですか？"


def test_batches_hold_at_most_five_messages_in_order():
    messages = [Message(f"お知らせ{i}", kind="info") for i in range(12)]
    batches = render_batches(messages)
    assert [len(b) for b in batches] == [5, 5, 2]
    assert texts(batches) == [f"お知らせ{i}" for i in range(12)]


def test_message_with_choices_closes_its_batch_so_its_buttons_show():
    messages = [
        Message("ようこそ。", kind="info"),
        Message("はじめますか？", (Choice("はい", "yes"), Choice("いいえ", "no"))),
        Message("補足です。", kind="info"),
        Message("もう一つ。", (Choice("OK", "ok"),)),
    ]
    batches = render_batches(messages)
    assert [[m["text"] for m in b] for b in batches] == [
        ["ようこそ。", "はじめますか？"],
        ["補足です。", "もう一つ。"],
    ]
    for batch in batches:
        # LINE shows only the quick reply of the last message of a request
        assert all("quickReply" not in m for m in batch[:-1])
        assert "quickReply" in batch[-1]


def test_no_messages_no_batches():
    assert render_batches([]) == []


def test_rendered_batches_are_accepted_by_line(fake_line):
    """Everything near the limits at once goes through the (validating) fake LINE."""
    messages = [Message(f"お知らせ{i}", kind="info") for i in range(6)] + [
        Message("とても長い説明です。\n" * 600, kind="info"),
        Message(
            "どれにあてはまりますか？",
            tuple(Choice("とても長いボタンの名前になってしまった選択肢" + str(i), "d" * 300)
                  for i in range(13)),
        ),
        Message("緊急の場合は110番・119番へ。", kind="crisis"),
    ]
    batches = render_batches(messages)
    sender = LineSender(fake_line.base_url, fake_line.access_token)

    first = sender.reply(fake_line.issue_reply_token(USER), batches[0])
    assert first.outcome == "sent"
    for batch in batches[1:]:
        assert sender.push(USER, batch, str(uuid.uuid4())).outcome == "sent"

    delivered = fake_line.messages_to(USER)
    assert delivered == [m for b in batches for m in b]
    assert "\n".join(m["text"] for m in delivered[6:-2]) == "とても長い説明です。\n" * 600
    assert delivered[-1]["text"] == "緊急の場合は110番・119番へ。"
