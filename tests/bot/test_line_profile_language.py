"""LINE's profile language as the dialog's hint at first contact: signed webhooks through
/callback, the worker asks the fake LINE server for GET /v2/bot/profile/{userId}.

A follow greets in the profile's language; a first message in no language we can tell is
answered with a one-tap offer of it; anything going wrong (404, LINE down, slow, no language)
leaves the resident in Japanese. One profile request per resident, and the user id is never
logged."""
from __future__ import annotations

import logging

import pytest

from dialogs.texts import wording

JA_GREETING = "こんにちは。"


def test_a_follow_greets_in_the_profile_language(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="en")
    greeting = resident.follow()
    assert any(t.startswith("Hello. This is Tsunagu") for t in greeting), greeting
    assert not any(JA_GREETING in t for t in greeting)
    assert [r["status"] for r in fake_line.profile_requests] == [200]


def test_a_regional_code_picks_the_language(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="zh-TW")
    greeting = resident.follow()
    assert any(t.startswith("您好。") for t in greeting), greeting


def test_a_japanese_profile_stays_japanese(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="ja")
    assert any(JA_GREETING in t for t in resident.follow())


def test_a_language_we_do_not_have_stays_japanese(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="ko")
    assert any(JA_GREETING in t for t in resident.follow())


@pytest.mark.parametrize("trouble", ["no profile (404)", "LINE down (500)", "no language in it"])
def test_when_the_profile_cannot_help_the_dialog_goes_on_in_japanese(resident, fake_line, trouble):
    if trouble == "LINE down (500)":
        fake_line.set_profile(resident.user_id, language="en")
        fake_line.fail_next(500, endpoint="profile")
    elif trouble == "no language in it":
        fake_line.set_profile(resident.user_id, language=None)
    greeting = resident.follow()
    assert any(JA_GREETING in t for t in greeting), greeting
    assert any("だれの ことで" in t for t in greeting)  # the first question follows as usual
    assert len(fake_line.profile_requests) == 1


def test_a_slow_profile_is_not_waited_for(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="en")
    fake_line.delay_next(4, endpoint="profile")
    greeting = resident.follow()
    assert any(JA_GREETING in t for t in greeting)


def test_writing_first_offers_the_profile_language(resident, fake_line):
    """No follow seen (added before the bot, or the event was lost): the first message is
    answered in Japanese with a one-tap offer in the profile's language."""
    fake_line.set_profile(resident.user_id, language="pt-BR")
    texts = resident.say("??")
    assert wording("pt")["messages"]["language_offer"] in texts
    assert {"type": "postback", "label": "Português", "data": "lang:pt"}.items() <= \
        {k: v for b in resident.last_quick_reply() if b["data"] == "lang:pt" for k, v in b.items()}.items()
    after = resident.tap("lang:pt")
    assert wording("pt")["prompts"]["who"] in after  # the question again, now in Portuguese


def test_writing_first_in_japanese_is_not_offered_another_language(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="en")
    texts = resident.say("家賃が払えません")
    assert wording("en")["messages"]["language_offer"] not in texts
    assert "lang:en" not in [b["data"] for b in resident.last_quick_reply()]


def test_the_profile_is_asked_once_per_resident(resident, fake_line):
    fake_line.set_profile(resident.user_id, language="en")
    resident.follow()
    resident.tap("who:self")
    resident.say("hello")
    resident.follow()  # blocked and added again later: the conversation already has its language
    assert len(fake_line.profile_requests) == 1


def test_the_user_id_is_never_logged(resident, fake_line, caplog):
    caplog.set_level(logging.DEBUG)
    fake_line.set_profile(resident.user_id, language="en")
    resident.follow()
    other = type(resident)(resident.app, resident.client, resident.fake, resident.secret)
    fake_line.fail_next(404, endpoint="profile")
    other.follow()
    assert len(fake_line.profile_requests) == 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/v2/bot/profile/" in logged or "profile" in logged  # the calls were logged...
    assert resident.user_id not in logged and other.user_id not in logged  # ...without the user id


def test_a_first_message_in_a_language_we_can_tell_does_not_ask_for_the_profile(resident, fake_line):
    """The dialog goes by the language the message is written in, so the profile would not be
    used: no request (it cost as much as the rest of the step)."""
    fake_line.set_profile(resident.user_id, language="en")
    texts = resident.say("家賃が払えません")
    assert texts and wording("en")["messages"]["language_offer"] not in texts  # answered, in Japanese
    assert fake_line.profile_requests == []
    other = type(resident)(resident.app, resident.client, fake_line, resident.secret)
    fake_line.set_profile(other.user_id, language="en")
    other.say("??")  # no language in it: the profile is asked, and its language offered
    assert [r["status"] for r in fake_line.profile_requests] == [200]
