"""The Index API, run on every backend: same behaviour on SQLite and on Redis."""

from __future__ import annotations

import json
import random
import sqlite3
import struct
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from conftest import COPY_AFP, INDEPENDENT, REWRITE_AFP, SOURCE_AFP
from factories import VOCABULARY, article, brief, story
from index_support import (  # noqa: F401  (fixture `target`)
    FURNITURE,
    assert_term_counts_are_a_recount,
    scenario,
    seed_articles,
    site_story,
    target_fixture,
)

from syndicate import Article, InputError, ScanConfig, scan
from syndicate.columns import SketchColumns
from syndicate.furniture import learn_furniture_columns
from syndicate.index import IdConflictError, Index, IndexStoreError, Verdict
from syndicate.normalise import paragraph_fingerprint
from syndicate.sign import SCHEME, MinHasher, fold32
from syndicate.sketch import sign_batch
from syndicate.units import units_batch


def test_seeds_copy_rewrite_and_independent_reports(target: str, seeds_dir: Path) -> None:
    seeds = seed_articles(seeds_dir)
    with Index.open(target) as index:
        index.add(seeds[SOURCE_AFP])
        copy = index.check(seeds[COPY_AFP])
        assert copy.duplicate
        (match,) = copy.matches
        assert (match.id, match.kind) == (SOURCE_AFP, "copy")
        assert match.match_in_new > 0.5
        rewrite = index.check(seeds[REWRITE_AFP])
        assert not rewrite.duplicate
        assert [(m.id, m.kind) for m in rewrite.matches] == [(SOURCE_AFP, "rewrite")]
        for other in INDEPENDENT:
            verdict = index.check(seeds[other])
            assert not verdict.duplicate and verdict.matches == ()
        assert len(index) == 1


def test_verdict_json_shape(target: str, seeds_dir: Path) -> None:
    seeds = seed_articles(seeds_dir)
    source = Article(id=SOURCE_AFP, paragraphs=seeds[SOURCE_AFP].paragraphs, title="Hezbollah chief meets Hamas",
                     outlet="afp.com", date="2023-10-25")
    with Index.open(target) as index:
        index.add(source)
        data = index.check(seeds[COPY_AFP]).to_dict()
    assert data == {"id": COPY_AFP, "verdict": "duplicate", "matches": [
        {"id": SOURCE_AFP, "title": "Hezbollah chief meets Hamas", "outlet": "afp.com", "date": "2023-10-25",
         "kind": "copy", "new_in_match": data["matches"][0]["new_in_match"],
         "match_in_new": data["matches"][0]["match_in_new"]}]}
    (match,) = data["matches"]
    assert 0.3 < match["new_in_match"] < match["match_in_new"] <= 1  # 003 adds a long section of its own


def test_get_returns_the_article_as_stored(target: str, seeds_dir: Path) -> None:
    original = seed_articles(seeds_dir)[COPY_AFP]
    with_meta = type(original)(id="x/1", paragraphs=original.paragraphs, title="Title é", outlet="example.org",
                               date="2018-01-02T03:04:05", url="https://example.org/a")
    with Index.open(target) as index:
        index.add(with_meta)
        assert index.get("x/1") == with_meta
        assert "x/1" in index and "nope" not in index
        with pytest.raises(KeyError):
            index.get("nope")


def test_an_id_is_never_replaced_implicitly(target: str) -> None:
    first = article("a", story(1))
    second = article("a", story(2))
    with Index.open(target) as index:
        assert index.add(first).added == 1
        again = index.add(first)
        assert (again.added, again.already_indexed) == (0, 1)
        assert index.check(first).verdict == "already indexed"  # a re-delivery is not a copy of itself
        with pytest.raises(IdConflictError, match="'a' is already indexed with different text"):
            index.add(second)
        with pytest.raises(IdConflictError):
            index.check_and_add(second)
        assert index.get("a") == first
        assert index.add(second, replace=True).replaced == ["a"]
        assert len(index) == 1 and index.get("a") == second
        assert index.check(article("probe", story(1))).matches == ()
        assert [m.id for m in index.check(article("probe", story(2))).matches] == ["a"]
        assert index.integrity_problems() == []


def test_the_same_id_twice_in_one_input_is_an_error(target: str) -> None:
    with Index.open(target) as index, pytest.raises(InputError, match="the same id twice"):
        index.add_many([article("a", story(1)), article("b", story(2)), article("a", story(1))], batch_size=1)


def test_check_of_a_known_id_with_new_text_ignores_its_namesake(target: str) -> None:
    with Index.open(target) as index:
        index.add(article("a", story(1)))
        index.add(article("b", story(1, paragraphs=6)))
        verdict = index.check(article("a", story(1)[:7]))
        assert verdict.verdict == "duplicate" and [m.id for m in verdict.matches] == ["b"]


def test_remove_forgets_the_article(target: str) -> None:
    with Index.open(target) as index:
        index.add(article("a", story(1)))
        index.add(article("b", story(2)))
        assert index.remove("a") is True
        assert index.remove("a") is False
        assert list(index.ids()) == ["b"]
        assert index.check(article("probe", story(1))).matches == ()
        assert index.integrity_problems() == []


def test_check_does_not_change_the_index(target: str) -> None:
    with Index.open(target) as index:
        index.add(article("a", story(1)))
        volatile = "server_used_memory_bytes"  # the whole Redis server's, moved by any client
        before = {k: v for k, v in index.stats().items() if k != volatile}
        index.check(article("b", story(1)))
        index.check(site_story("c", 3))
        assert {k: v for k, v in index.stats().items() if k != volatile} == before
        assert list(index.ids()) == ["a"]


def test_check_and_add_adds_only_new_articles(target: str) -> None:
    with Index.open(target) as index:
        assert not index.check_and_add(article("a", story(1))).duplicate
        verdict = index.check_and_add(article("b", story(1)))
        assert verdict.duplicate and [m.id for m in verdict.matches] == ["a"]
        assert not index.check_and_add(article("c", story(2))).duplicate
        assert sorted(index.ids()) == ["a", "c"]


def test_furniture_is_learned_as_articles_arrive(target: str) -> None:
    """Site furniture shared by different stories never makes them copies, and is learned incrementally."""
    with Index.open(target) as index:
        for i in range(4):
            verdict = index.check_and_add(site_story(f"site-{i}", 10 + i))
            assert verdict.matches == (), f"site-{i} matched {verdict.matches}"
        assert len(index) == 4
        assert index.stats()["furniture_fingerprints"] == len(FURNITURE)
        # A page that is nothing but the furniture plus one story of its own is new.
        assert not index.check(site_story("site-new", 99)).duplicate


def test_wire_text_in_many_outlets_stays_evidence(target: str) -> None:
    wire = story(7, paragraphs=6)
    with Index.open(target) as index:
        for i in range(6):
            index.add(article(f"outlet{i}", [*wire[: 4 + i % 3], *story(30 + i, paragraphs=1)], outlet=f"o{i}.com"))
        verdict = index.check(article("late", wire, outlet="late.com"))
        assert verdict.duplicate
        assert sorted(m.id for m in verdict.matches) == [f"outlet{i}" for i in range(6)]
        assert index.stats()["furniture_fingerprints"] == 0


def test_index_answers_as_scan_does(target: str) -> None:
    """One implementation: every link the index reports is a link scan finds over the same articles."""
    _assert_index_answers_as_scan(target, *scenario())


@pytest.mark.parametrize("briefs", [49, 60])
def test_index_answers_as_scan_does_where_the_template_vocabulary_counts(target: str, briefs: int) -> None:
    """One-template briefs: a scan learns their template words (held by 50 articles or more) and links only the
    re-send; the index drops the same words, counting the checked article in and its stored namesake out. With 49
    briefs indexed, a new brief is the 50th holder (template), but a replacement of a stored brief is not, and its
    template words in the template's order read as a paraphrase of brief-0 (as brief-24's do)."""
    rng = random.Random(3)
    indexed = [brief(rng, n) for n in range(briefs + 1)]
    replacement = Article(id="brief-7", paragraphs=indexed.pop(24).paragraphs)
    checked = [article("brief-0-resent", list(indexed[0].paragraphs)), brief(rng, 99), replacement]
    verdicts = _assert_index_answers_as_scan(target, indexed, checked)
    assert [(m.id, m.kind) for m in verdicts["brief-0-resent"].matches] == [("brief-0", "copy")]
    assert verdicts["brief-99"].matches == ()
    assert [(m.id, m.kind) for m in verdicts["brief-7"].matches] == ([("brief-0", "rewrite")] if briefs == 49 else [])
    with Index.open(target) as index:
        added = index.check_and_add(checked[1])
        assert added.added and added.matches == verdicts["brief-99"].matches


def _assert_index_answers_as_scan(target: str, indexed: list[Article], checked: list[Article]) -> dict[str, Verdict]:
    """Check each of `checked` against an index of `indexed`, and scan `indexed` (its namesake out) with it: the
    index reports exactly the scan's links of the checked article, with their kinds and shares."""
    with Index.open(target) as index:
        index.add_many(indexed, batch_size=3)
        verdicts = {a.id: index.check(a) for a in checked}
    for probe in checked:
        corpus = [a for a in indexed if a.id != probe.id] + [probe]
        links = {frozenset((link.a, link.b)): link for c in scan(corpus).clusters for link in c.links}
        expected = sorted(other for pair in links if probe.id in pair for other in pair if other != probe.id)
        found = sorted(m.id for m in verdicts[probe.id].matches if m.id != probe.id)
        assert found == expected, probe.id
        for match in verdicts[probe.id].matches:
            if match.id != probe.id:
                link = links[frozenset((probe.id, match.id))]
                assert link.kind == match.kind
                shares = (link.share_of(probe.id), link.share_of(match.id))
                assert (match.new_in_match, match.match_in_new) == pytest.approx(shares)
    return verdicts


def test_refuses_an_index_built_with_other_parameters(target: str) -> None:
    with Index.open(target) as index:
        index.add(article("a", story(1)))
    for config in (ScanConfig(ngram=4), ScanConfig(num_perm=64), ScanConfig(seed=2),
                   ScanConfig(paragraph_threshold=0.6)):
        with pytest.raises(IndexStoreError, match="other parameters"):
            Index.open(target, config)
    with Index.open(target, ScanConfig(copy_threshold=0.7)) as index:  # verification settings may differ
        assert len(index) == 1


def test_opening_a_missing_index_without_create_fails(target: str) -> None:
    with pytest.raises(IndexStoreError, match="no such index"):
        Index.open(target, create=False)


def test_articles_streams_everything(target: str) -> None:
    added = [article(f"a{i}", story(i, paragraphs=2)) for i in range(7)]
    with Index.open(target) as index:
        index.add_many(added, batch_size=2)
        assert list(index.articles(chunk=3)) == added


def test_fingerprints_are_unsigned_in_both_directions(target: str) -> None:
    """Fingerprints above 2**63 survive the trip through signed SQLite integers."""
    high = next(p for p in (f"{FURNITURE[0]} {word}" for word in VOCABULARY) if paragraph_fingerprint(p) >= 1 << 63)
    with Index.open(target) as index:
        for i in range(4):
            index.add(article(f"s{i}", [high, *story(200 + i, paragraphs=4), FURNITURE[1]], outlet="site.com"))
        assert index.stats()["furniture_fingerprints"] == 2


def test_furniture_verdicts_follow_the_carriers(target: str) -> None:
    """Stored verdicts are the rule applied to the current carriers: removing carriers can undo furniture."""
    with Index.open(target) as index:
        for i in range(4):
            index.add(site_story(f"site-{i}", 10 + i))
        assert index.stats()["furniture_fingerprints"] == len(FURNITURE)
        for i in range(3):
            index.remove(f"site-{i}")
        assert index.stats()["furniture_fingerprints"] == 0
        index.add(site_story("site-0", 10))
        index.add(site_story("site-3", 99), replace=True)  # a replaced article is re-judged too
        assert index.stats()["furniture_fingerprints"] == len(FURNITURE)


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_stored_furniture_is_what_a_scan_learns(target: str, batch_size: int) -> None:
    """Where no paragraph has more than furniture_sample carriers, the index's furniture verdicts are exactly
    learn_furniture_columns's over all the articles it holds, however they were batched (site furniture, wire text run
    by several outlets, unrelated stories, and a replaced article)."""
    indexed, checked = scenario()
    wire = story(7, paragraphs=6)
    outlets = [article(f"outlet{i}", [*wire[: 4 + i % 3], *story(30 + i, paragraphs=1)], outlet=f"o{i}.com")
               for i in range(5)]
    everything = [*indexed, *outlets, *checked[:3]]
    with Index.open(target) as index:
        index.add_many(everything, batch_size=batch_size)
        index.add(site_story("site-1", 77), replace=True)
        held = list(index.articles())
        stored = _stored_furniture(index, held)
    expected = learn_furniture_columns(_columns(held), ScanConfig())
    assert expected  # the scenario has furniture to learn
    assert stored == expected


def test_the_workers_sign_each_batch_in_parts_and_it_is_stored_whole(target: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers, every batch is cut into a part per worker (each of SPLIT_SMALLEST articles or more), and the
    parts are stored together: one transaction a batch, and an index that answers as one built by one process."""
    import syndicate.index.index as index_module

    monkeypatch.setattr(index_module, "SPLIT_SMALLEST", 4)
    indexed, checked = scenario()
    wire = story(7, paragraphs=6)
    everything = [*indexed, *(article(f"outlet{i}", [*wire[: 4 + i % 3], *story(30 + i, paragraphs=1)],
                                      outlet=f"o{i}.com") for i in range(5))]
    batches = list(index_module._signed_batches(iter(everything), ScanConfig(), 2, 10))
    # 15 articles in batches of 10: a batch cut in a part per worker, then a last batch of 5 that is not cut
    assert [[len(part) for part, _ in parts] for parts in batches] == [[5, 5], [5]]
    assert all(encoded is not None for parts in batches for _, (_, encoded) in parts)  # encoded by the workers

    committed: list[int] = []
    with Index.open(target) as index:
        index.add_many(everything, workers=2, batch_size=10, progress=lambda report: committed.append(report.committed))
        parted = ([v.to_dict() for v in map(index.check, checked)], _stored_furniture(index, everything))
    with Index.open(tmp_path / "whole.db") as index:
        index.add_many(everything, workers=1)
        whole = ([v.to_dict() for v in map(index.check, checked)], _stored_furniture(index, everything))
    assert committed == [min(10 * n, len(everything)) for n in range(1, len(batches) + 1)]
    assert parted == whole
    assert parted[1] and any(verdict["verdict"] == "duplicate" for verdict in parted[0])


def test_a_batch_whose_second_part_fails_is_not_stored_at_all(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts of a batch are one write: an id conflict in the second part drops the first part's articles too."""
    import syndicate.index.index as index_module

    monkeypatch.setattr(index_module, "SPLIT_SMALLEST", 3)
    first = [article(f"a{i}", story(i, paragraphs=3)) for i in range(3)]
    with Index.open(target) as index:
        index.add(first[0])
        batch = [*(article(f"b{i}", story(20 + i, paragraphs=3)) for i in range(3)),
                 *first[1:], article(first[0].id, story(40, paragraphs=3))]  # part two ends with a changed a0
        with pytest.raises(IdConflictError):
            index.add_many(batch, workers=2)
        assert sorted(index.ids()) == ["a0"]
        assert index.get("a0").paragraphs == first[0].paragraphs


def test_the_article_count_follows_every_writer(tmp_path: Path) -> None:
    """SQLite keeps the count of articles between calls (count(*) walks the table): it must follow adds and removes
    by another connection, this connection's own writes, and a write that failed and was rolled back."""
    path = tmp_path / "counted.db"
    stories = [article(f"s{i}", story(i, paragraphs=3)) for i in range(6)]
    with Index.open(path) as reader, Index.open(path) as writer:
        writer.add_many(stories[:2])
        assert len(reader) == 2
        writer.add_many(stories[2:4])
        assert len(reader) == 4
        writer.remove("s0")
        assert len(reader) == 3
        reader.add(stories[4])
        assert len(reader) == 4 and len(writer) == 4
        changed = article("s1", story(40, paragraphs=3))
        with pytest.raises(IdConflictError):
            reader.add_many([stories[5], changed], batch_size=2)  # the batch is rolled back whole
        assert len(reader) == 4 and len(writer) == 4


def test_kept_term_counts_and_furniture_follow_every_writer(target: str) -> None:
    """A store keeps the term counts and furniture verdicts a check read, for as long as nothing is written: they
    must follow another connection's adds and removes, this connection's own writes, and a rolled-back write."""
    path = target
    fingerprints = [paragraph_fingerprint(text) for text in FURNITURE]
    stories = [article(f"s{i}", story(i, paragraphs=3)) for i in range(4)]

    def assert_current(reader: Index) -> None:
        with Index.open(path) as fresh:  # a connection that has kept nothing
            assert reader._store.furniture(fingerprints) == fresh._store.furniture(fingerprints)
            assert_term_counts_are_a_recount(reader)

    with Index.open(path) as reader, Index.open(path) as writer:
        writer.add(site_story("site-0", 10))
        assert reader._store.furniture(fingerprints) == set()  # one carrier
        assert_current(reader)
        writer.add_many([site_story(f"site-{i}", 10 + i) for i in range(1, 4)])
        assert reader._store.furniture(fingerprints) == set(fingerprints)  # the writer's commit is seen
        assert_current(reader)
        writer.remove_many([f"site-{i}" for i in range(3)])
        assert reader._store.furniture(fingerprints) == set()
        assert_current(reader)
        reader.add_many(stories[:2])  # its own write: the data version does not change
        assert_current(reader)
        reader.add_many([site_story(f"site-{i}", 10 + i) for i in range(3)])
        assert reader._store.furniture(fingerprints) == set(fingerprints)
        assert_current(reader)
        with pytest.raises(IdConflictError):
            reader.add_many([stories[2], article("s0", story(40, paragraphs=3))], batch_size=2)
        assert_current(reader)
        assert "s2" not in reader


def _columns(articles: list[Article]) -> SketchColumns:
    config = ScanConfig()
    columns = SketchColumns()
    columns.add(articles, sign_batch(articles, config, MinHasher(config.num_perm, config.seed)))
    return columns


def _stored_furniture(index: Index, held: list[Article]) -> set[int]:
    return index._store.furniture(int(f) for f in _columns(held).column("fingerprints").tolist())


def test_signatures_export_as_datasketch_minhashes(target: str, seeds_dir: Path) -> None:
    """Signatures are not stored: each LSH chunk's is recomputed from the stored text, and equals datasketch's own."""
    from datasketch import MinHash

    source = seed_articles(seeds_dir)[SOURCE_AFP]
    with Index.open(target) as index:
        index.add(source)
        exported = index.minhashes(SOURCE_AFP)
    units = units_batch([source.paragraphs], ScanConfig().ngram)
    offsets = units.chunk_shingle_offsets()
    assert len(exported) == len(offsets) - 1 >= 10
    for chunk, minhash in enumerate(exported):
        reference = MinHash(num_perm=128, seed=1, scheme=SCHEME, hashfunc=int)
        reference.update_batch(fold32(units.shingles[offsets[chunk] : offsets[chunk + 1]]).tolist())
        assert np.array_equal(minhash.hashvalues, reference.hashvalues)


def test_stored_evidence_is_the_evidence_a_scan_makes(target: str, seeds_dir: Path) -> None:
    """What the index stores (through its backend and the array codec) puts back, without the text, the columns
    signing makes: the same evidence for alignment and the same sets for furniture learning."""
    seeds = list(seed_articles(seeds_dir).values())
    with Index.open(target) as index:
        index.add_many(seeds, batch_size=2)
        stored = index._store.load([a.id for a in seeds])
    signed, restored = _columns(seeds), SketchColumns()
    restored.add_stored([entry.article for entry in stored], [entry.evidence for entry in stored])
    assert list(restored.ids()) == [a.id for a in seeds]
    for name in ("fingerprints", "shingle_sizes"):
        assert np.array_equal(restored.column(name), signed.column(name))
    flags = np.arange(len(signed.column("fingerprints"))) % 3 == 0  # some paragraphs as furniture
    signed.settle(flags)
    restored.settle(flags)
    for index in range(len(seeds)):
        assert np.array_equal(restored.story_set(index), signed.story_set(index))
        assert restored.active_words(index) == signed.active_words(index)
        (id_a, a), (id_b, b) = signed.evidence(index), restored.evidence(index)
        assert id_a == id_b
        for field in fields(a):
            assert np.array_equal(getattr(a, field.name), getattr(b, field.name)), field.name


def test_a_check_signs_the_checked_article_only(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates and furniture carriers are read from their stored arrays, never signed again."""
    from syndicate.index import index as index_module

    with Index.open(target) as index:
        index.add_many([site_story(f"site-{i}", 10 + i) for i in range(4)] +
                       [article(f"copy-{i}", story(1)[: 4 + i]) for i in range(3)])
        signed: list[list[str]] = []
        real = index_module.sign_batch

        def counting(articles, *args, **kwargs):
            signed.append([a.id for a in articles])
            return real(articles, *args, **kwargs)

        monkeypatch.setattr(index_module, "sign_batch", counting)
        verdict = index.check(article("probe", [FURNITURE[0], *story(1)]))
        assert sorted(m.id for m in verdict.matches) == ["copy-0", "copy-1", "copy-2"]
        assert signed == [["probe"]]


def test_template_resends_are_found_as_scan_finds_them(target: str) -> None:
    """Two pages whose every paragraph is site furniture propose nothing by their chunks; the scan proposes them by
    their whole text (near-identical re-sends) and links them as copies, and so does the index."""
    pages = [site_story(f"site-{i}", 10 + i) for i in range(4)]
    template = article("template-1", FURNITURE, outlet="example.com")
    resend = article("template-2", FURNITURE, outlet="example.com")
    links = [link for c in scan([*pages, template, resend]).clusters for link in c.links]
    assert [(sorted((link.a, link.b)), link.kind) for link in links] == [(["template-1", "template-2"], "copy")]
    with Index.open(target) as index:
        index.add_many([*pages, template])
        assert index.stats()["furniture_fingerprints"] == len(FURNITURE)
        verdict = index.check(resend)
    assert verdict.duplicate and [(m.id, m.kind) for m in verdict.matches] == [("template-1", "copy")]


def test_term_counts_follow_adds_replaces_and_removes(target: str) -> None:
    """Each content term's count of holding articles is what a recount of the stored articles gives, after bulk
    adds, a replacement, removals and a check-and-add (numbers are not counted)."""
    indexed, checked = scenario()
    numbers = article("figures", ["Shares rose 12 percent to 345 dollars on volume of 6789 lots in Tokyo trading."])
    with Index.open(target) as index:
        index.add_many([*indexed, numbers], batch_size=3)
        assert_term_counts_are_a_recount(index)
        assert index.stats()["terms"] > 0
        index.add(article("other-1", story(500)), replace=True)
        assert_term_counts_are_a_recount(index)
        index.add_many([checked[1], article("wire", story(501))], replace=True)
        assert_term_counts_are_a_recount(index)
        assert index.remove_many(["site-2", "figures", "absent"]) == ["absent"]
        assert_term_counts_are_a_recount(index)
        assert index.check_and_add(checked[3]).added
        assert_term_counts_are_a_recount(index)
        index.remove_many(list(index.ids()))
        assert index.stats()["terms"] == 0


def test_a_format_3_index_says_rebuild(target: str) -> None:
    """An index from before the term counts is refused, with what to do."""
    Index.open(target).close()
    if target.startswith("redis"):
        import redis

        client = redis.Redis.from_url(target.split("?")[0])
        client.hset(target.split("namespace=")[1] + ":meta", "format", "3")
        client.close()
    else:
        with sqlite3.connect(target) as connection:
            connection.execute("PRAGMA user_version = 3")
        connection.close()
    with pytest.raises(IndexStoreError, match=r"format 3.*reads format 4.*rebuild"):
        Index.open(target)


def test_arrays_encoded_ahead_make_the_same_blob() -> None:
    """A bulk add encodes each article's evidence in the worker that signed it and adds `banded` on the driver:
    the blob must be the one encoding everything at once gives, and decode to the same arrays."""
    from syndicate.index.store import EncodedArrays, decode_arrays, encode_arrays

    evidence = {"fingerprints": np.array([2**64 - 1, 7], dtype=np.uint64), "owner": np.arange(5, dtype=np.int32),
                "empty": np.empty(0, dtype=np.uint32), "grid": np.arange(6, dtype=np.int64).reshape(2, 3)}
    banded = {"banded": np.array([0, 3], dtype=np.int32)}
    blob = EncodedArrays.of(evidence).blob(banded)
    assert blob == encode_arrays({**evidence, **banded})
    decoded = decode_arrays(blob)
    assert list(decoded) == [*evidence, "banded"]
    for name, values in {**evidence, **banded}.items():
        assert decoded[name].dtype == values.dtype and np.array_equal(decoded[name], values), name
    assert EncodedArrays.of({}).blob(banded) == encode_arrays(banded)
    # The header is the compact JSON json.dumps writes (the stored format, whatever writes it).
    (size,) = struct.unpack_from("<I", blob)
    assert blob[4 : 4 + size] == json.dumps([[name, values.dtype.newbyteorder("<").str, list(values.shape)]
                                             for name, values in {**evidence, **banded}.items()],
                                            separators=(",", ":")).encode()


def test_a_bucket_proposes_only_its_oldest_members(target: str, seeds_dir: Path) -> None:
    text = seed_articles(seeds_dir)[SOURCE_AFP].paragraphs
    with Index.open(target) as index:
        index.add_many([Article(id=f"copy-{n}", paragraphs=text) for n in range(5)])
        store = index._store
        (entry,) = store.load(["copy-3"])
        (buckets,) = index._sign([entry.article]).buckets([entry.banded])
        assert len(buckets) > 10
        absent = np.random.default_rng(3).integers(-(2**62), 2**62, size=900)  # more keys than one statement holds
        keys = np.concatenate([absent[:450], buckets, absent[450:]])
        assert [entry.article.id for entry in store.candidates(keys, 2)] == ["copy-0", "copy-1"]
        assert [entry.article.id for entry in store.candidates(keys, 4)] == ["copy-0", "copy-1", "copy-2", "copy-3"]
        assert store.candidates(absent, 4) == []


@pytest.mark.parametrize("low, high", [(0, 2**39), (-(2**63), 2**63 - 1), (2**58, 2**63 - 1)])
def test_rows_sorted_by_packed_keys_are_the_rows_an_argsort_gives(low: int, high: int) -> None:
    """SQLite gets a batch's rows in key order. Bucket keys are sorted packed with their owners; keys that leave
    no room for one (negative fingerprints, keys near 2^63) take the argsort: the same rows either way."""
    from syndicate.index.sqlite_store import _sorted_by_key

    rng = np.random.default_rng(low & 0xFFFF)
    keys = rng.integers(low, high, 5000, dtype=np.int64)
    keys[::7] = keys[0]  # repeated keys, with different owners
    owners = rng.integers(0, 4096, len(keys))
    sorted_keys, sorted_owners = _sorted_by_key(keys, owners)
    assert np.array_equal(sorted_keys, np.sort(keys))
    assert sorted(zip(sorted_keys.tolist(), sorted_owners.tolist(), strict=True)) == \
        sorted(zip(keys.tolist(), owners.tolist(), strict=True))


@pytest.mark.parametrize("shape", ["[-1]", "[2.0]", '["2"]', "[true]", "[1,-3]"])
def test_an_array_header_with_a_bad_shape_is_damage(shape: str) -> None:
    """A stored blob whose header gives a shape that is not a list of non-negative integers does not decode."""
    from syndicate.index.store import decode_arrays

    head = f'[["owner","<i4",{shape}]]'.encode()
    blob = struct.pack("<I", len(head)) + head + np.arange(2, dtype="<i4").tobytes()
    with pytest.raises(ValueError):
        decode_arrays(blob)


@pytest.mark.parametrize("workers", [1, 2])
def test_checking_many_gives_each_article_s_own_check(target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      workers: int) -> None:
    """check_many signs the articles in batches and, with workers, checks them in other processes: the verdicts
    are the ones check gives each article alone, in input order (copies, new articles, furniture, one already
    indexed, one namesake with other text)."""
    import os

    import syndicate.index.index as index_module

    monkeypatch.setattr(index_module, "CHECK_BATCH", 3)
    monkeypatch.setattr(index_module, "PARALLEL_CHECKS", 4)
    checking = index_module._check_part

    def check_part(context: tuple, articles: tuple) -> list:  # runs in a worker: leaves its pid behind
        (tmp_path / f"worker-{os.getpid()}").touch()
        return checking(context, articles)

    monkeypatch.setattr(index_module, "_check_part", check_part)
    indexed, checked = scenario()
    namesake = article(indexed[3].id, story(300, paragraphs=3))
    everything = [*checked, namesake, *(article(f"more-{i}", [*story(1, paragraphs=6)[i % 3 :], *story(200 + i)])
                                       for i in range(6))]
    with Index.open(target) as index:
        index.add_many(indexed)
        one_by_one = [index.check(a).to_dict() for a in everything]
        many = [v.to_dict() for v in index.check_many(everything, workers=workers)]
        assert len(index) == len(indexed)  # nothing added
    assert many == one_by_one
    verdicts = {v["verdict"] for v in many}
    assert {"duplicate", "new", "already indexed"} <= verdicts
    pids = {int(path.name.split("-")[1]) for path in tmp_path.glob("worker-*")}
    assert (pids and os.getpid() not in pids) if workers == 2 else not pids
