"""Single pages (diff --html, show --html) and the names pages use for files and anchors."""

from __future__ import annotations

from report_support import HOSTILE, Page, hostile_archive

from syndicate import align, scan
from syndicate.html import cluster_html, diff_html
from syndicate.html.pages import article_page, copy_anchor, plural, slug


def test_slugs_keep_safe_ids_and_make_any_other_id_a_safe_distinct_name() -> None:
    assert slug("002_a03570c17a29d6cf") == "002_a03570c17a29d6cf"
    odd = ["a/b", "a?b", "../../etc/passwd", "<script>", "é", ".hidden", "a b"]
    names = [slug(i) for i in odd]
    assert len(set(names)) == len(odd)
    assert all(name and name[0] not in ".-" and all(c.isalnum() or c in "_-" for c in name) for name in names)
    assert article_page("../x").startswith("article-") and "/" not in article_page("../x")
    assert copy_anchor("a b") == f"copy-{slug('a b')}"


def test_plural() -> None:
    assert (plural("article", 1), plural("article", 0), plural("article", 2)) == ("article", "articles", "articles")


def test_the_diff_page_stands_alone_and_shows_hostile_text_as_text() -> None:
    source, copy = hostile_archive()
    html = diff_html(align(source, copy))
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and 'href="style.css"' not in html
    assert page.scripts == [] and page.links == []
    assert HOSTILE in page.text and "<script>document" not in html
    assert "font: 15px/1.5 system-ui" in html and "&#34;Segoe UI&#34;" not in html  # the stylesheet is not escaped


def test_the_cluster_page_of_show_stands_alone() -> None:
    articles = hostile_archive()
    (cluster,) = scan(articles).clusters
    by_id = {a.id: a for a in articles}
    source = by_id[cluster.source]
    alignments = [align(source, by_id[m]) for m in cluster.members if m != cluster.source]
    html = cluster_html(cluster, source, alignments, overview=None)
    page = Page(html)
    assert all(link.startswith("#") for link in page.links) and page.scripts == []
    assert {f"#{copy_anchor(a.copy.id)}" for a in alignments} <= set(page.links)
    assert "<style>" in html and HOSTILE in page.text
