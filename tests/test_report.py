"""Scan output: the text table (golden files at 80 and 160 columns), its words, and the kinds it documents.

After an intended change to the table, regenerate the golden files and review the diff:

    SYNDICATE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report.py
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import COPY_AFP, REWRITE_AFP, SEEDS
from factories import article, story

from syndicate import ReaderOptions, read_articles, scan
from syndicate.diffview import render_text
from syndicate.report import natural_key, plural, to_table
from syndicate.reuse import KINDS, kind_counts, member_kinds

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("SYNDICATE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def seeds_result():
    return scan(read_articles([SEEDS]))


@pytest.mark.parametrize("width", [80, 160])
def test_golden_scan_table(seeds_result, width: int) -> None:
    rendered = render_text(lambda console: console.print(to_table(seeds_result, width=width)), width)
    path = GOLDEN / f"scan_table_{width}.txt"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"table changed; see the module docstring to regenerate {path}"
    assert max(len(line) for line in rendered.splitlines()) <= width
    assert rendered.startswith("1 cluster · 3 of 5 articles reuse wire text")
    assert ("outlets" in rendered) == (width >= 120)


def test_members_are_counted_by_their_link_to_the_source(seeds_result) -> None:
    (cluster,) = seeds_result.clusters
    assert member_kinds(cluster, source=False) == {COPY_AFP: "copy", REWRITE_AFP: "rewrite"}
    assert kind_counts(cluster) == {"copy": 1, "rewrite": 1}  # members, not links (there are 3 links)
    assert len(cluster.links) == 3


def test_a_member_linked_only_through_another_is_indirect_and_documented() -> None:
    # A chain: each article carries half of the one before it, so only neighbours are linked.
    a, b, c, d, e = (story(seed, paragraphs=5) for seed in range(1, 6))
    chain = [article("first", a + b, date="2020-01-01"), article("second", b + c, date="2020-01-02"),
             article("third", c + d, date="2020-01-03"), article("fourth", d + e, date="2020-01-04")]
    result = scan(chain)
    (cluster,) = result.clusters
    linked = {member for link in cluster.links if cluster.source in (link.a, link.b) for member in (link.a, link.b)}
    far = sorted(set(cluster.members) - linked)
    assert cluster.source in {"second", "third"} and len(far) == 1  # a middle one holds the most shared text
    assert member_kinds(cluster)[far[0]] == "indirect"
    table = render_text(lambda console: console.print(to_table(result, width=100)), 100)
    assert "indirect 1" in table and f"indirect: {KINDS['indirect']}" in " ".join(table.split())


def test_a_kind_the_table_does_not_know_is_counted_and_shown_by_name(seeds_result) -> None:
    (cluster,) = seeds_result.clusters
    renamed = replace(cluster, links=[replace(link, kind="excerpt" if link.kind == "copy" else "echo")
                                      for link in cluster.links])
    assert kind_counts(renamed) == {"excerpt": 1, "echo": 1}  # KINDS order first, unknown kinds after
    result = replace(seeds_result, clusters=[renamed])
    table = " ".join(render_text(lambda console: console.print(to_table(result, width=160)), 160).split())
    assert f"excerpt: {KINDS['excerpt']}" in table and "echo: see the documentation" in table


def test_plural_and_natural_order() -> None:
    assert [plural(1, "cluster"), plural(2, "cluster"), plural(1, "copy", "copies"), plural(1200, "article")] == [
        "1 cluster", "2 clusters", "1 copy", "1,200 articles"]
    assert sorted(["a-10552", "a-729", "b-1", "a-31"], key=natural_key) == ["a-31", "a-729", "a-10552", "b-1"]


def test_limit_says_how_many_more(seeds_result) -> None:
    extra = scan([*read_articles([SEEDS]), article("w2", story(5)), article("c2", story(5)[:7])])
    rendered = render_text(lambda console: console.print(to_table(extra, limit=1, width=80)), 80)
    assert "… 1 more cluster (raise --limit, or --format json)" in rendered


@pytest.mark.slow
def test_the_helsinki_table_fits_80_columns_without_breaking_words(helsinki_csv: Path) -> None:
    result = scan(read_articles([helsinki_csv], ReaderOptions(paragraph_sep=" ### ")))
    rendered = render_text(lambda console: console.print(to_table(result, limit=30, width=80)), 80)
    lines = rendered.splitlines()
    assert max(len(line) for line in lines) <= 80
    tokens = set(" ".join(lines).split())
    for cluster in result.clusters[:30]:
        assert cluster.source in tokens  # ids whole
        info = result.info[cluster.source]
        if info.outlet:
            assert all(word in tokens for word in info.outlet.split())  # outlet names whole
        for word in info.headline.split():
            assert word in tokens or any(word in token for token in tokens if len(token) >= len(word))
