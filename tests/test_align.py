"""Paragraph alignment: each operation on small constructed articles, the seeds' acceptance checks, properties."""

from __future__ import annotations

from itertools import pairwise

import pytest
from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Alignment, Article, align
from syndicate.align import tokenize
from syndicate.config import ScanConfig
from syndicate.normalise import words
from syndicate.read import read_articles

LEAD = "The central bank raised its main interest rate by half a point on Thursday, its third rise this year."
QUOTE = "Inflation remains far too high and we will act as long as necessary, the governor told reporters."
MARKETS = "Shares in the main banks rose sharply in early trading while the currency slipped against the dollar."
HISTORY = "The bank last raised rates this quickly during the energy crisis of the late nineteen seventies."
OUTLOOK = "Economists polled last week expect one more increase before the summer, then a long pause."
EXTRA = "Opposition leaders said households already struggling with mortgage payments would pay the price."


def article(article_id: str, *paragraphs: str) -> Article:
    return Article(id=article_id, paragraphs=tuple(paragraphs))


def ops(alignment: Alignment) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    return [(p.op, p.source_paragraphs, p.copy_paragraphs) for p in alignment.pairs]


def test_identical_paragraphs_are_same_even_when_typography_differs():
    source = article("s", LEAD, QUOTE)
    copy = article("c", LEAD.upper(), QUOTE.replace(",", " —"))
    assert ops(align(source, copy)) == [("same", (0,), (0,)), ("same", (1,), (1,))]


def test_a_respelt_word_is_an_edit_with_a_one_word_replacement_in_original_spelling():
    source = article("s", "Hezbollah said on Tuesday that its fighters had fired rockets across the border.")
    copy = article("c", "Hizbullah said on Tuesday that its fighters had fired rockets across the border.")
    (pair,) = align(source, copy).pairs
    assert pair.op == "edit"
    changes = [(w.op, w.source, w.copy) for w in pair.words if w.op != "equal"]
    assert changes == [("replace", "Hezbollah", "Hizbullah")]
    assert pair.similarity == pytest.approx(2 * 12 / 26)


def test_inserted_and_deleted_words_inside_a_paragraph():
    source = article("s", "The minister resigned on Monday after a long and bitter row with the prime minister over "
                          "the budget.")
    copy = article("c", "The embattled minister resigned on Monday after a long row with the prime minister over the "
                        "budget, aides said.")
    (pair,) = align(source, copy).pairs
    assert (pair.op, pair.grade) == ("edit", "edited")
    changes = [(w.op, w.source, w.copy) for w in pair.words if w.op != "equal"]
    assert changes == [("insert", "", "embattled"), ("delete", "and bitter", ""), ("insert", "", "aides said")]


def test_a_paragraph_out_of_order_is_a_move_and_the_rest_stay_in_order():
    source = article("s", LEAD, QUOTE, MARKETS, HISTORY, OUTLOOK)
    copy = article("c", LEAD, MARKETS, HISTORY, OUTLOOK, QUOTE)
    assert ops(align(source, copy)) == [
        ("same", (0,), (0,)), ("same", (2,), (1,)), ("same", (3,), (2,)), ("same", (4,), (3,)),
        ("move", (1,), (4,)),
    ]


def test_one_paragraph_cut_in_two_is_a_split():
    source = article("s", LEAD, f"{QUOTE} {MARKETS}", OUTLOOK)
    copy = article("c", LEAD, QUOTE, MARKETS, OUTLOOK)
    alignment = align(source, copy)
    assert ops(alignment) == [("same", (0,), (0,)), ("split", (1,), (1, 2)), ("same", (2,), (3,))]
    split = alignment.pairs[1]
    assert [w.op for w in split.words] == ["equal"]
    assert split.similarity == 1.0


def test_two_paragraphs_joined_are_a_merge():
    source = article("s", LEAD, QUOTE, MARKETS, OUTLOOK)
    copy = article("c", LEAD, f"{QUOTE} {MARKETS}", OUTLOOK)
    assert ops(align(source, copy)) == [("same", (0,), (0,)), ("merge", (1, 2), (1,)), ("same", (3,), (2,))]


def test_a_paragraph_with_an_added_sentence_is_an_edit_not_a_split():
    source = article("s", LEAD, QUOTE)
    copy = article("c", LEAD, f"{QUOTE} {EXTRA}")
    assert ops(align(source, copy)) == [("same", (0,), (0,)), ("edit", (1,), (1,))]


def test_added_and_deleted_paragraphs_in_reading_order():
    source = article("s", LEAD, HISTORY, QUOTE)
    copy = article("c", LEAD, QUOTE, EXTRA)
    assert ops(align(source, copy)) == [
        ("same", (0,), (0,)), ("delete", (1,), ()), ("same", (2,), (1,)), ("add", (), (2,)),
    ]


def test_short_paragraphs_match_only_when_identical():
    source = article("s", "Advertisement", LEAD, "Read more")
    copy = article("c", "Advertisement", LEAD, "Read less")
    assert ops(align(source, copy)) == [
        ("same", (0,), (0,)), ("same", (1,), (1,)), ("delete", (2,), ()), ("add", (), (2,)),
    ]


def test_many_repeated_paragraphs_align_on_the_diagonal():
    # 100 identical lines before and after the story make 40,000 candidate pairs; the chain is still the diagonal.
    page = article("p", *(["Advertisement"] * 100), LEAD, *(["Advertisement"] * 100))
    alignment = align(page, page)
    assert [(p.op, p.source_paragraphs) for p in alignment.pairs] == [("same", (i,)) for i in range(201)]
    assert all(p.source_paragraphs == p.copy_paragraphs for p in alignment.pairs)


def test_unrelated_articles_share_no_paragraphs_although_they_share_names():
    source = article("s", "Hamas and Islamic Jihad leaders met Hassan Nasrallah in Beirut on Wednesday.",
                     "The meeting was announced by Hezbollah in a short statement.")
    copy = article("c", "Israel said Hassan Nasrallah was playing with fire after the meeting in Beirut.",
                   "Hamas and Islamic Jihad did not comment on the Israeli warning.")
    alignment = align(source, copy)
    assert {p.op for p in alignment.pairs} == {"add", "delete"}
    assert alignment.summary.kept_words == 0


def test_summary_counts_words_kept_added_and_deleted():
    source = article("s", "One two three four five six.", "Seven eight nine ten eleven.")
    copy = article("c", "One two three four five SIX.", "Twelve thirteen fourteen.")
    summary = align(source, copy).summary
    assert (summary.source_words, summary.copy_words, summary.kept_words) == (11, 9, 6)
    assert (summary.added_words, summary.deleted_words) == (3, 5)
    assert summary.source_reused == pytest.approx(6 / 11)
    assert summary.paragraphs["same"] == 1 and summary.paragraphs["add"] == 1 and summary.paragraphs["delete"] == 1


def test_json_shape_keeps_original_text_and_gives_words_only_for_changed_pairs():
    source = article("s", "Supporters attend a speech in Beirut. [Anwar Amro/AFP]", LEAD, HISTORY)
    copy = article("c", "Supporters attend a speech in Beirut. [Anwar Amro/AFP]", LEAD.replace("Thursday", "Friday"))
    data = align(source, copy).to_dict()
    assert data["source"] == "s" and data["copy"] == "c"
    assert set(data["summary"]) >= {"source_words", "copy_words", "source_reused", "added_words", "deleted_words"}
    same, edit, delete = data["pairs"]
    assert same["source_text"] == "Supporters attend a speech in Beirut. [Anwar Amro/AFP]"
    assert same["similarity"] == 1.0 and "words" not in same
    assert edit["op"] == "edit" and {"op": "replace", "source": "Thursday", "copy": "Friday"} in edit["words"]
    assert delete == {"op": "delete", "source_paragraphs": [2], "copy_paragraphs": [], "source_text": HISTORY,
                      "copy_text": None, "similarity": None}


def test_stricter_grades_unpair_a_reworded_paragraph():
    killed = "five people were killed and twelve wounded in the overnight strikes on the town"
    source = article("s", f"The ministry said {killed}.")
    copy = article("c", f"{killed.capitalize().replace('wounded', 'hurt')}, the ministry said.")
    assert [p.op for p in align(source, copy).pairs] == ["edit"]
    strict = ScanConfig(edited=0.95, edited_terms=1.0, paraphrased=1.0, weak_paraphrased=1.0)
    assert [p.op for p in align(source, copy, strict).pairs] == ["delete", "add"]


# --- the seeds: the acceptance checks of the issue ------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {a.id[:3]: a for a in read_articles([SEEDS])}


def paragraph_index(article: Article, start: str) -> int:
    (index,) = [i for i, p in enumerate(article.paragraphs) if p.startswith(start)]
    return index


def test_every_body_paragraph_of_the_afp_copy_is_paired_in_the_edited_copy(seeds):
    source, copy = seeds["002"], seeds["003"]
    alignment = align(source, copy)
    first = paragraph_index(source, "Senior officials of Palestinian militant groups")
    last = paragraph_index(source, "Four people have been killed in Israel, including one civilian.")
    paired = {i: p for p in alignment.pairs if p.matched for i in p.source_paragraphs}
    assert set(range(first, last + 1)) <= set(paired)
    # 003 swapped the two "They discussed…" paragraphs around the health ministry paragraph.
    discussed = paired[paragraph_index(source, "They discussed what")]
    also = paired[paragraph_index(source, "They also discussed")]
    assert copy.paragraphs[discussed.copy_paragraphs[0]].startswith("They also discussed the international")
    assert copy.paragraphs[also.copy_paragraphs[0]].startswith("Hizbullah's Al-Manar TV said")
    assert "move" in {discussed.op, also.op}


def test_the_edited_copys_extra_section_is_added(seeds):
    alignment = align(seeds["002"], seeds["003"])
    start = paragraph_index(seeds["003"], "Pro-Hizbullah fighters in Syria's south")
    ops_from = {j: p.op for p in alignment.pairs for j in p.copy_paragraphs if j >= start}
    assert ops_from == {j: "add" for j in range(start, len(seeds["003"].paragraphs))}


def test_hezbollah_respelt_hizbullah_is_a_word_replacement(seeds):
    alignment = align(seeds["002"], seeds["003"])
    replacements = [(w.source, w.copy) for p in alignment.pairs for w in p.words if w.op == "replace"]
    assert replacements.count(("Hezbollah", "Hizbullah")) >= 5


def test_an_independent_report_shares_at_most_one_paragraph_and_almost_no_words(seeds):
    alignment = align(seeds["002"], seeds["000"])
    assert sum(p.matched for p in alignment.pairs) <= 1
    assert alignment.summary.source_reused < 0.05


# --- properties ------------------------------------------------------------------------------------

_WORDS = st.sampled_from(["the", "minister", "said", "Hezbollah", "Hizbullah", "rates", "l'été", "État", "—",
                          "'quoted'", "(AFP)", "[bracket]", "3.5%", "co-operate", "ﬁnal", "e\u0301t\u00e9", "Straße"])
_PARAGRAPH = st.lists(_WORDS, min_size=1, max_size=25).map(" ".join)
_TEXT = st.lists(_PARAGRAPH, min_size=1, max_size=8).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_aligning_a_text_with_itself_gives_only_same(text):
    original = Article.from_text("a", text)
    alignment = align(original, Article.from_text("b", text))
    assert [p.op for p in alignment.pairs] == ["same"] * len(original.paragraphs)
    assert [p.source_paragraphs for p in alignment.pairs] == [(i,) for i in range(len(original.paragraphs))]
    assert alignment.summary.deleted_words == alignment.summary.added_words == 0


@settings(max_examples=300, deadline=None)
@given(st.one_of(_PARAGRAPH, st.text(max_size=80)))
def test_tokens_are_exactly_the_normalised_words_with_spans_in_the_text(text):
    tokens = tokenize(text)
    assert [t.word for t in tokens] == words(text)
    for before, token in pairwise(tokens):
        assert before.end <= token.start or token.start == token.end
    for token in tokens:
        assert 0 <= token.start <= token.end <= len(text)


def test_the_rewrite_pairs_its_paraphrased_paragraphs_with_their_sources(seeds):
    alignment = align(seeds["002"], seeds["001"])
    paraphrased = [pair for pair in alignment.pairs if pair.grade == "paraphrased"]
    assert len(paraphrased) >= 4 and all(pair.source_paragraphs and pair.copy_paragraphs for pair in paraphrased)
    summary = alignment.summary
    assert summary.source_in_passages > 0.8 and summary.grades["paraphrased"] > 0.5
    assert summary.source_reused > 0.3  # the words kept word for word inside those paraphrases


def test_the_view_shows_the_shares_the_scan_decided_on_with_the_archive_s_template_vocabulary() -> None:
    from test_simulate import _stories

    from syndicate import scan
    from syndicate.align import align_copies
    from syndicate.simulate import SimulationConfig, simulate

    simulation = simulate(_stories(60), SimulationConfig(stories=30, seed=11, min_paragraphs=6, min_words=100))
    by_id = {article.id: article for article in simulation.articles}
    result = scan(simulation.articles)
    assert len(result.template) > 0  # the simulated outlets' shared vocabulary
    compared = 0
    for cluster in result.clusters:
        source = by_id[cluster.source]
        # Near-identical re-sends take their shares from whole shingle sets (their lines may all be furniture).
        direct = {link.b if link.a == source.id else link.a: link for link in cluster.links
                  if source.id in (link.a, link.b) and link.jaccard < result.config.near_identical}
        copies = [by_id[member] for member in direct]
        furniture = {a.id: result.info[a.id].furniture_mask(len(a.paragraphs)) for a in (source, *copies)}
        for alignment in align_copies(source, copies, result.config, furniture, result.template):
            link = direct[alignment.copy.id]
            assert alignment.summary.source_in_passages == pytest.approx(link.share_of(source.id), abs=1e-9)
            assert alignment.summary.copy_in_passages == pytest.approx(link.share_of(alignment.copy.id), abs=1e-9)
            if link.a == source.id:  # a link's grades are shares of its first article's words
                grades = {grade: getattr(link, grade) for grade in alignment.summary.grades}
                assert alignment.summary.grades == pytest.approx(grades, abs=1e-9)  # 2 differ without the template
            compared += 1
    assert compared >= 50


def test_tokens_of_text_with_curly_quotes_dashes_and_accents_are_its_normalised_words() -> None:
    text = "“Hezbollah’s chief” met Hamas—and Islamic Jihad – in Beyrouth, Café ‘Aruri’ said ″OK″."
    tokens = tokenize(text, 3)
    assert [t.word for t in tokens] == words(text)
    assert [text[t.start:t.end] for t in tokens][:4] == ["Hezbollah’s", "chief", "met", "Hamas"]
    assert all(t.paragraph == 3 for t in tokens)
