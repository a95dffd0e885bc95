from datetime import datetime, timezone

from console.views import labels


def test_jst_from_aware_and_naive_utc():
    assert labels.jst(datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)) == "2026-11-21 00:30"
    assert labels.jst(datetime(2026, 11, 20, 15, 30)) == "2026-11-21 00:30"  # SQLite hands back naive UTC
    assert labels.jst(None) == "—"


def test_choice_labels_match_what_the_dialog_stores():
    assert labels.choice("age", "4064") == "40〜64歳"  # the dialog stores str(4064) today
    assert labels.choice("age", "40_64") == "40〜64歳"
    assert labels.choice("since", "3_6m") == "3か月〜半年前"
    assert labels.choice("since", None) == "—"
    assert labels.choice("since", "someday") == "someday"


def test_items_and_unknown_ids():
    assert labels.item("dv_abuse") == "DV・虐待について"
    assert labels.item("no_such_item") == "no_such_item"
    assert labels.label(labels.REPORTERS, "minsei") == "民生委員"


def test_consent_status():
    assert labels.consent_status("family", {}) == [("", "未確認(第三者)", "unknown")]
    assert labels.consent_status("self", {}) == [("", "未回答", "unknown")]
    assert labels.consent_status("self", {"meeting": "declined", "share": "granted"}) == [
        ("情報共有", "同意あり", "yes"), ("会議", "同意なし", "no")]
    assert labels.consent_status("self", {"share": "withdrawn"}) == [("情報共有", "同意なし（撤回）", "no")]
