"""Paragraph provenance: which article each paragraph's text was found in, or own reporting."""

from __future__ import annotations

import pytest
from conftest import COPY_AFP, INDEPENDENT, SOURCE_AFP
from report_support import composite, wire_archive
from rich.console import Console

from syndicate import Article, read_articles
from syndicate.provenance import Provenance, composites, preference, to_text, trace

LOCAL = ("The mayor of Tyre told our reporter on Thursday that the town's schools would stay open during "
         "the holiday week whatever happens at the border.")


@pytest.fixture(scope="module")
def seeds(seeds_dir) -> dict[str, Article]:
    return {a.id: a for a in read_articles([seeds_dir])}


def seed_paragraph(article: Article, start: str) -> tuple[int, str]:
    return next((i, p) for i, p in enumerate(article.paragraphs) if p.startswith(start))


def test_a_composite_of_two_seeds_and_new_text_names_the_right_source_for_each_paragraph(seeds) -> None:
    afp, edited, other = seeds[SOURCE_AFP], seeds[COPY_AFP], seeds[INDEPENDENT[1]]
    afp_only = seed_paragraph(afp, "Senior officials of Palestinian militant groups")
    in_both = seed_paragraph(afp, "Nasrallah and the Palestinian militant leaders")  # 003 kept it word for word
    respelt = seed_paragraph(edited, "The Hizbullah statement did not specify")  # 003's own spelling
    independent = [(i, p) for i, p in enumerate(other.paragraphs) if len(p.split()) > 20][:2]
    paragraphs = [afp_only, (None, LOCAL), independent[0], in_both, respelt, independent[1], (None, "Read more.")]
    article = Article("composite", tuple(p for _, p in paragraphs))
    assert in_both[1] in edited.paragraphs  # the tie that must go to the wire text

    provenance = trace(article, [*seeds.values(), article])

    expected = [SOURCE_AFP, None, INDEPENDENT[1], SOURCE_AFP, COPY_AFP, INDEPENDENT[1], None]
    assert [o.source for o in provenance.origins] == expected
    assert [o.kind for o in provenance.origins] == ["source", "own", "source", "source", "source", "source", "short"]
    source_paragraphs = [afp_only[0], None, independent[0][0], in_both[0], respelt[0], independent[1][0], None]
    for origin, where in zip(provenance.origins, source_paragraphs, strict=True):
        assert origin.source_paragraphs == (() if where is None else (where,))
        assert origin.share == (1.0 if where is not None else 0.0)
    assert list(provenance.sources) == [SOURCE_AFP, INDEPENDENT[1], COPY_AFP]
    assert provenance.is_composite()


def test_trace_json_gives_each_paragraph_with_its_origin_and_the_sources_with_their_share(seeds) -> None:
    afp = seeds[SOURCE_AFP]
    article = Article("mixed", (afp.paragraphs[4], LOCAL), outlet="Local Post")
    data = trace(article, seeds.values()).to_dict()
    assert data["article"] == "mixed" and data["outlet"] == "Local Post"
    assert [p["origin"] for p in data["paragraphs"]] == ["source", "own"]
    assert data["paragraphs"][0]["text"] == afp.paragraphs[4] and data["paragraphs"][0]["source_paragraphs"] == [4]
    (source,) = data["sources"]
    assert source["id"] == SOURCE_AFP and source["credit"] == "AFP"
    assert source["words"] + data["own_words"] == data["words"] and not data["composite"]


def test_an_article_is_never_its_own_source_and_text_found_nowhere_is_own_reporting(seeds) -> None:
    alone = seeds[INDEPENDENT[0]]
    provenance = trace(alone, [alone])
    assert all(o.source is None for o in provenance.origins)
    assert provenance.own_words() == sum(o.words for o in provenance.origins if o.kind == "own") > 0


def test_equal_holders_are_ranked_by_credit_then_date_then_id() -> None:
    credited = Article("z", ("BEIRUT (AFP) - text",), date="2024-01-02")
    early = Article("y", ("text",), date="2024-01-01")
    late = Article("a", ("text",), date="2024-01-03")
    undated = Article("b", ("text",))
    assert sorted([undated, late, early, credited], key=preference) == [credited, early, late, undated]


def test_composites_are_articles_taking_a_good_share_from_two_sources() -> None:
    archive = wire_archive()
    by_id = {a.id: a for a in archive}
    found = list(composites(archive, [by_id["a-planet"], by_id["b-reuters"]]))
    assert [p.article.id for p in found] == ["mix-courier"]
    (mix,) = found
    assert [o.source for o in mix.origins] == ["a-planet", "a-planet", None, "b-reuters", "b-reuters", "b-reuters",
                                               None, "a-planet", None, None]
    assert mix.origins[-1].kind == "short"
    assert mix.words_by_source() == {"a-planet": 90, "b-reuters": 90} and mix.own_words() == 90


def test_one_borrowed_paragraph_in_a_long_story_does_not_make_a_composite() -> None:
    archive = wire_archive()
    by_id = {a.id: a for a in archive}
    own = by_id["own-gazette"]
    quotes = (by_id["b-reuters"].paragraphs[2], by_id["a-planet"].paragraphs[3])
    borrowed = Article("one-quote", (*own.paragraphs, *quotes))
    provenance = trace(borrowed, [by_id["a-planet"], by_id["b-reuters"]])
    assert {o.source for o in provenance.origins} == {None, "a-planet", "b-reuters"}
    assert not provenance.is_composite()  # 30 words of 240 from each: below 15% each
    assert not list(composites([borrowed], [by_id["a-planet"], by_id["b-reuters"]]))


def test_text_view_shows_each_paragraph_with_its_origin() -> None:
    archive = wire_archive()
    provenance: Provenance = trace(composite(), archive)
    console = Console(record=True, width=160, no_color=True)
    console.print(to_text(provenance))
    text = console.export_text()
    assert "Where mix-courier came from · 10 paragraphs" in text and "composite" in text
    assert "own reporting" in text and "too short to trace" in text
    assert "a-planet ¶2 · 100% found" in text
