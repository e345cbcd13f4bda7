"""The HTML report: its pages, their links, escaped text, and tables equal to the JSON outputs."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from report_support import HOSTILE, Page, broken_links, hostile_archive, wire_archive

from syndicate import SyndicateError, read_articles, scan
from syndicate.html import build_report, is_report
from syndicate.html.pages import article_page, cluster_page, copy_anchor
from syndicate.outlets import outlet_table
from syndicate.provenance import scan_composites
from syndicate.simulate import SimulationConfig, simulate


def archive():
    return [*wire_archive(), *hostile_archive()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    result = scan(archive())
    out = tmp_path_factory.mktemp("report") / "report"
    summary = build_report(result, archive, out, inputs=["archive.jsonl"], workers=1)
    return result, out, summary


def pages(out: Path) -> dict[str, Page]:
    return {path.name: Page(path.read_text(encoding="utf-8")) for path in out.glob("*.html")}


def test_the_report_has_an_overview_a_page_per_cluster_and_per_composite_and_its_assets(built) -> None:
    result, out, summary = built
    expected = {"index.html", *(cluster_page(c.id) for c in result.clusters), article_page("mix-courier")}
    assert {p.name for p in out.glob("*.html")} == expected
    assert {p.name for p in out.iterdir()} == expected | {"style.css", "report.js", "report.json"}
    assert (summary.pages, summary.clusters, summary.composites) == (len(expected), len(result.clusters), 1)
    assert is_report(out) and not list(out.parent.glob(".report.*"))  # no staging folder left behind


def test_every_link_of_every_page_resolves_inside_the_report(built) -> None:
    _, out, _ = built
    assert broken_links(out) == []
    index = pages(out)["index.html"]
    for cluster_link in [link for link in index.links if link.startswith("cluster-")]:
        assert (out / cluster_link.partition("#")[0]).is_file()


def test_article_text_is_shown_and_never_run(built) -> None:
    result, out, _ = built
    (evil,) = [c for c in result.clusters if "evil-copy" in c.members]
    for name, page in pages(out).items():
        html = (out / name).read_text(encoding="utf-8")
        assert "<script>document" not in html and "<img src=x" not in html and "<b>" not in html
        assert all(script.get("src") == "report.js" and set(script) == {"src", "defer"} for script in page.scripts)
        assert not any(tag == "img" for tag, _ in page.elements)
        assert "javascript:" not in " ".join(page.links)
    cluster = pages(out)[cluster_page(evil.id)]
    assert HOSTILE in cluster.text  # shown as text, in the diff
    assert '<i>Evil</i> "Times"' in cluster.text and 'evil/../<b>"id"' in cluster.text
    assert "&lt;script&gt;document.title" in (out / cluster_page(evil.id)).read_text(encoding="utf-8")


def data_values(page: Page, table_id: str) -> list[dict[str, str | None]]:
    """The attributes of the cells of one table, row by row, in document order."""
    rows, inside, current = [], False, None
    for tag, attrs in page.elements:
        if tag == "table":
            inside = attrs.get("id") == table_id
        elif inside and tag == "tr" and (attrs.get("data-outlet") is not None or attrs.get("data-agency") is not None):
            current = {"row": attrs, "cells": []}
            rows.append(current)
        elif inside and tag == "td" and current is not None:
            current["cells"].append(attrs)
    return rows


def test_the_outlet_table_shows_the_values_of_the_json_output(built) -> None:
    result, out, _ = built
    expected = outlet_table(result, scan_composites(result, archive)).to_dict()
    assert json.loads((out / "report.json").read_text())["outlets"] == expected
    rows = data_values(pages(out)["index.html"], "outlet-table")
    assert [row["row"]["data-outlet"] for row in rows] == [o["outlet"] for o in expected["outlets"]]
    for row, want in zip(rows, expected["outlets"], strict=True):
        name, articles, reusing, wire, *agencies, _ = row["cells"]
        assert name["data-value"] == want["outlet"]
        assert int(articles["data-value"]) == want["articles"]
        assert int(reusing["data-value"]) == want["reusing_articles"]
        assert float(reusing["data-share"]) == want["reusing_share"]
        assert float(wire["data-value"]) == want["wire_share"] and int(wire["data-words"]) == want["wire_words"]
        assert [cell["data-agency"] for cell in agencies] == expected["agencies"]
        for cell in agencies:
            assert float(cell["data-value"]) == want["agencies"].get(cell["data-agency"], {"share": 0})["share"]


def test_the_clusters_table_shows_the_scan(built) -> None:
    result, out, _ = built
    report = json.loads((out / "report.json").read_text())
    rows = data_values(pages(out)["index.html"], "cluster-table")
    assert [int(row["cells"][0]["data-value"]) for row in rows] == [c.id for c in result.clusters]
    for row, cluster, recorded in zip(rows, result.clusters, report["clusters"], strict=True):
        assert recorded["members"] == cluster.members and recorded["source"] == cluster.source
        assert int(row["cells"][3]["data-value"]) == len(cluster.members)
        assert row["row"]["data-agency"] == recorded["agency"]
        assert set(row["row"]["data-kinds"].split("\n")) == set(cluster.kinds())
        outlets = {result.info[m].outlet for m in cluster.members}
        assert set(row["row"]["data-outlets"].split("\n")) == outlets
    a_story = next(r for r in report["clusters"] if r["source"] == "a-planet")
    assert a_story["agency"] == "AP" and set(a_story["kept"]) == {"a-gazette", "a-herald", "mix-courier"}  # partial


def test_a_cluster_page_lists_its_members_and_links_each_copy_to_its_neighbours(built) -> None:
    result, out, _ = built
    report = {c["id"]: c for c in json.loads((out / "report.json").read_text())["clusters"]}
    for cluster in result.clusters:
        page = pages(out)[cluster_page(cluster.id)]
        copies = [m for m in (*cluster.members, *cluster.partial) if m != cluster.source]
        assert {copy_anchor(m) for m in copies} <= page.ids and {"members", "source"} <= page.ids
        kept = [float(a["data-value"]) for tag, a in page.elements if tag == "td" and a.get("data-value")]
        assert sorted(kept) == sorted(report[cluster.id]["kept"].values())
        # The members table links every copy; then each copy's section links the one before and after it.
        jumps = [link for link in page.links if link.startswith("#copy-")]
        shown = jumps[: len(copies)]
        assert sorted(shown) == sorted(f"#{copy_anchor(m)}" for m in copies)
        pager = [link for n in range(len(shown)) for link in (shown[n - 1:n] if n else []) + shown[n + 1:n + 2]]
        assert jumps[len(copies):] == pager
        assert "index.html#clusters" in page.links


def test_a_composite_page_marks_each_paragraph_with_its_source_or_own_reporting(built) -> None:
    _, out, _ = built
    page = pages(out)[article_page("mix-courier")]
    items = [a.get("class") for tag, a in page.elements if tag == "li" and (a.get("class") or "").startswith("origin")]
    assert items == ["origin-source", "origin-source", "origin-own", "origin-source", "origin-source",
                     "origin-source", "origin-own", "origin-source", "origin-own", "origin-short"]
    assert len(re.findall(r"¶\d+\s+from a-planet", page.text)) == 3
    assert len(re.findall(r"¶\d+\s+from b-reuters", page.text)) == 3
    assert "cluster-" in " ".join(page.links)


def test_a_report_replaces_an_earlier_one_but_never_a_folder_of_other_files(tmp_path) -> None:
    out = tmp_path / "report"
    build_report(scan(archive()), archive, out, workers=1)
    (out / "cluster-999.html").write_text("stale")
    build_report(scan(wire_archive()), wire_archive, out, workers=1)
    assert not (out / "cluster-999.html").exists() and is_report(out)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(SyndicateError, match="not empty and holds no syndicate report"):
        build_report(scan(wire_archive()), wire_archive, other, workers=1)
    assert (other / "notes.txt").read_text() == "keep me" and len(list(other.iterdir())) == 1


def test_a_failed_build_leaves_the_earlier_report_whole(tmp_path) -> None:
    out = tmp_path / "report"
    build_report(scan(wire_archive()), wire_archive, out, workers=1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def shrinking():
        return wire_archive()[:3]  # the archive lost articles since the scan

    with pytest.raises(SyndicateError, match="not found on reading the archive again"):
        build_report(scan(archive()), shrinking, out, workers=1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_worker_processes_write_the_same_report(tmp_path) -> None:
    result = scan(archive())
    build_report(result, archive, tmp_path / "one", workers=1)
    build_report(result, archive, tmp_path / "two", workers=2)
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert one == {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}


def test_the_report_of_the_seeds(seeds_dir, tmp_path) -> None:
    from conftest import COPY_AFP, REWRITE_AFP, SOURCE_AFP

    result = scan(read_articles([seeds_dir]))
    out = tmp_path / "report"
    build_report(result, lambda: read_articles([seeds_dir]), out, workers=1)
    assert sorted(p.name for p in out.glob("*.html")) == ["cluster-1.html", "index.html"] and broken_links(out) == []
    page = Page((out / "cluster-1.html").read_text(encoding="utf-8"))
    assert {copy_anchor(COPY_AFP), copy_anchor(REWRITE_AFP)} <= page.ids
    assert "Hizbullah" in page.text and "[Anwar Amro/AFP]" in page.text
    report = json.loads((out / "report.json").read_text())
    (cluster,) = report["clusters"]
    assert (cluster["source"], cluster["agency"]) == (SOURCE_AFP, "AFP")
    assert cluster["kept"] == {COPY_AFP: 0.7869, REWRITE_AFP: 0.5219}  # the diff view's 79 % and 52 %
    assert report["outlets"] == outlet_table(result, scan_composites(result, lambda: read_articles([seeds_dir]))
                                             ).to_dict()


def test_the_report_of_a_simulated_archive_has_a_page_per_wire_story(seeds_dir, tmp_path) -> None:
    config = SimulationConfig(stories=4, copies=4, outlets=6, seed=2, min_paragraphs=6, min_words=100)
    simulation = simulate(read_articles([seeds_dir]), config)
    result = scan(simulation.articles)
    out = tmp_path / "report"
    build_report(result, lambda: simulation.articles, out, workers=1)
    assert broken_links(out) == []
    sources = {group["source"] for group in simulation.labels["groups"] if group.get("source")}
    assert all(any(source in c.members for c in result.clusters) for source in sources)  # a page per wire story
    overview = (out / "index.html").read_text(encoding="utf-8")
    for cluster in result.clusters:
        page = Page((out / cluster_page(cluster.id)).read_text(encoding="utf-8"))
        assert all(member in page.text for member in cluster.members)
        assert f'href="{cluster_page(cluster.id)}"' in overview
    table = outlet_table(result, scan_composites(result, lambda: simulation.articles)).to_dict()
    index = Page(overview)
    shown = [row["row"]["data-outlet"] for row in data_values(index, "outlet-table")]
    assert shown == [row["outlet"] for row in table["outlets"]] and len(shown) == 7  # the wire texts have none


def test_copies_carrying_the_same_text_share_one_alignment_but_keep_their_own_facts() -> None:
    from syndicate.align import align_copies

    source, copy = hostile_archive()
    twin = replace(copy, id="evil-twin", title="Twin", outlet="Other Paper")
    first, second = align_copies(source, [copy, twin])
    assert second.pairs is first.pairs and second.summary == first.summary
    assert (second.copy.id, second.copy.outlet) == ("evil-twin", "Other Paper")
    assert second.to_dict() == {**first.to_dict(), "copy": "evil-twin", "copy_title": "Twin"}


def test_a_disk_that_fills_up_is_an_error_naming_the_folder_and_leaves_the_earlier_report(tmp_path,
                                                                                        monkeypatch) -> None:
    import errno

    from syndicate.html import report as builder

    out = tmp_path / "report"
    build_report(scan(wire_archive()), wire_archive, out, workers=1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    written = []

    def write(path: Path, text: str) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        path.write_text(text, encoding="utf-8")

    monkeypatch.setattr(builder, "_write", write)
    with pytest.raises(SyndicateError, match=f"{out}: cannot write the report: No space left on device"):
        build_report(scan(archive()), archive, out, workers=1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]
