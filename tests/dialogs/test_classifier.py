"""Classifier quality on the labelled sets, plus targeted behaviour tests.

`pytest -s tests/dialogs/test_classifier.py` prints the per-category table.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dialogs.understanding import Understanding, classify

DATA = Path(__file__).resolve().parents[1] / "data"
CATEGORY_IDS = [
    "income", "rent_loan", "tax_utilities", "debt", "lending", "household_budget", "food",
    "housing", "job_search", "work_trouble", "mental", "health", "caregiving", "childcare",
    "hikikomori", "family", "community", "dv_abuse", "other",
]
KINDS = ["suicide", "violence", "child_abuse", "starvation"]  # each with 30+ examples in dev
NEW_KINDS = ["medical", "sexual_violence", "elder_abuse", "welfare_check"]  # test_classifier_kinds.py

# Floors. Crisis recall must be perfect: a missed crisis is the one unacceptable error.
FLOORS = {
    "classifier_dev.jsonl": {"micro_f1": 0.93, "crisis_recall": 1.0, "crisis_precision": 0.95,
                             "cat_precision": 0.75, "cat_recall": 0.80, "kind_accuracy": 0.95},
    "classifier_holdout.jsonl": {"micro_f1": 0.90, "crisis_recall": 1.0, "crisis_precision": 0.9,
                                 "cat_precision": 0.0, "cat_recall": 0.0, "kind_accuracy": 0.9},
    # written by someone else; its failure classes were used to add rules (no longer blind)
    "classifier_blind.jsonl": {"micro_f1": 0.88, "crisis_recall": 1.0, "crisis_precision": 0.95,
                               "cat_precision": 0.6, "cat_recall": 0.7, "kind_accuracy": 0.95},
    # indirect wording by another writer; its failure classes were used (no longer blind); its
    # plain reading of family / childcare is now the convention of every set
    "classifier_blind2.jsonl": {"micro_f1": 0.84, "crisis_recall": 1.0, "crisis_precision": 0.95,
                                "cat_precision": 0.7, "cat_recall": 0.45, "kind_accuracy": 0.95},
    # realistic messages by a third writer, measured once (micro-F1 0.747, crisis recall 0.958),
    # then its failure classes were used; now also training data of the crisis model
    "classifier_blind3.jsonl": {"micro_f1": 0.80, "crisis_recall": 1.0, "crisis_precision": 0.85,
                                "cat_precision": 0.5, "cat_recall": 0.3, "kind_accuracy": 0.95},
    # a fourth writer, measured once (micro-F1 0.771, crisis recall 0.958, precision 0.780),
    # then its failure classes were used; now also training data of the crisis model
    "classifier_blind4.jsonl": {"micro_f1": 0.82, "crisis_recall": 1.0, "crisis_precision": 0.9,
                                "cat_precision": 0.5, "cat_recall": 0.3, "kind_accuracy": 0.9},
    # a fifth writer, measured once (micro-F1 0.736, crisis recall 0.896, precision 0.860),
    # then its failure classes were used; now also training data of the crisis model
    "classifier_blind5.jsonl": {"micro_f1": 0.79, "crisis_recall": 1.0, "crisis_precision": 0.95,
                                "cat_precision": 0.4, "cat_recall": 0.3, "kind_accuracy": 0.9},
}


def load(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(rows: list[dict]) -> dict:
    per = {c: {"tp": 0, "fp": 0, "fn": 0} for c in CATEGORY_IDS}
    ctp = cfp = cfn = kind_ok = 0
    errors = []
    for row in rows:
        u = classify(row["text"])
        gold, pred = set(row["categories"]), set(u.categories)
        for c in CATEGORY_IDS:
            if c in gold and c in pred:
                per[c]["tp"] += 1
            elif c in pred:
                per[c]["fp"] += 1
            elif c in gold:
                per[c]["fn"] += 1
        is_crisis = row["crisis_kind"] is not None
        if is_crisis and u.crisis:
            ctp += 1
            kind_ok += u.crisis_kind == row["crisis_kind"]
        elif u.crisis:
            cfp += 1
        elif is_crisis:
            cfn += 1
        if gold != pred or u.crisis_kind != row["crisis_kind"]:
            errors.append((row["text"], sorted(gold), row["crisis_kind"], sorted(pred), u.crisis_kind))
    tp = sum(v["tp"] for v in per.values())
    fp = sum(v["fp"] for v in per.values())
    fn = sum(v["fn"] for v in per.values())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "per": per,
        "micro_p": p,
        "micro_r": r,
        "micro_f1": 2 * p * r / (p + r) if p + r else 0.0,
        "crisis_recall": ctp / (ctp + cfn) if ctp + cfn else 1.0,
        "crisis_precision": ctp / (ctp + cfp) if ctp + cfp else 1.0,
        "kind_accuracy": kind_ok / ctp if ctp else 1.0,
        "errors": errors,
    }


def report(name: str, m: dict) -> None:
    print(f"\n== {name}")
    print(f"{'category':18} {'P':>5} {'R':>5} {'n':>4}")
    for c, v in m["per"].items():
        n = v["tp"] + v["fn"]
        p = v["tp"] / (v["tp"] + v["fp"]) if v["tp"] + v["fp"] else 1.0
        r = v["tp"] / n if n else 1.0
        print(f"{c:18} {p:5.2f} {r:5.2f} {n:4}")
    print(f"micro P={m['micro_p']:.3f} R={m['micro_r']:.3f} F1={m['micro_f1']:.3f}")
    print(f"crisis recall={m['crisis_recall']:.3f} precision={m['crisis_precision']:.3f} "
          f"kind accuracy={m['kind_accuracy']:.3f}")
    for e in m["errors"]:
        print("  differs:", e)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_quality_floors(name):
    m = evaluate(load(name))
    report(name, m)
    floor = FLOORS[name]
    assert m["crisis_recall"] == 1.0, [e for e in m["errors"] if e[2] and not e[4]]
    assert m["crisis_precision"] >= floor["crisis_precision"]
    assert m["micro_f1"] >= floor["micro_f1"]
    assert m["kind_accuracy"] >= floor["kind_accuracy"]
    for c, v in m["per"].items():
        n = v["tp"] + v["fn"]
        if n >= 5:
            assert v["tp"] / n >= floor["cat_recall"], c
        if v["tp"] + v["fp"] >= 5:
            assert v["tp"] / (v["tp"] + v["fp"]) >= floor["cat_precision"], c


def test_dev_set_shape():
    rows = load("classifier_dev.jsonl")
    assert len(rows) >= 200
    for row in rows:
        assert set(row) == {"text", "categories", "crisis_kind"}
        assert set(row["categories"]) <= set(CATEGORY_IDS)
        assert row["crisis_kind"] in KINDS + NEW_KINDS + [None]
    for c in CATEGORY_IDS:
        assert sum(c in r["categories"] for r in rows) >= 8, c
    for k in KINDS:
        assert sum(r["crisis_kind"] == k for r in rows) >= 30, k
    lookalikes = ("死", "殺", "殴", "叩", "暴力", "虐待", "食べ", "寝る", "消え", "首")
    tricky = [r for r in rows if r["crisis_kind"] is None and any(w in r["text"] for w in lookalikes)]
    assert len(tricky) >= 30


# ---------------------------------------------------------------- targeted behaviour


def kinds(text: str) -> str | None:
    return classify(text).crisis_kind


@pytest.mark.parametrize("text", ["借金はない", "借金はありません", "借金はしていません", "暴力はありませんが、夫と話が合わない"])
def test_negation_drops_the_item(text):
    u = classify(text)
    assert "debt" not in u.categories and "dv_abuse" not in u.categories and not u.crisis


def test_negation_does_not_drop_resources():
    assert "income" in classify("収入がない").categories
    assert "job_search" in classify("仕事が見つからない").categories
    assert "debt" in classify("借金が返せない").categories


@pytest.mark.parametrize("text", ["死ぬほど眠い", "殺人的な暑さ", "腹が立って殴りたいくらい", "笑いすぎて死ぬかと思った",
                                  "ネットで叩かれた", "首が回らない", "会社をクビになった", "死ぬ気で頑張る",
                                  "暑くて死にそう", "肩をたたいてもらった"])
def test_idioms_are_not_crises(text):
    assert classify(text).crisis is False


@pytest.mark.parametrize("text,kind", [
    ("いなくなりたい", "suicide"),
    ("友達がいなくなりたいと言っている", "suicide"),
    ("生きているのがつらい、終わりにしたい", "suicide"),
    ("彼に毎晩たたかれる", "violence"),
    ("殴られている", "violence"),
    ("子どもを叩いてしまう", "child_abuse"),
    ("隣の子が虐待されている", "child_abuse"),
    ("何日も食べていない", "starvation"),
    ("今夜寝る場所がない", "starvation"),
])
def test_crises_from_the_brief(text, kind):
    assert kinds(text) == kind


@pytest.mark.parametrize("text", ["死にたい", "死にたいです", "死にたくなる", "死んでしまいたい", "消えてしまいたい",
                                  "生きていたくない", "自殺を考えている"])
def test_suicide_conjugations(text):
    assert kinds(text) == "suicide"


@pytest.mark.parametrize("text", ["夫に殴られた", "夫に殴られました", "夫に殴られてる", "夫になぐられます", "夫が殴ってくる"])
def test_violence_conjugations(text):
    assert kinds(text) == "violence"


@pytest.mark.parametrize("text", ["家賃が払えない", "家賃が払えません", "家賃の支払いができず困っている", "家賃をはらえなかった",
                                  "やちんがはらえない", "ヤチンが払えない"])
def test_rent_conjugations_and_spellings(text):
    assert "rent_loan" in classify(text).categories


@pytest.mark.parametrize("text,kind", [("ｼﾆﾀｲ", "suicide"), ("シニタイ", "suicide"), ("死にたぃ", "suicide"),
                                       ("ＤＶをうけています", "violence"), ("ﾀﾍﾞﾙﾓﾉｶﾞﾅｲ", "starvation"),
                                       ("しにたーい", "suicide")])
def test_width_and_typo_variants(text, kind):
    assert kinds(text) == kind


def test_third_party_crisis_is_still_a_crisis():
    assert kinds("隣のおばあさんが「死にたい」と言っている") == "suicide"
    assert kinds("姉が旦那さんから暴力を受けているようです") == "violence"
    assert kinds("近所の子がベランダに出されて泣いている") == "child_abuse"


def test_issue_example_is_multi_label():
    cats = classify("父の世話でパートに出られなくなって、家計が回らない").categories
    assert {"caregiving", "income", "household_budget"} <= set(cats)


def test_evidence_is_cut_from_the_original_text():
    for text in ["ｵｯﾄﾆﾅｸﾞﾗﾚﾙ", "家賃を３ヶ月ためて、ＮＨＫの受信料も払えない", "死にたぃ、たすけて", "借金が２００万あります"]:
        u = classify(text)
        assert u.evidence
        for phrase in u.evidence:
            assert phrase in text


@pytest.mark.parametrize("text", ["", "   ", "こんにちは", "はい", "ありがとうございました"])
def test_empty_and_greetings_have_no_category(text):
    u = classify(text)
    assert u == Understanding(categories=[], crisis=False, crisis_kind=None, evidence=[], crisis_kinds=[])


def test_other_only_when_nothing_else_fits():
    assert classify("相続の手続きで困っています").categories == ["other"]
    assert "other" not in classify("相続の手続きと家賃の支払いで困っています").categories


def test_import_is_light_and_has_no_web_or_db():
    code = (
        "import sys, dialogs.understanding as u\n"
        "heavy = [m for m in ('sudachipy', 'yaml', 'flask', 'linebot', 'sqlalchemy', 'sqlmodel') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "u.classify('家賃が払えない')\n"
        "bad = [m for m in ('flask', 'linebot', 'sqlalchemy', 'sqlmodel', 'psycopg') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


@pytest.mark.parametrize("text,kind", [
    ("私なんかいなくなった方がみんな楽になると思う", "suicide"),
    ("踏切の前に立つと吸い込まれそうになる", "suicide"),
    ("妻に先立たれて、早く後を追いたい", "suicide"),
    ("生まれてこなければよかった", "suicide"),
    ("彼氏に髪をつかまれて引きずり回された", "violence"),
    ("夫がナイフをちらつかせて脅してくる", "violence"),
    ("嫁にどつかれてばかりです", "violence"),
    ("近所の子がいつも同じ服で夜遅くまで公園にいる", "child_abuse"),
    ("隣の赤ちゃんがずっと泣いていて、親が何日も帰ってこない", "child_abuse"),
    ("財布に50円しかない。米も切れた", "starvation"),
    ("3日間水だけで過ごしています", "starvation"),
])
def test_implicit_crises(text, kind):
    assert kinds(text) == kind


@pytest.mark.parametrize("text", [
    "5年前に夫の暴力から逃げて、今は穏やかに暮らしています",  # over
    "もし子どもが虐待されていたらどこに連絡すればいいですか",  # imagined
    "ダイエットで昨日から何も食べてない",  # by choice
    "ゲームで敵を殺しまくってストレス発散してる",
    "プールに飛び込んだら気持ちよかった",
    "部屋の片付けをして身の回りがすっきりした",
    "息子が走り回って暴れるので困っています",
    "孫が転んで腕にあざができた",
    "昨日は泊まるところがなかったけど、今日からシェルターに入れました",
])
def test_past_imagined_and_chosen_are_not_crises(text):
    assert classify(text).crisis is False


def test_suicide_is_never_explained_away():
    assert kinds("もし明日が来なければいいのにと毎日思う") == "suicide"


def test_violence_between_family_members_is_family():
    assert "family" in classify("夫に殴られています").categories
    assert "family" in classify("同居している孫が殴ってきます").categories
    # second round (plain reading): partners and ex-partners too, whoever reports
    assert "family" in classify("彼氏に殴られた").categories
    assert "family" in classify("別れた彼氏が家に押しかけてきて殴られた").categories
    assert "family" in classify("隣の家で夫が妻を殴っている音がする").categories
    assert "family" not in classify("友だちが彼氏に殴られたらしい").categories
    assert "family" not in classify("施設で母が職員に叩かれているようです").categories
    # a parent hurting their own child: childcare, not family
    u = classify("イライラして3歳の息子に手をあげてしまいました")
    assert "childcare" in u.categories and "family" not in u.categories


def test_school_refusal_is_childcare_and_hikikomori():
    assert {"childcare", "hikikomori"} <= set(classify("娘が不登校になりました").categories)


@pytest.mark.parametrize("text,kind", [
    # kana-only writing of crisis phrases
    ("しにたい　もうつかれた", "suicide"),
    ("いきててもしかたない", "suicide"),
    ("もう　らくになりたい", "suicide"),
    ("きえてしまいたい", "suicide"),
    # preparing the means
    ("睡眠薬を少しずつ集めている", "suicide"),
    ("ロープを買ってきた。もう決めた", "suicide"),
    ("カッターを手首に当ててしまう", "suicide"),
    ("I want to die", "suicide"),
    # indirect violence
    ("旦那は気に入らないとすぐ手が出る", "violence"),
    ("逆らうと拳で殴ってくる", "violence"),
    ("元彼から『見つけたらただじゃおかない』と言われた", "violence"),
    ("my husband hits me every night", "violence"),
    # signs on a child, a child left alone
    ("隣の小学生の背中にハンガーの跡があった", "child_abuse"),
    ("駐車場の車に赤ちゃんを置きっぱなしにしている人がいる", "child_abuse"),
    # hunger in other words
    ("塩と水でしのいでいる", "starvation"),
    ("ここ数日ろくに食べていない", "starvation"),
    ("今夜は駅のベンチで寝るしかない", "starvation"),
    ("I haven't eaten for three days", "starvation"),
])
def test_indirect_and_kana_crises(text, kind):
    assert kinds(text) == kind


@pytest.mark.parametrize("text", [
    "穴があったら入りたい、消えたいくらい恥ずかしい失敗をした",
    "映画の主人公が『死にたい』と叫ぶ場面で泣いた",
    "犬が昨日から何も食べていない",
    "兄弟げんかで弟が兄に叩かれて泣いていた",
    "学生時代はお金がなくて何日も食べられなかったことがあります",
    "炊き出しのボランティアでホームレスの方に会いました",
    "小説の取材で、虐待を受けた子どもの支援について聞きたい",
    "もう楽になりたい…じゃなくて、手続きを楽にしたいって意味です",
    "昔は自傷してたけど、もう何年もしていない",
])
def test_intensifiers_fiction_pets_and_the_past_are_not_crises(text):
    assert classify(text).crisis is False


@pytest.mark.parametrize("text", [
    "冗談じゃなくて本当に死にたい",
    "昔リスカしてた。最近またしたくなる",
    "死にたい…じゃなくて、本当に消えたい",
    "猫のえさ代もなくて、私ももう3日何も食べていない",
])
def test_suppressors_do_not_hide_a_real_crisis(text):
    assert classify(text).crisis is True


@pytest.mark.parametrize("text", [
    # blind3 classes: a joke about a game, someone else's completed suicide, topic words,
    # safe now (shelter, years ago, separated at once), くらい-idioms, a joke habit, hearsay
    # denial, typed words in a game chat, a busy day
    "ゲームでキャラ死にまくって死にたい笑",
    "自殺した友人のことばかり考えてしまって、眠れない日が続いています。私自身は死のうとは思っていません",
    "町内会で自殺予防のゲートキーパー研修を開きたいのですが、講師を派遣してもらえますか",
    "DVで逃げてきて今はシェルターにいます。次に住むところを探しています",
    "前の夫のDVから逃げて3年です。支援措置は更新が必要ですか",
    "一度だけ叩かれて、すぐ別居しました。もう半年会っていません",
    "殺されるかと思うくらい上司に怒鳴られました",
    "母は「早くお迎えが来てほしい」が冗談の口ぐせですが、毎日元気にデイサービスに通っています",
    "友だちが彼氏に束縛されてるみたい。殴られたとは聞いてないけど心配",
    "息子がオンラインゲームのチャットで「死ね」「殺す」と打っているのを見てしまいました",
    "今日はばたばたして何も食べてないけど、それはいいとして、保育園の締め切りはいつですか",
    "成人した息子が家にお金を入れず、注意すると怒鳴ります。物に当たることもあります",
    "仕事が殺人的に忙しくて、保育園のお迎えにいつも間に合いません",
])
def test_blind3_false_alarm_classes_are_not_crises(text):
    from dialogs.understanding.classifier import analyse
    assert analyse(text)[1] == []


@pytest.mark.parametrize("text,kind", [
    ("継父が夜、妹の部屋に入ってくる。妹はまだ小4。ママに言っても信じてくれない", "child_abuse"),
    ("2歳の子を家に置いて夜の仕事に行ってます。保育園に入れなくて", "child_abuse"),
    # the same suppressors must let a real crisis through
    ("ゲームも楽しくない。死にたい", "suicide"),
    ("死にたい笑", "suicide"),
    ("自殺した友人のところに行きたい。私も死にたい", "suicide"),
    ("DVで逃げてきたけど、夫に見つかって今日も殴られた", "violence"),
    ("殺されるかと思った。夫に首を絞められた", "violence"),
    ("夫に殴られたとは誰にも言えない", "violence"),
    ("母は「早くお迎えが来てほしい」と毎日泣いています", "suicide"),
    ("お金がなくて今日も何も食べてない", "starvation"),
])
def test_blind3_crisis_classes_still_get_through(text, kind):
    assert classify(text).crisis_kind == kind


def test_child_abuse_is_childcare():
    assert {"dv_abuse", "childcare"} <= set(classify("隣の子が虐待されている").categories)
    assert "caregiving" in classify("ケアマネです。利用者さんの息子さんがずっと部屋から出てきません").categories


def test_stand_alone_particles_in_patterns_match():
    assert "income" in classify("給料日まであと3日、お金がない").categories


def test_procedure_questions_are_other():
    assert classify("転入届ってどこで出せますか").categories == ["other"]


@pytest.mark.parametrize("text", [
    # blind4 classes: bereavement, explicit denial, topic / activism, a game stream, a past
    # resolved state, fasting for a test, running low (not out), 行きたくない (not 生きたくない)
    "昨年、父が自死しました。遺族の集まりや、こころのケアを受けられるところを知りたいです。",
    "兄を自殺で亡くしてから、命日が近づくと落ち込みます",
    "自殺したいとかではないです。ただ眠れない日が続いていて",
    "死にたいわけではないんですが、毎日がしんどいです",
    "子ども食堂のボランティアをしたいです。虐待防止の活動にも関心があります。",
    "児童虐待防止の研修に参加したいです",
    "DVのニュースを見てうちは大丈夫かなと思いましたが、夫婦仲は普通です。",
    "ホラーゲームの実況で「助けて」「殺される」って叫んでたら、隣の人に通報されかけました。",
    "ゲーム配信中に「殺される！」って叫んだら、隣から壁を叩かれました",
    "以前は公園で寝泊まりしていましたが、今はアパートに入れて、仕事を探しています。",
    "昨日から何も食べてないのは胃カメラの検査のためです笑",
    "明日の健康診断のため、夜から何も食べていません",
    "フードバンクを利用したいです。食費を削っていて、お米があと少しでなくなりそうです。",
    "小4の娘がクラスでいじめにあっていて、学校に行きたくないと言っています。",
    "子どもが転んで膝にあざができました",
])
def test_blind4_false_alarm_classes_are_not_crises(text):
    u = classify(text)
    assert u.crisis is False, u


@pytest.mark.parametrize("text,kind", [
    ("夫が夜になると小6の娘の部屋に入っていくのが気になっています。娘は最近夫を避けていて", "child_abuse"),
    ("継父が夜中に中学生の娘の部屋に入っていくのを見ました", "child_abuse"),
    ("保育士です。年中の園児の体に毎週のように新しいあざがあり、お母さんは「転んだ」と言います。", "child_abuse"),
    ("息子（小3）の頬に手の跡がついていました。夫がやったのかもしれません", "child_abuse"),
    # the same suppressors must let a real crisis through
    ("母が自殺した。私も自殺したい", "suicide"),
    ("父が自殺しようとしています。止めてください", "suicide"),
    ("兄を自殺で亡くしてから、私も死にたいと思うことがあります", "suicide"),
    ("もう死にたい。自殺したいとかじゃなくて本当に消えたい", "suicide"),
    ("会社に行きたくない。もう生きたくない", "suicide"),
    ("児童虐待を受けています。助けて。小5です", "child_abuse"),
    ("隣の家から子どもの泣き叫ぶ声と叩く音が毎晩します", "child_abuse"),
    ("主人の機嫌が悪い日は何をされるかわからないので、ここ数日は車の中で寝ています。", "violence"),
    ("所持金0円で、お米もあと少しでなくなります。昨日から何も食べていません", "starvation"),
    ("今日も公園で寝ます。泊まるところがない", "starvation"),
])
def test_blind4_crisis_classes_still_get_through(text, kind):
    assert classify(text).crisis_kind == kind


@pytest.mark.parametrize("text", [
    # blind5 false-alarm classes: a game joke with a laugh after a particle, a child's past
    # remark that is over, self-harm long ago and stable now, parenting stress, in-law nagging,
    # an exhausted mother / carer (mental, not a crisis), 死ぬ as an intensifier
    "ゲームでキルされまくって死にたくなったわ笑 それより本題、息子が学校に行かない件です",
    "ランク戦で負けすぎて死にたくなったよ笑",
    "娘が1年前「学校行くくらいなら死んだ方がまし」と言ったことがありましたが、今は元気に通っています",
    "リスカしてたのは5年前のことで、今は安定してます。仕事の相談です",
    "3歳のイヤイヤ期で毎日怒鳴ってしまう自分がいやになります",
    "姑と同居してから毎日嫌味を言われて、家にいるのがしんどい",
    "ケアマネです。利用者さんの娘さんが介護に疲れきっていて、「もう限界」と言っています",
    "保育士です。あるお母さんがいつも疲れきっていて、お迎えのときに泣いています",
    "今日は暑くて死ぬかと思った",
    "明日のテストで死ぬ",
    "死ぬほど眠い",
])
def test_blind5_false_alarm_classes_are_not_crises(text):
    u = classify(text)
    assert u.crisis is False, u


@pytest.mark.parametrize("text,kind", [
    # plain intent, also reported by a relative
    ("弟から「今夜死ぬ」ってメッセージが来ました。電話に出ません", "suicide"),
    ("もう疲れた。今夜死ぬ", "suicide"),
    ("あいつらを見返すために死んでやる", "suicide"),
    ("明日死ぬから、探さないで", "suicide"),
    ("今夜死のうと思う", "suicide"),
    # the same suppressors let a real crisis through
    ("ゲームで負けて死にたくなった。もう本当に生きてる意味がない", "suicide"),
    ("死にたくなったわ笑", "suicide"),
    ("半年前から「死にたい」と言っていて、最近また口にするようになりました", "suicide"),
    ("手首を切ったのは10年前だけど、最近またしたくなる", "suicide"),
    ("イヤイヤ期で、つい子どもを叩いてしまいます", "child_abuse"),
    ("義母に嫌味を言われるし、夫には殴られる", "violence"),
    ("介護に疲れ果てて、母と一緒に死のうかと考えています", "suicide"),
    # injury on a woman + fear of / control by the partner, whatever she says about it
    ("友人の顔にまたあざがある。「転んだ」って言うけど、旦那さんの話になると震えてる", "violence"),
    ("妹は夫の許可がないと何もできないと言っていて、この前は頬が腫れていました", "violence"),
    # neglect signs on a child
    ("保育士です。年長の男の子が3日続けて同じ服で、背中にやけどのような痕がありました", "child_abuse"),
    ("小1の子が朝ごはんも食べずに登校してきます。いつも同じ服です", "child_abuse"),
    # not knowing when one last ate
    ("最後に食べたのいつだっけ。おなかすきすぎて頭まわらない", "starvation"),
])
def test_blind5_crisis_classes_still_get_through(text, kind):
    assert classify(text).crisis_kind == kind


def test_blind5_quiet_without_the_second_sign():
    # fear of the husband alone, an injury explained alone, a burn from cooking: no rule fires
    from dialogs.understanding.classifier import analyse
    assert analyse("転んで顔にあざができました")[1] == []
    assert analyse("料理中にやけどして痕が残りました。子どもは無事です")[1] == []


def test_blind5_kana_hanging_is_not_grabbing_the_neck():
    # くびをつ (the kana of 首を吊る) also begins 首をつかむ: a parent grabbing a child is child abuse
    assert classify("泣き止まなくてお尻を叩いて、首をつかんでしまいました。子どもが怖がっています").crisis_kind == "child_abuse"
    assert classify("もうくびをつりたい").crisis_kind == "suicide"


@pytest.mark.parametrize("text,cat", [
    # blind5 category classes
    ("中学生の息子が朝になるとお腹が痛いと言って、もう1か月学校に行けていません", "childcare"),
    ("2歳のイヤイヤ期がひどくて毎日怒鳴ってしまう", "childcare"),
    ("離婚を考えています。子どもの親権とか生活費とか", "childcare"),
    ("外国籍の家族で、子どもの就学の手続きができていないようです", "childcare"),
    ("25歳なのに親が過干渉で門限があります", "family"),
    ("父が定年してから飲む量が増えて、母と毎晩口論してます", "family"),
    ("夫が定年退職してから一日中家にいて、ストレスです", "family"),
    ("夫とお金のことでケンカばっかり", "household_budget"),
    ("父を施設に入れたいけど、費用を払い続けられるか不安", "household_budget"),
    ("財布の中は小銭だけです", "income"),
    ("来月からパートのシフトが減るかもしれなくて", "income"),
    ("ストレスで円形脱毛症になりました", "health"),
    ("最近この辺の治安が悪くて心配です", "community"),
    ("人と話すのがこわくて電話ができません", "mental"),
])
def test_blind5_category_classes(text, cat):
    assert cat in classify(text).categories


def test_blind5_category_classes_stay_narrow():
    # a high-school carer writing about herself is not childcare; an adult's 発達障害 is not childcare
    assert "childcare" not in classify("祖母の介護をしている高校生です。学校に行けない日がある").categories
    assert "childcare" not in classify("発達障害があって、金銭管理がうまくできません").categories
    assert "childcare" in classify("子どもの発達が気になる").categories
