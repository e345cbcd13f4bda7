"""The shared backend gives the same answers as the embedded one, and stores nothing pickled."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from conftest import COPY_AFP, INDEPENDENT, SOURCE_AFP
from factories import article, story
from index_support import fresh_namespace_url, redis_url, scenario
from typer.testing import CliRunner

from syndicate.cli import app
from syndicate.index import Index

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


def test_same_answers_as_sqlite(url: str, tmp_path: Path) -> None:
    on_sqlite, sqlite_stats = _run_scenario(str(tmp_path / "same.db"))
    on_redis, redis_stats = _run_scenario(url)
    assert on_redis == on_sqlite
    assert any(v["duplicate"] for v in on_sqlite["checked"].values())  # the scenario has copies to find
    for name in ("articles", "furniture_fingerprints", "scheme", "num_perm", "seed", "ngram", "bands", "rows"):
        assert redis_stats[name] == sqlite_stats[name], name


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
    assert values
    # pickle.dumps (protocol 2 and up, datasketch's prepickle) always starts with the PROTO opcode.
    assert not [value for value in values if value.startswith(pickle.PROTO)]


def test_cli_with_redis(url: str, seeds_dir: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["index", "add", "--redis", url, str(seeds_dir / f"{SOURCE_AFP}.txt")])
    assert added.exit_code == 0, added.output
    copy = runner.invoke(app, ["check", "--redis", url, str(seeds_dir / f"{COPY_AFP}.txt"), "-f", "json"])
    assert copy.exit_code == 1
    assert json.loads(copy.stdout)["matches"][0]["id"] == SOURCE_AFP
    assert runner.invoke(app, ["check", "--db", url, str(seeds_dir / f"{INDEPENDENT[1]}.txt")]).exit_code == 0
    check = runner.invoke(app, ["index", "check", "--redis", url])
    assert check.exit_code == 0 and check.stdout.startswith("ok: 1 articles")
    both = runner.invoke(app, ["check", "--redis", url, "--db", "x.db", str(seeds_dir / f"{COPY_AFP}.txt")])
    assert both.exit_code == 2


def test_an_unreachable_server_exits_2(seeds_dir: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--redis", "redis://127.0.0.1:1/0", str(seeds_dir / f"{COPY_AFP}.txt")])
    assert result.exit_code == 2
    assert "cannot connect" in result.stderr


def test_an_interrupted_add_is_reported_ignored_and_repaired(url: str) -> None:
    """A worker that dies after writing buckets but before the article leaves nothing a check reports."""
    wire = article("wire", story(1))
    with Index.open(url) as index:
        index.add(article("other", story(2)))
        prepared = index._prepare(wire)
        store = index._store
        store._redis.set(store._pending_key("wire"), json.dumps(list(range(len(wire.paragraphs)))))
        for paragraph in range(len(wire.paragraphs)):  # what put() writes before the article itself
            minhash = store._hasher.to_datasketch(prepared.signatures[paragraph])
            store._lsh.insert(b"wire\x1f" + str(paragraph).encode(), minhash, check_duplication=False)
        assert index.check(article("probe", story(1))).matches == ()
        assert index.integrity_problems() == ["an add of 'wire' was interrupted: add it again"]
        index.add(wire)
        assert index.integrity_problems() == []
        assert [m.id for m in index.check(article("probe", story(1))).matches] == ["wire"]
        assert index.stats()["indexed_paragraphs"] == 2 * len(wire.paragraphs)
