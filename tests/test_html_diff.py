"""Diff rows for pages: every paragraph as written, cut into kept and changed runs from the word ops."""

from __future__ import annotations

from conftest import COPY_AFP, SOURCE_AFP

from syndicate import Article, align, read_articles
from syndicate.html.diff import diff_rows


def aligned(seeds_dir):
    articles = {a.id: a for a in read_articles([seeds_dir])}
    return align(articles[SOURCE_AFP], articles[COPY_AFP])


def test_each_side_is_its_paragraphs_as_written(seeds_dir) -> None:
    alignment = aligned(seeds_dir)
    rows = diff_rows(alignment)
    assert [row.op for row in rows] == [pair.op for pair in alignment.pairs]
    for article, side in ((alignment.source, "source"), (alignment.copy, "copy")):
        shown = {p.number: "".join(s.text for s in p.segments) for row in rows for p in getattr(row, side)}
        assert shown == {n + 1: text for n, text in enumerate(article.paragraphs)}


def test_changed_runs_are_the_word_ops_and_unmatched_paragraphs_are_changed_whole(seeds_dir) -> None:
    rows = diff_rows(aligned(seeds_dir))
    changed_copy = [s.text for row in rows for p in row.copy for s in p.segments if s.changed]
    changed_source = [s.text for row in rows for p in row.source for s in p.segments if s.changed]
    assert "Hizbullah" in changed_copy and "Hezbollah" in changed_source
    assert "Lebanon's Hezbollah" in changed_source  # a run of two changed words is one segment
    for row in rows:
        if row.op in ("add", "delete"):
            sides = row.copy if row.op == "add" else row.source
            assert all(len(p.segments) == 1 and p.segments[0].changed for p in sides)
        if row.op == "same":
            assert not any(s.changed for p in (*row.source, *row.copy) for s in p.segments)
            assert row.similarity is None


def test_a_merge_marks_changes_in_each_of_its_paragraphs() -> None:
    source = Article("s", ("Alpha beta gamma delta epsilon zeta eta theta.", "Iota kappa lambda mu nu xi omicron pi."))
    copy = Article("c", ("Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron rho.",))
    rows = diff_rows(align(source, copy))
    (merge,) = [row for row in rows if row.op == "merge"]
    assert [p.number for p in merge.source] == [1, 2]
    assert [s.text for p in merge.source for s in p.segments if s.changed] == ["pi"]
    assert [s.text for p in merge.copy for s in p.segments if s.changed] == ["rho"]
