from markupsafe import Markup

from console.views.highlight import evidence_spans, highlight

M, E = '<mark class="evidence">', "</mark>"


def test_wraps_each_occurrence():
    assert highlight("死にたい。本当に死にたい", ["死にたい"]) == f"{M}死にたい{E}。本当に{M}死にたい{E}"


def test_result_is_markup_and_text_is_escaped():
    result = highlight('<script>alert("x")</script> & 殴られる', ["殴られる"])
    assert isinstance(result, Markup)
    assert result == f"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; {M}殴られる{E}"


def test_evidence_itself_is_escaped():
    assert highlight("a<b>c", ["<b>"]) == f"a{M}&lt;b&gt;{E}c"


def test_overlapping_phrases_make_one_mark():
    assert highlight("もう死にたいです", ["死にたい", "たいです"]) == f"もう{M}死にたいです{E}"
    assert evidence_spans("abcdef", ["bcd", "c", "cdef"]) == [(1, 6)]


def test_touching_phrases_merge_and_separate_ones_do_not():
    assert evidence_spans("abcd", ["ab", "cd"]) == [(0, 4)]
    assert evidence_spans("ab-cd", ["ab", "cd"]) == [(0, 2), (3, 5)]


def test_phrase_not_found_leaves_text_alone():
    assert highlight("ねむい", ["死にたい"]) == "ねむい"


def test_empty_and_odd_inputs():
    assert highlight(None, ["x"]) == ""
    assert highlight("text", []) == "text"
    assert highlight("text", ["", None, 3]) == "text"


def test_multiline_text_keeps_line_breaks():
    assert highlight("一行目\n消えたい", ["消えたい"]) == f"一行目\n{M}消えたい{E}"
