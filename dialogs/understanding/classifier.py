"""classify(text) -> Understanding, built on engine.py (rules) and the YAML lexicon."""
from __future__ import annotations

import re

from .engine import (
    CATEGORY_IDS,
    CRISIS_PRIORITY,
    Lexicon,
    Match,
    Tok,
    _is_sentence_end,
    find_matches,
    lexicon,
    negated_after,
    tokenize,
)
from .normalize import Normalized, hiragana_view, normalize

_KATAKANA = re.compile(r"[\u30a1-\u30f6]")
_AGE = re.compile(r"(\d+)\s*(?:歳|才|さい)")
_PASSIVE = {"れる", "られる"}
_PARTNERS = {"彼氏", "交際相手", "同棲相手", "パートナー", "恋人", "元夫", "元彼", "婚約者"}
_BODY = {"頭", "顔", "頬", "体", "背中", "腕", "足", "脚", "腹", "お腹", "首", "髪", "尻", "胸", "手"}


def _sentence_ids(toks: list[Tok]) -> list[int]:
    ids, sid = [], 0
    for t in toks:
        ids.append(sid)
        if _is_sentence_end(t):
            sid += 1
    return ids


def _child_in_text(lex: Lexicon, text: str) -> bool:
    if any(c in text for c in lex.child_age_cues):
        return True
    return any(int(a) < 18 for a in _AGE.findall(text))


def _writer_did_it(toks: list[Tok], sids: list[int], m: Match) -> bool:
    """「…してしまった」 after an active violent act: the writer did it."""
    sid = sids[m.first]
    if any(toks[k].base in _PASSIVE for k in range(m.first, min(m.last + 3, len(toks))) if sids[k] == sid):
        return False
    return any(toks[k].base in ("しまう", "ちゃう", "じゃう") for k in range(m.last, min(m.last + 8, len(toks)))
               if sids[k] == sid)


def _child_mentioned(lex: Lexicon, toks: list[Tok], text: str) -> bool:
    if _child_in_text(lex, text):
        return True
    return any(t.norm in lex.child_strong or t.surface in lex.child_strong for t in toks)


def _particle_after(toks: list[Tok], k: int) -> str:
    """The particle that says what noun k does: 孫が, 母（82）が (past the age in brackets);
    「の」 before a body part counts as 「を」 (息子の頭を殴る: the son is hit)."""
    j = k + 1
    if j < len(toks) and toks[j].surface in ("(", "（"):
        while j < len(toks) and toks[j].surface not in (")", "）") and j - k < 6:
            j += 1
        j += 1
    nxt = toks[j] if j < len(toks) else None
    particle = nxt.surface if nxt is not None and nxt.pos0 == "助詞" else ""
    if particle == "の" and j + 1 < len(toks) and toks[j + 1].norm in _BODY:
        particle = "を"
    return particle


def _victim_is_child(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, text: str) -> bool:
    """Violence against a child -> child_abuse (子どもを叩いてしまう, 隣の子が叩かれている)."""
    child_ctx = _child_in_text(lex, text)
    minor_writer = any(c in text for c in lex.minor_writer_cues)

    def is_child(t: Tok) -> bool:
        if t.norm in lex.child_strong or t.surface in lex.child_strong:
            return True
        return child_ctx and (t.norm in lex.child_weak or t.surface in lex.child_weak)

    sid = sids[m.first]
    passive = any(toks[k].base in _PASSIVE for k in range(m.first, min(m.last + 3, len(toks)))
                  if sids[k] == sid)
    src = m.pattern.source
    if "虐待" in src:
        # 虐待 about a child unless the sentence is about an older person (施設で母が虐待)
        sent = [t for k, t in enumerate(toks) if sids[k] == sid]
        if any(is_child(t) for t in sent):
            return True
        return not any(t.norm in lex.elder_cues or t.surface in lex.elder_cues for t in sent)
    subject_found = False
    weak_object = False
    k = m.first - 1
    if any(w in src for w in ("叫び", "悲鳴", "泣き", "音")):
        # a noise through the wall: a child's voice makes it child abuse
        sent = [t for k, t in enumerate(toks) if sids[k] == sid]
        return any(t.norm in lex.child_strong or t.surface in lex.child_strong for t in sent)
    while k >= 0 and sids[k] == sid and m.first - k <= 30:
        t = toks[k]
        particle = _particle_after(toks, k)
        if t.pos0 in ("名詞", "代名詞") and particle:
            if particle in ("が", "は", "も"):
                subject_found = True
            if particle == "を" and not passive and (t.norm in lex.child_weak or t.surface in lex.child_weak):
                weak_object = True  # 夫が息子を殴る: a parent hitting their son
            if is_child(t):
                if particle == "を":
                    return True
                if particle in ("が", "は", "も", "の") and passive:
                    return True
                if particle == "に" and not passive:
                    return True
        k -= 1
    if weak_object:
        return True
    # a child writing about being hit (私は小学生です。お母さんにたたかれる)
    if passive and minor_writer and not subject_found:
        return True
    if passive and minor_writer:
        return True
    return False


_ELDER_AGE = re.compile(r"(\d+)\s*(?:歳|才|さい)|(\d+)\s*代|[（(]\s*(\d+)\s*(?:歳|才)?\s*[)）]")


_WRITER_AGE = re.compile(r"(?:私|わたし|僕|自分)は(?:もう|今年)?\s*(\d+)\s*(?:歳|才)?(?:です|になり|で|。)")


def _old_age(text: str) -> bool:
    """An age of 65 or more (85歳, 母（78）) or 60代 and up."""
    for years, decade, paren in _ELDER_AGE.findall(text):
        if (years and int(years) >= 65) or (decade and int(decade) >= 60) or (paren and int(paren) >= 65):
            return True
    return False


_ADULT_KIN = {"孫", "甥", "姪", "甥御", "姪御"}
_PARTNER_WORDS = {"夫", "妻", "旦那", "主人", "嫁", "彼女", "奥さん", "家内", "亭主"}


def _elder_not_child(lex: Lexicon, toks: list[Tok], text: str) -> bool:
    """A child-abuse sign in a message about an old person and no child (祖母が痩せてて, 甥御さんが
    おばあさん（88）を叩く): 孫 / 甥 are kin here, not children."""
    if _child_in_text(lex, text) or any(
            (t.norm in lex.child_strong or t.surface in lex.child_strong) and t.surface not in _ADULT_KIN
            and t.norm not in _ADULT_KIN for t in toks):
        return False
    return _old_age(text) or any(c in text for c in lex.elder_victim_cues) or any(
        t.norm in lex.elder_victim_nouns or t.surface in lex.elder_victim_nouns for t in toks)


def _victim(toks: list[Tok], sids: list[int], m: Match) -> int | None:
    """Token index of the one hurt: 「Xを」 (Xの頭を) for an act, 「Xが/は」 for a passive;
    None when the writer is the one hurt (夫に殴られる) or no noun says it."""
    sid = sids[m.first]
    passive = any(toks[k].base in _PASSIVE for k in range(m.first, min(m.last + 3, len(toks))) if sids[k] == sid)
    k = m.first - 1
    while k >= 0 and sids[k] == sid and m.first - k <= 30:
        t = toks[k]
        particle = _particle_after(toks, k)
        if t.pos0 in ("名詞", "代名詞") and t.surface not in ("私", "わたし", "僕", "俺", "自分", "あたし", "うち"):
            if (not passive and particle == "を") or (passive and particle in ("が", "は", "も")):
                if t.norm in _BODY and k >= 2 and toks[k - 1].surface == "の":
                    return k - 2  # 父の頭を: the father
                return k
        k -= 1
    return None


def _victim_is_elder(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, text: str) -> bool:
    """Violence against an old or disabled person (elder_abuse, not partner DV): 高齢の母を息子が
    殴る, 要介護3のお母様をつねる, 施設で母が職員に叩かれる, 息子に殴られる。80歳の母親です."""
    sentence = _sentence(toks, sids, m, text)
    if any(c in sentence for c in lex.elder_facility_cues) and not _child_mentioned(lex, toks, sentence):
        return True  # abuse in a care facility (施設内虐待)
    k = _victim(toks, sids, m)
    elder_named = any(t.norm in lex.elder_victim_nouns or t.surface in lex.elder_victim_nouns for t in toks)
    if k is None:
        # the writer (or the person the message is about) is hurt: not by a partner; the writer
        # says they are old or disabled, or an old person is the one the message is about
        if any(t.surface in _PARTNERS or t.norm in _PARTNER_WORDS
               for i, t in enumerate(toks) if sids[i] == sids[m.first] and i < m.first):
            return False
        return any(c in text for c in lex.elder_writer_cues) or any(
            int(age) >= 65 for age in _WRITER_AGE.findall(text)) or elder_named
    noun = toks[k]
    if noun.norm in lex.elder_victim_nouns or noun.surface in lex.elder_victim_nouns:
        return True
    if noun.surface in ("本人", "ご本人"):  # 利用者さん（要介護3、80代女性）… ご本人は息子さんに叩かれる
        return elder_named or _old_age(text) or any(c in text for c in lex.elder_victim_cues)
    # an elder cue right before the noun here or before the same noun elsewhere (認知症の父)
    starts = [i for i in range(len(text)) if text.startswith(noun.surface, i)]
    for i in starts:
        before, after = text[max(0, i - 12):i], text[i + len(noun.surface):i + len(noun.surface) + 8]
        if any(c in before for c in lex.elder_victim_cues) or _old_age(before[-6:]) \
                or re.match(r"[（(]\s*\d+", after) and _old_age(after):
            return True
    return False


def _in_past(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, norm: str) -> bool:
    """「子どもの頃、父に叩かれた」: a memory, not danger now."""
    sid = sids[m.first]
    sent_start = min(t.start for k, t in enumerate(toks) if sids[k] == sid)
    sent_end = max(t.end for k, t in enumerate(toks) if sids[k] == sid)
    sentence = norm[sent_start:sent_end]
    for cue in lex.past_cues:
        i = sentence.find(cue)
        if i >= 0 and not sentence.startswith("から", i + len(cue)):
            return True
    return False


def _sentence(toks: list[Tok], sids: list[int], m: Match, norm: str) -> str:
    sid = sids[m.first]
    idx = [k for k in range(len(toks)) if sids[k] == sid]
    return norm[toks[idx[0]].start:toks[idx[-1]].end]


def _not_now(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, norm: str,
             imagined: bool = True) -> bool:
    """Danger that is over or imagined: 「10年前にDVで離婚。今は落ち着いています」,
    「暴力は、保護命令が出てからはもうありません」, 「もし友達が暴力を受けてたら（一般論）」,
    「昨日は泊まるところがなかったが、今日からシェルターに入れた」."""
    sentence = _sentence(toks, sids, m, norm)
    # (かもしれない is a worry, not もし: 電池を飲み込んだかもしれない)
    hypo_sentence, hypo_norm = sentence.replace("かもしれ", "か_"), norm.replace("かもしれ", "か_")
    if imagined and any(c in hypo_sentence or (c.startswith("*") and c[1:] in hypo_norm) for c in lex.hypothetical_cues):
        return True
    resolved_in_text = any(c in norm for c in lex.resolved_cues)
    if not resolved_in_text:
        return False
    if any(c in sentence for c in lex.resolved_cues):
        return True
    return any(c in sentence for c in lex.earlier_cues)


_QUOTE_OPEN = "『「\"“"
_QUOTE_CLOSE = "』」\"”"
_HARD_END = ("。", "!", "?", "\n")


def _after(m: Match, norm: str, limit: int = 40) -> str:
    """The text after a phrase up to the next 。/!/? (… does not stop it), at most `limit` chars."""
    rest = norm[m.end:m.end + limit]
    cut = min((i for i in (rest.find(c) for c in _HARD_END) if i >= 0), default=len(rest))
    return rest[:cut]


def _disclaimed(lex: Lexicon, m: Match, norm: str) -> bool:
    """「もう楽になりたい…じゃなくて、手続きを楽にしたいって意味です」: taken back at once."""
    rest = _after(m, norm)
    for cue in lex.disclaimer_cues:
        i = rest.find(cue)
        if i < 0:
            continue
        before = rest[max(0, i - 4):i]
        if any(a in before for a in lex.affirm_before_disclaimer):
            continue  # 冗談じゃなくて本気
        return True
    return False


def _quoted(m: Match, sentence_start: int, norm: str) -> bool:
    before = norm[sentence_start:m.start]
    opened = sum(before.count(c) for c in _QUOTE_OPEN if c != '"') + before.count('"') % 2
    closed = sum(before.count(c) for c in _QUOTE_CLOSE if c != '"')
    return opened > closed


def _fiction(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, norm: str, kind: str) -> bool:
    """小説で虐待を受ける子どもの話を書いていて / ドラマの主人公が『もう死ぬしかない』."""
    sentence = _sentence(toks, sids, m, norm)
    if not any(c in sentence for c in lex.fiction_cues):
        return False
    if kind != "suicide":
        return True
    sid = sids[m.first]
    start = min(t.start for k, t in enumerate(toks) if sids[k] == sid)
    return _quoted(m, start, norm)


def _over(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, norm: str, kind: str) -> bool:
    """Need or self-harm told as something past: 「地震で車中泊したことがあります」,
    祖母は戦争の頃『毎日食べるものがなかった』, 「昔はリスカしてたけど、もう10年やってない」."""
    sentence = _sentence(toks, sids, m, norm)
    if kind == "starvation":
        if any(c in sentence for c in lex.helper_cues):
            return True  # 炊き出しボランティアをしたい
        for cue in lex.need_past_cues:
            i = sentence.find(cue)
            if i >= 0 and not sentence.startswith("から", i + len(cue)):
                return True
        return False
    if kind in ("medical", "welfare_check"):
        return any(c in sentence for c in lex.care_over_cues)  # 去年倒れて… / 無事でした
    if kind == "suicide":
        said = m.pattern.source + norm[m.start:m.end]  # a kana entry (じさつ) reads the same words
        if ("自死" in said or "自殺" in said) and _bereaved(lex, sentence) \
                and not any(c in sentence for c in lex.relapse_cues):
            return True  # 昨年、父が自死しました (a bereavement, not a wish)
        past = any(c in sentence for c in lex.past_cues)
        stopped = any(c in sentence for c in lex.stopped_cues)
        relapse = any(c in sentence for c in lex.relapse_cues)
        return past and stopped and not relapse
    return False


def _bereaved(lex: Lexicon, sentence: str) -> bool:
    """自死しました / 自殺で亡くした in the sentence; not 自殺したい / 自殺したくなる."""
    for cue in lex.bereaved_cues:
        i = sentence.find(cue)
        while i >= 0:
            if not cue.endswith("した") or sentence[i + len(cue):i + len(cue) + 1] not in ("い", "く", "が"):
                return True
            i = sentence.find(cue, i + 1)
    return False


def _joke(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, norm: str) -> bool:
    """「ゲームでキャラ死にまくって死にたい笑」: a laugh right after the phrase and a game /
    trivial cue in the same sentence. A laugh alone (死にたい笑) is not enough."""
    rest = norm[m.end:m.end + 6].lstrip("たわよねなぁーっ~〜!！")  # 死にたくなったわ笑
    if not any(rest.startswith(c) for c in lex.laugh_marks):
        return False
    return any(c in _sentence(toks, sids, m, norm) for c in lex.joke_cues)


def _play_fight(lex: Lexicon, norm: str) -> bool:
    return any(c in norm for c in lex.play_fight_cues) and not any(c in norm for c in lex.serious_cues)


def _kin_involved(lex: Lexicon, toks: list[Tok], sids: list[int], m: Match, norm: str,
                  adult_only: bool = False) -> bool:
    """Violence between family members or partners (夫に殴られる, 息子が殴ってくる, 父が母を叩く,
    元夫が包丁を, 彼氏に殴られる) -> family, whoever reports it (a ケアマネ naming the son too).
    The one who acts must be kin: 「Xに/Xから …される」 or 「Xが/Xは … する」 in the sentence.
    Not a friend's partner or facility staff (not_kin_cues); for child abuse the hurt child
    (息子, 娘, 弟, 孫 …) is no actor (adult_only)."""
    if any(c in norm for c in lex.not_kin_cues):
        return False
    sid = sids[m.first]
    passive = any(toks[k].base in _PASSIVE or toks[k].norm in ("受ける", "遭う")
                  for k in range(m.first, min(m.last + 4, len(toks))) if sids[k] == sid)
    k = m.first - 1
    while k >= 0 and sids[k] == sid:
        t = toks[k]
        prev = toks[k - 1] if k > 0 else None
        partner = t.surface in _PARTNERS or (t.surface == "相手" and prev is not None
                                             and prev.surface in ("再婚", "交際", "同棲", "結婚"))
        if partner and not adult_only:
            return True  # 彼氏が家に押しかけてきて殴られた: a partner is the one who acts
        if t.norm in lex.kin or t.surface in lex.kin or partner:
            if adult_only and (t.norm in lex.child_weak or t.surface in lex.child_weak or t.surface == "孫"):
                k -= 1
                continue
            j = k + 1
            while j < len(toks) and toks[j].pos0 == "接尾辞":
                j += 1
            part = toks[j].surface if j < len(toks) and toks[j].pos0 == "助詞" else ""
            if part == "から" or (part == "に" and passive) or (part in ("が", "は", "も") and not passive):
                return True
        k -= 1
    return False


def _overlaps(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def _contains(outer: Match, inner: Match) -> bool:
    return outer.start < inner.start and inner.end <= outer.end


def _read(lex: Lexicon, view: Normalized) -> tuple[list[Tok], list[Match]]:
    toks = tokenize(view.text)
    return toks, find_matches(lex, toks, view.text)


def analyse(text: str):
    """Returns (categories, crisis_kinds, evidence, explained_away) for one message;
    crisis_kinds is every kind found, most urgent first (a message can be both violence and
    suicide); explained_away says a crisis phrase was seen but ruled out (idiom, negation,
    past, by choice), so the statistical model must not overrule it."""
    lex = lexicon()
    norm = normalize(text or "")
    views = [norm]
    kata = len(_KATAKANA.findall(norm.text))
    if kata:
        # katakana (ｼﾆﾀｲ, ヤチン) is read a second time folded to hiragana
        views.append(hiragana_view(norm))

    cat_hits: dict[str, list[tuple[int, int, Normalized]]] = {}
    crisis_hits: dict[str, list[tuple[int, int, Normalized]]] = {}
    implied: dict[str, set[str]] = {}
    weak_hits: dict[str, list[tuple[int, int, Normalized]]] = {}
    soft_hits: dict[str, list[tuple[int, int, Normalized]]] = {}
    worry = False
    readings = [(view, *_read(lex, view)) for view in views]
    blocks = [m for _, _, ms in readings for m in ms if m.pattern.group == "block"]
    reqs = {m.pattern.label for _, _, ms in readings for m in ms if m.pattern.group == "req"}
    family_from_violence = False
    # a crisis phrase was found but is an idiom, denied, past or by choice; an idiom blocker
    # of a crisis kind (肩をたたいてもらった, プールに飛び込んだ) counts on its own
    explained_away = any(b.pattern.label in CRISIS_PRIORITY for b in blocks)
    for view, toks, matches in readings:
        if not toks:
            continue
        sids = _sentence_ids(toks)
        for m in matches:
            p = m.pattern
            if p.group in ("block", "req"):
                continue
            if p.negatable and (p.group == "crisis" or p.ends_in_noun) and negated_after(toks, m.last):
                explained_away = explained_away or p.group == "crisis"  # 死にたいとは思わない
                continue
            if p.group == "other":
                worry = True
                continue
            if p.group in ("category", "weak", "soft"):
                if any(b.pattern.label == p.label and _overlaps(b, m) and not _contains(m, b) for b in blocks):
                    continue  # a longer phrase around the blocker wins: カードローンの返済 is debt
                if p.label == "dv_abuse" and (_not_now(lex, toks, sids, m, view.text, imagined=False)
                                              or _fiction(lex, toks, sids, m, view.text, "dv_abuse")
                                              or _play_fight(lex, view.text)):
                    continue  # 10年前にDVで離婚、今は落ち着いています; 小説で虐待を…
                hits = {"weak": weak_hits, "soft": soft_hits}.get(p.group, cat_hits)
                hits.setdefault(p.label, []).append((m.start, m.end, view))
                continue
            # crisis
            if any(b.pattern.label == p.label and _overlaps(b, m) for b in blocks):
                explained_away = True  # an idiom: 死ぬほど眠い
                continue
            if p.requires and p.requires not in reqs:
                continue
            if p.text_not and any(w in view.text for w in p.text_not):
                explained_away = True  # by choice: ダイエット
                continue
            if p.needs_child and not _child_mentioned(lex, toks, view.text):
                continue
            kind = p.label
            if _disclaimed(lex, m, view.text) or _fiction(lex, toks, sids, m, view.text, kind) \
                    or _over(lex, toks, sids, m, view.text, kind) or _joke(lex, toks, sids, m, view.text):
                explained_away = True
                continue
            if kind in ("violence", "child_abuse", "sexual_violence") and _play_fight(lex, view.text):
                explained_away = True  # 兄弟げんか
                continue
            if kind != "suicide" and _not_now(lex, toks, sids, m, view.text):
                explained_away = True
                if kind == "violence" and not _not_now(lex, toks, sids, m, view.text, imagined=False):
                    cat_hits.setdefault("dv_abuse", []).append((m.start, m.end, view))  # a question about DV
                continue  # suicide is never explained away
            if kind in ("violence", "child_abuse", "sexual_violence"):
                if _in_past(lex, toks, sids, m, view.text):
                    explained_away = True
                    continue
                if kind in ("violence", "sexual_violence") and _victim_is_child(lex, toks, sids, m, view.text):
                    kind = "child_abuse"
                elif kind == "violence" and _writer_did_it(toks, sids, m) and _child_mentioned(lex, toks, view.text):
                    kind = "child_abuse"  # 息子に腹が立って包丁を向けてしまった
                    implied.setdefault(kind, set()).add("childcare")
                elif kind == "child_abuse" and _elder_not_child(lex, toks, view.text):
                    kind = "elder_abuse"  # 要介護3のお母様をつねる, おばあさん（88）を甥が叩く
                    if any(c in view.text for c in lex.care_cues):
                        implied.setdefault(kind, set()).add("caregiving")
                elif kind == "violence" and _victim_is_elder(lex, toks, sids, m, view.text):
                    kind = "elder_abuse"  # an old or disabled person hurt by kin or carers
                    if any(c in view.text for c in lex.care_cues):
                        implied.setdefault(kind, set()).add("caregiving")
                if "childcare" not in p.categories and _kin_involved(lex, toks, sids, m, view.text,
                                                                     adult_only=kind == "child_abuse"):
                    family_from_violence = True
            crisis_hits.setdefault(kind, []).append((m.start, m.end, view))
            cats = set(p.categories)
            if kind == "child_abuse":
                cats |= {"dv_abuse", "childcare"}  # abuse or neglect of a child is a childcare worry
            implied.setdefault(kind, set()).update(cats)

    if "elder_abuse" in crisis_hits and "violence" in crisis_hits and not any(
            t.norm in _PARTNER_WORDS or t.surface in _PARTNERS for _, toks, _ in readings for t in toks):
        # one situation: the old person's injuries and the blows (父の頭をはたいて…父の腕にあざ)
        crisis_hits["elder_abuse"] += crisis_hits.pop("violence")
        implied["elder_abuse"] = implied.get("elder_abuse", set()) | implied.pop("violence", set())
    crisis_kinds = [k for k in CRISIS_PRIORITY if k in crisis_hits]
    categories = set(cat_hits)
    if family_from_violence:
        categories.add("family")
    if any(c in norm.text for c in lex.minor_writer_cues) and categories & {"caregiving", "health"} \
            and any(k in norm.text for k in ("母", "父", "祖母", "祖父", "弟", "妹", "兄", "姉", "親")):
        # a young carer: a minor looking after a sick or disabled family member
        categories |= {"caregiving", "family"}
    if "hikikomori" in categories and any(w in norm.text for w in ("学校", "登校")) \
            and any(c in norm.text for c in lex.child_age_cues + ["息子", "娘", "生徒", "子ども", "子供"]) \
            and not any(c in norm.text for c in lex.minor_writer_cues):
        categories.add("childcare")  # a school-age child not going to school (不登校) is childcare
    mental_found = "mental" in categories or any("mental" in c for c in implied.values())
    for cid, hits in soft_hits.items():
        # 通院 / 病院 are health unless the illness is of the mind (うつで通院)
        if not mental_found:
            categories.add(cid)
            cat_hits.setdefault(cid, []).extend(hits)
    for cats in implied.values():
        categories |= cats
    if not categories - {"other"} and weak_hits:
        # つらい / 不安 alone: a feeling, counted as mental only when nothing else fits
        categories |= set(weak_hits)
        cat_hits.update(weak_hits)
    if not categories and worry and not any(g == norm.text.strip() for g in lex.greetings):
        categories.add("other")
    if "other" in categories and len(categories) > 1:
        categories.discard("other")

    spans: list[tuple[int, int, Normalized]] = []
    for kind in CRISIS_PRIORITY:
        spans += crisis_hits.get(kind, [])
    for cid in categories:
        spans += cat_hits.get(cid, [])
    evidence = _evidence(spans)
    ordered = [c for c in CATEGORY_IDS if c in categories]
    return ordered, crisis_kinds, evidence, explained_away


def _evidence(spans) -> list[str]:
    """Original-text phrases, in reading order, without duplicates or phrases inside others."""
    orig: list[tuple[int, int, str]] = []
    for s, e, view in spans:
        if s >= e or s >= len(view.starts):
            continue
        a, b = view.starts[s], view.ends[min(e, len(view.ends)) - 1]
        orig.append((a, b, view.original[a:b]))
    orig.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, int, str]] = []
    for a, b, s in orig:
        if any(a >= a2 and b <= b2 for a2, b2, _ in out):
            continue
        out = [(a2, b2, s2) for a2, b2, s2 in out if not (a2 >= a and b2 <= b)]
        out.append((a, b, s))
    result: list[str] = []
    for _, _, s in sorted(out):
        if s.strip() and s not in result:
            result.append(s)
    return result
