"""Japanese labels for what the intake stores as ids. Staff wording, not resident wording."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from console import i18n
from dialogs import checklist
from dialogs.texts import load_yaml, wording
from models.base import as_utc

JST = ZoneInfo("Asia/Tokyo")
NONE = "—"

CHANNELS = {"line": "LINE", "web": "Web"}
REPORTERS = {"self": "本人", "family": "家族", "neighbor": "近所", "minsei": "民生委員",
             "professional": "専門職", "anonymous": "未回答（匿名）"}
CRISIS_KINDS = {"suicide": "自殺の危険", "violence": "暴力・DV", "child_abuse": "子どもへの虐待",
                "starvation": "食事・寝る場所がない", "medical": "急病・けが（119）",
                "elder_abuse": "高齢者・障害者への虐待", "welfare_check": "安否確認",
                "sexual_violence": "性暴力"}
CONSENT_PURPOSES = {"share": "情報共有", "meeting": "会議", "contact": "連絡", "voicemail": "留守電"}
CONSENT_ACTIONS = {"granted": "同意", "declined": "不同意", "withdrawn": "撤回"}
CONTACT_METHODS = {"line": "LINE", "chat": "Webチャット", "phone": "電話", "office": "来所", "visit": "訪問",
                   "letter": "手紙（郵送）", "none": "連絡不要"}


def now_jst() -> datetime:
    return datetime.now(JST)


def jst(value: datetime | None) -> str:
    return as_utc(value).astimezone(JST).strftime("%Y-%m-%d %H:%M") if value else NONE


def label(table: dict[str, str], value: str | None) -> str:
    return NONE if value is None else table.get(value, value)


def item(item_id: str) -> str:
    try:
        return checklist.item_label(item_id, i18n.current())  # the dialog has the same languages
    except KeyError:
        return item_id


def choice(name: str, value: str | None) -> str:
    """A dialog answer (age band, household, since, ...) as the choice label staff know."""
    if value in (None, ""):
        return NONE
    # "40_64" and 4064 compare equal: unquoted 40_64 in YAML 1.1 is the integer 4064
    wanted = str(value).replace("_", "")
    for c in wording(i18n.current())["choices"].get(name, []):
        if str(c["value"]).replace("_", "") == wanted:
            office = load_yaml("office.yaml")  # contact times name the office hours
            return c["label"].format(open=office["open"], close=office["close"])
    return str(value)


# household values written before members were recorded one by one
LEGACY_HOUSEHOLDS = {"couple": "夫婦だけ", "parent_adult_child": "高齢の親と大人の子",
                     "with_children": "子どもがいる", "with_care_needs": "介護が必要な人がいる"}


def household(row) -> str:
    """Household members as staff read them (8050 = 高齢の親 + 大人の子ども)."""
    if row is None:
        return NONE
    if row.members:
        return i18n.t("、").join(choice("household", m) for m in row.members)
    if row.composition:
        return LEGACY_HOUSEHOLDS.get(row.composition) or choice("household", row.composition)
    return NONE


# the reporter role of an intake whose resident has not yet said who they are writing about (a
# crisis line or 人と話したい before the first question; also the anonymous reporter of earlier
# releases): perhaps the person themself, so never shown or triaged as a third party
WHO_UNANSWERED = "anonymous"


def is_third_party(reporter_role: str) -> bool:
    return reporter_role not in ("self", WHO_UNANSWERED)


def consent_status(reporter_role: str, latest: dict[str, str]) -> list[tuple[str, str, str]]:
    """[(purpose label, status label, css class)] from the newest action of each purpose."""
    if not latest:
        if is_third_party(reporter_role):
            return [("", "未確認(第三者)", "unknown")]  # a reporter cannot consent for the person
        return [("", "未回答", "unknown")]
    shown = {"granted": ("同意あり", "yes"), "declined": ("同意なし", "no"), "withdrawn": ("同意なし（撤回）", "no")}
    rows = []
    if reporter_role == "self" and "share" not in latest:  # e.g. 人と話したい before the consent questions
        rows.append((label(CONSENT_PURPOSES, "share"), "未回答", "unknown"))
    for purpose in sorted(latest, key=lambda p: list(CONSENT_PURPOSES).index(p) if p in CONSENT_PURPOSES else 99):
        text, css = shown.get(latest[purpose], (latest[purpose], "unknown"))
        rows.append((label(CONSENT_PURPOSES, purpose), text, css))
    return rows
