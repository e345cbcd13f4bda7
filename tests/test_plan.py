"""The partitioned plan: the same output for any partitioning, worker count and spilling; errors in input order."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from factories import wire_archive
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Archive, ReaderOptions, ScanConfig, read_articles, scan
from syndicate import engine as engine_module
from syndicate.article import parse_date
from syndicate.cluster import Group
from syndicate.credit import agency_credit
from syndicate.engine import LocalEngine, mapped_from_file
from syndicate.errors import InputError
from syndicate.plan import (
    LOCALITY_ROUNDS,
    candidates,
    evidence_of,
    group_sources,
    linked_articles,
    locality_order,
    sketch_all,
    verify_all,
    verify_chunk,
)
from syndicate.sketch import headline_candidates, pick_headline
from syndicate.source import MemberFacts, choose_source
from syndicate.spill import Spill


def output(result) -> dict:
    """The scan's JSON without timings, plus what reports read about every article."""
    data = result.to_dict(quotes=True)
    data["stats"] = {k: v for k, v in data["stats"].items() if not k.startswith("seconds_")}
    data["info"] = {article_id: repr(result.info[article_id]) for article_id in result.info}
    return data


def write_jsonl(articles, path: Path) -> Path:
    with path.open("w") as out:
        for a in articles:
            record = {"id": a.id, "text": "\n".join(a.paragraphs), "outlet": a.outlet, "date": a.date}
            out.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def whole():
    """The reference: one part, one process."""
    return output(scan(wire_archive(), workers=1))


def test_the_archive_has_work_for_every_stage(whole):
    stats = whole["stats"]
    assert stats["articles"] > 80 and stats["furniture_distinct"] >= 1
    assert stats["candidate_pairs"] > stats["links"] > 20 and len(whole["clusters"]) > 10


@pytest.mark.parametrize("workers", [1, 2])
def test_any_partitioning_and_worker_count_gives_the_same_output(whole, tiny_parts, workers):
    result = scan(wire_archive(), workers=workers)
    assert output(result) == whole
    assert result.plan["workers"] == workers
    assert result.plan["inline_steps"] == ([] if workers == 2 else sorted(result.plan["task_seconds"]))
    assert set(result.plan["task_seconds"]) == {"sketch_part", "find_recurring", "judge_furniture", "settle_blocks",
                                               "candidate_bands", "verify_pairs", "describe_linked",
                                               "choose_group_sources"}


def candidate_evidence() -> tuple[np.ndarray, object]:
    """The wire archive's candidate pairs and evidence columns, as a scan has them when it verifies."""
    config = ScanConfig()
    with Spill(False) as spill:
        columns, keys = sketch_all(wire_archive(), config, LocalEngine(1), spill, lambda *_: None)
        _, flags, _, evidence = evidence_of(columns, keys, config, LocalEngine(1), spill)
        return candidates(columns, keys, flags, config, LocalEngine(1)), evidence


@pytest.mark.parametrize("workers", [1, 2])
def test_links_come_back_in_pair_order_whichever_order_verifies_them(tiny_parts, workers):
    """verify_all verifies the pairs in locality order (tiny_parts: whatever their number), in chunks across workers,
    and hands the links back as verifying the pairs in their own order finds them."""
    pairs, evidence = candidate_evidence()
    order = locality_order(pairs, len(evidence))
    assert sorted(order.tolist()) == list(range(len(pairs))) != order.tolist()  # an order of its own
    _, in_pair_order = verify_chunk(evidence, pairs, ScanConfig())
    assert len(in_pair_order) > 20
    assert verify_all(evidence, pairs, ScanConfig(), LocalEngine(workers), lambda *_: None) == in_pair_order


def _locality_reference(pairs: list[tuple[int, int]], articles: int, rounds: int) -> list[int]:
    """locality_order as its docstring reads: each article's label the smallest article within `rounds` links of it;
    pairs by the smaller label of their two articles, in their own order under one label."""
    neighbours: list[set[int]] = [set() for _ in range(articles)]
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    labels = []
    for article in range(articles):
        near, frontier = {article}, {article}
        for _ in range(rounds):
            frontier = {other for member in frontier for other in neighbours[member]} - near
            near |= frontier
        labels.append(min(near))
    return sorted(range(len(pairs)), key=lambda k: min(labels[pairs[k][0]], labels[pairs[k][1]]))


@settings(max_examples=200, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 30), st.integers(0, 30)).filter(lambda pair: pair[0] < pair[1]), max_size=60))
def test_locality_order_groups_pairs_by_the_smallest_article_near_them(pair_set):
    pairs = sorted(pair_set)
    array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    assert locality_order(array, 31).tolist() == _locality_reference(pairs, 31, LOCALITY_ROUNDS)


def sketched_archive():
    """The wire archive's columns, furniture flags and words outside furniture, as a scan has them when it clusters."""
    with Spill(False) as spill:
        columns, keys = sketch_all(wire_archive(), ScanConfig(), LocalEngine(1), spill, lambda *_: None)
        _, flags, _, evidence = evidence_of(columns, keys, ScanConfig(), LocalEngine(1), spill)
    return columns, flags, evidence.active_words()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("share", [1, 3])
def test_linked_articles_are_described_as_reports_show_them(tiny_parts, workers, share):
    """Workers describe the linked articles (every article, or every third) exactly as the report's lazy infos do,
    in input order, whichever blocks each task holds."""
    columns, flags, active_words = sketched_archive()
    ids = list(columns.ids())
    linked = frozenset(ids[::share])
    engine = LocalEngine(workers)
    described = linked_articles(columns, flags, active_words, linked, engine)
    assert engine.inline_steps == (set() if workers == 2 else {"describe_linked"})
    assert described == [(article_id, int(active_words[index]), columns.info(index, flags))
                         for index, article_id in enumerate(ids) if article_id in linked]
    assert len({info.headline for _, _, info in described}) > len(described) // 2  # not one article's info repeated


@pytest.mark.parametrize("workers", [1, 2])
def test_each_cluster_source_is_chosen_as_choose_source_does(whole, tiny_parts, workers):
    """Workers choose each group's source, a few groups per task, as choose_source does on the members' own facts,
    in group order; and the scan reports those choices."""
    articles = wire_archive()
    columns, flags, active_words = sketched_archive()
    clusters = scan(articles, workers=1).clusters
    groups = [Group(cluster.members, cluster.links, cluster.partial) for cluster in clusters]
    linked = frozenset(article_id for cluster in clusters for link in cluster.links for article_id in (link.a, link.b))
    described = {article_id: (words, info)
                 for article_id, words, info in linked_articles(columns, flags, active_words, linked, LocalEngine(1))}
    engine = LocalEngine(workers)
    chosen = group_sources(groups, described, engine)
    assert engine.inline_steps == (set() if workers == 2 else {"choose_group_sources"})
    facts = {article.id: MemberFacts(parse_date(article.date), agency_credit(article.paragraphs),
                                     int(active_words[index])) for index, article in enumerate(articles)}
    expected = [choose_source(group.members, group.links, facts) for group in groups]
    assert chosen == [(choice.id, choice.reason) for choice in expected] == [
        (cluster["source"], cluster["source_reason"]) for cluster in whole["clusters"]]
    assert len(groups) > 10 and any(source != group.members[0]
                                    for (source, _), group in zip(chosen, groups, strict=True))


def test_an_article_info_states_what_the_article_says_of_itself():
    """columns.info against the article itself: its metadata, agency credit, and headline past furniture."""
    articles = wire_archive()
    columns, flags, _ = sketched_archive()
    assert columns.paragraphs == sum(len(a.paragraphs) for a in articles)
    first = furnished = 0
    for index, article in enumerate(articles):
        info = columns.info(index, flags)
        mask = flags[first : first + len(article.paragraphs)]
        first += len(article.paragraphs)
        furnished += bool(mask.any())
        assert (info.title, info.outlet, info.date, info.url) == (article.title, article.outlet, article.date,
                                                                  article.url)
        assert info.credit == agency_credit(article.paragraphs)
        assert info.headline == pick_headline(headline_candidates(article), mask)
        assert info.furniture == tuple(i for i, flag in enumerate(mask) if flag)
    assert furnished > 0


def test_an_archive_file_scans_as_its_articles_do(whole, tiny_parts, tmp_path):
    path = write_jsonl(wire_archive(), tmp_path / "archive.jsonl")
    assert output(Archive([path]).scan(engine=LocalEngine(2))) == whole


@pytest.mark.parametrize("workers", [1, 2])
def test_no_articles_is_an_empty_result(workers):
    result = scan([], workers=workers)
    assert (result.articles, result.clusters, result.quotes, len(result.info)) == (0, [], [], 0)
    assert result.stats["candidate_pairs"] == result.stats["sentences"] == 0


def test_seeds_scan_the_same_through_the_pool(seeds_dir, tiny_parts):
    expected = output(scan(read_articles([seeds_dir]), workers=1))
    assert output(scan(read_articles([seeds_dir]), workers=2)) == expected


def test_spilled_arrays_give_the_same_output_and_leave_nothing_behind(whole, tiny_parts, tmp_path):
    result = scan(wire_archive(), workers=2, spill=True, spill_dir=tmp_path)
    assert result.plan["spilled_bytes"] > 0
    assert output(result) == whole
    assert list(tmp_path.iterdir()) == []


def test_when_everything_spills_the_workers_write_the_kept_arrays_to_disk_themselves(whole, tiny_parts, tmp_path,
                                                                                        monkeypatch):
    """With spill=True the sketch step's workers write their large results into the spill directory, and the arrays
    the scan keeps stay mapped from those files: none is copied to a file of the driver's (an np.memmap)."""
    monkeypatch.setattr(engine_module, "SPOOL_BYTES", 0)  # every result through files, every array mapped
    monkeypatch.setattr(engine_module, "MAP_SMALLEST", 1)
    kept = []
    original = Spill.keep

    def keep(self: Spill, array: np.ndarray, name: str = "array", spooled: bool = False) -> np.ndarray:
        found = original(self, array, name, spooled)
        kept.append((spooled, found))
        return found

    monkeypatch.setattr(Spill, "keep", keep)
    result = scan(wire_archive(), workers=2, spill=True, spill_dir=tmp_path)
    assert output(result) == whole
    assert kept and all(spooled for spooled, _ in kept)
    mapped = [found for _, found in kept if found.size]
    assert mapped and all(mapped_from_file(found) and not isinstance(found, np.memmap) for found in mapped)
    assert not any(found.flags.writeable for found in mapped), "read-only, as a spilled copy is"
    assert result.plan["spilled_bytes"] >= sum(found.nbytes for found in mapped)
    assert list(tmp_path.iterdir()) == []


def test_a_repeated_id_stops_the_scan_where_it_is_met(tiny_parts):
    articles = wire_archive()
    late = len(articles) - 3  # in the last part, after many parts went to the workers
    articles[late] = replace(articles[late], id=articles[2].id)
    with pytest.raises(InputError, match="duplicate article id") as error:
        scan(articles, workers=2)
    assert error.value.source == articles[2].id


def test_skipped_records_are_reported_in_input_order(tiny_parts, tmp_path):
    path = write_jsonl(wire_archive(), tmp_path / "archive.jsonl")
    lines = path.read_text().splitlines()
    for number in (5, 50, 100):
        lines[number - 1] = "{broken"
    path.write_text("\n".join(lines) + "\n")
    warned: list[InputError] = []
    options = ReaderOptions(skip_bad=True, on_skip=warned.append)
    result = Archive([path], options).scan(engine=LocalEngine(2))
    assert [w.line for w in warned] == [5, 50, 100]
    assert list(result.info) == [a.id for a in read_articles([path], ReaderOptions(skip_bad=True))]


def test_a_window_keeps_pairs_close_in_time_and_undated_articles_meet_all(tiny_parts):
    articles = wire_archive()
    dates = {a.id: a.date for a in articles}
    unlimited = scan(articles, workers=2)
    windowed = scan(articles, ScanConfig(window_days=3), workers=2)
    assert windowed.stats["candidate_pairs"] < unlimited.stats["candidate_pairs"]

    def links(result):
        return {(link.a, link.b) for cluster in result.clusters for link in cluster.links}

    def days(article_id):
        from syndicate.article import parse_date

        date = parse_date(dates[article_id])
        return date.timestamp() / 86400 if date else None

    def close(pair):
        a, b = (days(x) for x in pair)
        return a is None or b is None or abs(a - b) <= 3

    assert all(close(pair) for pair in links(windowed))
    assert any(days(a) is None or days(b) is None for a, b in links(windowed))
    # No bucket here is large: the window only takes away pairs that are far apart in time.
    assert links(windowed) == {pair for pair in links(unlimited) if close(pair)} != links(unlimited)


def test_articles_that_link_with_nothing_propose_no_pairs_and_change_nothing(monkeypatch) -> None:
    """Short items without a shingle (captions, datelines) all meet in one bucket, the empty set's: they propose no
    pairs, and the scan's output is what proposing them gives, but for the count of candidate pairs."""
    import random

    from factories import article

    import syndicate.plan as plan_module

    rng = random.Random(3)
    short = [article(f"short-{n}", [f"Photo by {rng.choice(['staff', 'AFP', 'Reuters'])}.", "File image."],
                     outlet=f"o{n % 7}") for n in range(40)]
    archive = [*wire_archive(stories=12), *short]
    pruned = scan(archive, workers=1)
    monkeypatch.setattr(plan_module, "never_links", lambda shingles, words, config: shingles < 0)
    proposing = scan(archive, workers=1)
    assert proposing.stats["candidate_pairs"] - pruned.stats["candidate_pairs"] >= 40 * 39 // 2
    assert pruned.stats["links"] > 0
    ours, theirs = output(pruned), output(proposing)
    ours["stats"].pop("candidate_pairs"), theirs["stats"].pop("candidate_pairs")
    assert ours == theirs
