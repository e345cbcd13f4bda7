"""The shared backend gives the same answers as the embedded one, and stores nothing pickled."""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import redis
from conftest import COPY_AFP, INDEPENDENT, SOURCE_AFP
from factories import article, story
from index_support import fresh_namespace_url, redis_url, scenario
from typer.testing import CliRunner

from syndicate.cli import app
from syndicate.index import Index, IndexStoreError

pytestmark = pytest.mark.redis


@pytest.fixture
def url() -> Iterator[str]:
    yield from fresh_namespace_url(redis_url())


def _run_scenario(target: str) -> tuple[dict, dict]:
    indexed, checked = scenario()
    with Index.open(target) as index:
        index.add_many(indexed, batch_size=4)
        verdicts = {a.id: index.check(a).to_dict() for a in checked}
        added = {a.id: index.check_and_add(a).to_dict() for a in checked}
        stats = index.stats()
        return {"checked": verdicts, "added": added, "ids": sorted(index.ids())}, stats


@pytest.mark.parametrize("base_bits, shard_rows", [(10, 128), (1, 4)])
def test_same_answers_as_sqlite(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_bits: int,
                                shard_rows: int) -> None:
    """(1, 4): two shards to start with, split through several levels while the scenario is added batch by batch
    and while its checks add the new articles one by one."""
    from syndicate.index import redis_store

    monkeypatch.setattr(redis_store, "BASE_BITS", base_bits)
    monkeypatch.setattr(redis_store, "SHARD_ROWS", shard_rows)
    on_sqlite, sqlite_stats = _run_scenario(str(tmp_path / "same.db"))
    on_redis, redis_stats = _run_scenario(url)
    assert on_redis == on_sqlite
    assert any(v["verdict"] == "duplicate" for v in on_sqlite["checked"].values())  # the scenario has copies to find
    for name in ("articles", "furniture_fingerprints", "bucket_rows", "scheme", "num_perm", "seed", "ngram", "bands",
                 "rows", "format"):
        assert redis_stats[name] == sqlite_stats[name], name
    assert redis_stats["shards"] == max(2**base_bits, -(-redis_stats["bucket_rows"] // shard_rows))
    with Index.open(url) as index:
        assert index.integrity_problems(full=True) == []


def test_nothing_stored_is_a_pickle(url: str) -> None:
    with Index.open(url) as index:
        index.add(article("a", story(1)))
    client = redis.Redis.from_url(url.split("?")[0])
    namespace = url.split("namespace=")[1]
    keys = list(client.scan_iter(match=f"{namespace}*"))
    assert keys
    values = []
    for key in keys:
        kind = client.type(key)
        if kind == b"hash":
            values += client.hvals(key)
        elif kind == b"set":
            values += client.smembers(key)
        elif kind == b"list":
            values += client.lrange(key, 0, -1)
        elif kind == b"zset":
            values += client.zrange(key, 0, -1)
        elif kind == b"string":
            values.append(client.get(key))
    assert values
    # pickle.dumps (protocol 2 and up) starts with the PROTO opcode and its protocol, and ends with STOP.
    assert not [v for v in values if v[:1] == pickle.PROTO and 2 <= v[1:2][0] <= 5 and v.endswith(pickle.STOP)]


def test_cli_with_redis(url: str, seeds_dir: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["index", "add", "--db", url, str(seeds_dir / f"{SOURCE_AFP}.txt")])
    assert added.exit_code == 0, added.output
    copy = runner.invoke(app, ["check", "--db", url, str(seeds_dir / f"{COPY_AFP}.txt"), "-f", "json"])
    assert copy.exit_code == 1
    assert json.loads(copy.stdout)["matches"][0]["id"] == SOURCE_AFP
    assert runner.invoke(app, ["check", "--db", url, str(seeds_dir / f"{INDEPENDENT[1]}.txt")]).exit_code == 0
    check = runner.invoke(app, ["index", "check", "--db", url])
    assert check.exit_code == 0 and check.stdout.startswith("ok: 1 articles")


def test_an_unreachable_server_exits_2(seeds_dir: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--db", "redis://127.0.0.1:1/0", str(seeds_dir / f"{COPY_AFP}.txt")])
    assert result.exit_code == 2
    assert "cannot connect" in result.stderr


def _client(url: str) -> tuple[redis.Redis, bytes]:
    return redis.Redis.from_url(url.split("?")[0]), url.split("namespace=")[1].encode() + b":"


def test_a_writer_that_lost_its_lease_writes_nothing(url: str) -> None:
    """Fencing: the lease expired and another writer took it; this writer's batch is refused whole."""
    client, ns = _client(url)
    with Index.open(url) as index:
        index.add(article("kept", story(1)))
        with pytest.raises(IndexStoreError, match="lost its lease"), index._store.writing():
            index._store.put([_entry(index, article("late", story(2)))])
            client.set(ns + b"lock", b"another writer", px=5000)  # what an expiry and a new holder look like
        assert list(index.ids()) == ["kept"]
        assert index.check(article("probe", story(2))).matches == ()
        assert client.get(ns + b"lock") == b"another writer"  # the other writer's lease is left alone
        client.delete(ns + b"lock")
        assert index.integrity_problems() == []


def _entry(index: Index, item) -> object:
    """The entry add_many would store for `item`, for writing below the Index API."""
    from syndicate.index.store import Entry

    signed = index._sign([item])
    (banded,), (buckets,) = signed.bucketed(set())
    return Entry(article=item, evidence=signed.arrays[0], banded=banded, buckets=buckets)


def test_a_crashed_writers_lease_expires_and_renewal_keeps_a_slow_one(url: str, monkeypatch) -> None:
    from syndicate.index import redis_store

    client, ns = _client(url)
    monkeypatch.setattr(redis_store, "LEASE_MS", 600)
    with Index.open(url) as index:
        client.set(ns + b"lock", b"a writer that was killed", px=600)
        started = time.monotonic()
        assert index.check_and_add(article("after", story(3))).added is True
        assert time.monotonic() - started < 5  # waited for the dead writer's lease, not minutes
        with index._store.writing():
            time.sleep(1.5)  # a slow batch: 2.5 leases long; the renewal thread keeps the lease
            index._store.put([_entry(index, article("slow", story(4)))])
        assert sorted(index.ids()) == ["after", "slow"]


def test_a_server_that_lost_the_settings_stops_writers_and_checks(url: str) -> None:
    """After a restart without persistence the namespace is empty: writers stop instead of writing into it."""
    client, ns = _client(url)
    with Index.open(url) as index:
        index.add(article("a", story(1)))
        client.delete(*client.keys(ns + b"*"))
        with pytest.raises(IndexStoreError, match="no longer holds this index's settings"):
            index.add(article("b", story(2)))
        with pytest.raises(IndexStoreError, match="no longer holds this index's settings"):
            index.check(article("c", story(3)))
    assert client.keys(ns + b"*") == []
    result = CliRunner().invoke(app, ["check", "--db", url, "-", "--id", "x"], input="Some text of an article.")
    assert result.exit_code == 2 and "no such index" in result.stderr


def test_buckets_are_records_appended_to_shards_that_removal_rewrites_and_check_audits(url: str) -> None:
    from syndicate.index.redis_store import ShardMap

    client, ns = _client(url)

    def records() -> dict[bytes, list[tuple[int, int]]]:
        held = {key: client.get(key) for key in client.scan_iter(match=ns + b"b:*")}
        assert all(len(value) % 12 == 0 for value in held.values())
        return {key: [(int.from_bytes(value[k : k + 8], "big", signed=True),
                       int.from_bytes(value[k + 8 : k + 12], "big")) for k in range(0, len(value), 12)]
                for key, value in held.items()}

    with Index.open(url) as index:
        index.add_many([article("kept", story(1)), article("gone", story(2))])
        assert not list(client.scan_iter(match=ns + b"z:*"))  # no sorted sets any more
        shard_map = ShardMap.parse(client.get(ns + b"shards"))
        before = records()
        assert {seq for rows in before.values() for _, seq in rows} == {1, 2}
        for key, rows in before.items():  # each record in its bucket's shard, each bucket's records in seq order
            assert {int(shard) for shard in shard_map.shards(np.array([b for b, _ in rows]))} == \
                {int.from_bytes(key[-4:], "big")}
            for bucket in {b for b, _ in rows}:
                seqs = [seq for b, seq in rows if b == bucket]
                assert seqs == sorted(set(seqs))
        assert index.remove_many(["gone"]) == []
        after = records()
        assert {key: [row for row in rows if row[1] == 1] for key, rows in before.items()
                if any(seq == 1 for _, seq in rows)} == after  # "kept" is seq 1; "gone"'s rows went, emptied shards too
        assert index.stats()["bucket_rows"] == sum(map(len, after.values()))
        assert index.integrity_problems(full=True) == []
        key, rows = next(iter(after.items()))
        client.append(key, rows[0][0].to_bytes(8, "big", signed=True) + (99).to_bytes(4, "big"))  # no article 99
        assert index.integrity_problems(full=True) == ["1 bucket entries point to no article",
                                                       f"the shards hold {sum(map(len, after.values())) + 1} bucket "
                                                       f"rows, the counter says {sum(map(len, after.values()))}"]
        client.set(key, b"".join(b.to_bytes(8, "big", signed=True) + s.to_bytes(4, "big") for b, s in rows))
        wrong = next(shard for shard in range(shard_map.count) if shard != int.from_bytes(key[-4:], "big"))
        client.set(ns + b"b:" + wrong.to_bytes(4, "big"), client.get(key))
        client.delete(key)
        assert index.integrity_problems(full=True) == [f"{len(rows)} bucket entries are in the wrong shard"]


def test_the_deep_check_finds_carrier_entries_of_no_article(url: str) -> None:
    client, ns = _client(url)
    with Index.open(url) as index:
        index.add(article("a", story(1)))
        carried = next(iter(client.scan_iter(match=ns + b"fp:*")))
        assert index.integrity_problems(full=True) == []
        client.sadd(carried, 99)  # no article 99
        assert index.integrity_problems(full=True) == ["1 fp entries point to no article"]


def test_an_index_of_the_older_redis_layout_is_refused_with_what_to_do(url: str) -> None:
    client, ns = _client(url)
    with Index.open(url) as index:
        index.add(article("a", story(1)))
    client.hset(ns + b"meta", "redis_layout", "2")  # what an index of sorted sets per shard holds
    with pytest.raises(IndexStoreError, match=r"older Redis layout \(2\).*rebuild"):
        Index.open(url)
    client.hdel(ns + b"meta", "redis_layout")  # what a set-per-bucket index holds
    with pytest.raises(IndexStoreError, match=r"older Redis layout \(1\).*rebuild"):
        Index.open(url)


def _add_while_splitting(url: str, count: int) -> None:
    """In a child process: many small batches into shards made tiny, so that nearly every batch splits some."""
    from syndicate.index import redis_store

    redis_store.SHARD_ROWS = 8
    with Index.open(url) as index:
        for start in range(0, count, 3):
            index.add_many([article(f"filler-{n}", story(500 + n)) for n in range(start, start + 3)])


def test_checks_find_what_is_stored_while_another_writer_splits_shards(url: str, monkeypatch) -> None:
    """A check reads the shards' state and the shards in one script: while another process adds batch after batch
    (each splitting shards), a copy of an article stored before is found every time, never called new."""
    import multiprocessing

    from syndicate.index import redis_store

    monkeypatch.setattr(redis_store, "BASE_BITS", 1)  # the index starts with two shards
    wire = story(1, paragraphs=6)
    with Index.open(url) as index:
        index.add(article("wire", wire))
    client, ns = _client(url)
    before = client.get(ns + b"shards")
    writer = multiprocessing.get_context("fork").Process(target=_add_while_splitting, args=(url, 90))
    writer.start()
    verdicts, found = [], []
    with Index.open(url) as index:
        buckets = np.unique(_entry(index, article("wire", wire)).buckets).astype(">i8").tobytes()
        while writer.is_alive() or len(verdicts) < 5:
            verdicts.append(index.check(article("copy", [*wire[:5], *story(2, paragraphs=2)])).verdict)
            # every one of the stored article's bucket records, wherever the splits have moved them
            seqs = np.frombuffer(index._store._fetch(args=[index._store._ns, buckets, 1000]), dtype=">u4")
            found.append(int(np.count_nonzero(seqs == 1)))  # "wire" is seq 1
    writer.join(timeout=60)
    assert writer.exitcode == 0
    grown = redis_store.ShardMap.parse(client.get(ns + b"shards"))
    assert redis_store.ShardMap.parse(before).count < 2**6 < grown.count  # the writer split shards level after level
    assert set(verdicts) == {"duplicate"}
    assert set(found) == {len(buckets) // 8}
    with Index.open(url) as index:
        assert index.integrity_problems(full=True) == []
