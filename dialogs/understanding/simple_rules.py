"""A first, simple rule list (to be replaced by the real classifier)."""
from __future__ import annotations

import unicodedata

CRISIS_RULES = {
    "suicide": ["死にたい", "しにたい", "いなくなりたい", "消えたい", "きえたい", "自殺"],
    "violence": ["殴られ", "なぐられ", "たたかれ", "叩かれ", "暴力をふるわれ", "蹴られ"],
    "child_abuse": ["子どもをたたいてしまう", "虐待されて", "ぎゃくたい"],
    "starvation": ["何日も食べていない", "食べるものがない", "今夜寝るところがない", "寝る場所がない"],
}
NOT_CRISIS = ["死ぬほど眠い", "死ぬほどねむい", "死ぬほど疲れ"]

CATEGORY_RULES = {
    "income": ["収入", "生活費", "お金がない"],
    "rent_loan": ["家賃", "ローン"],
    "tax_utilities": ["税金", "公共料金", "電気代", "ガス代", "水道代"],
    "debt": ["借金", "債務"],
    "household_budget": ["家計"],
    "food": ["食べるものがない", "食べ物"],
    "housing": ["住まい", "家がない"],
    "job_search": ["仕事探し", "就職", "仕事がない"],
    "work_trouble": ["職場", "パワハラ"],
    "mental": ["こころ", "眠れない", "つらい"],
    "health": ["病気", "病院"],
    "caregiving": ["介護", "世話"],
    "childcare": ["子育て", "育児"],
    "hikikomori": ["ひきこもり", "引きこもり", "不登校"],
    "family": ["家族", "夫", "妻"],
    "community": ["近所", "地域"],
    "dv_abuse": ["DV", "暴力", "虐待", "殴られ", "たたかれ"],
}


def classify_text(text: str):
    from . import Understanding

    norm = unicodedata.normalize("NFKC", text)
    evidence: list[str] = []
    crisis_kind = None
    if not any(phrase in norm for phrase in NOT_CRISIS):
        for kind, phrases in CRISIS_RULES.items():
            hits = [p for p in phrases if p in norm]
            if hits:
                crisis_kind = crisis_kind or kind
                evidence += hits
    categories = [cid for cid, words in CATEGORY_RULES.items() if any(w in norm for w in words)]
    for cid, words in CATEGORY_RULES.items():
        evidence += [w for w in words if w in norm and cid in categories and w not in evidence]
    return Understanding(
        categories=categories,
        crisis=crisis_kind is not None,
        crisis_kind=crisis_kind,
        evidence=evidence,
    )
