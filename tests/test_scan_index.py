"""Scanning an index (`syndicate scan --db`): a SQLite index's rows are read by the workers, a run of seqs each,
and the scan is the scan of the same articles read here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from factories import wire_archive
from index_support import target_fixture  # noqa: F401  (fixture `target`)

from syndicate import Archive, scan
from syndicate.engine import LocalEngine
from syndicate.index import Index, IndexDamagedError
from syndicate.read import ReaderOptions


def output(result) -> dict:
    data = result.to_dict(quotes=True)
    data["stats"] = {k: v for k, v in data["stats"].items() if not k.startswith("seconds_")}
    return data


def test_an_index_scans_as_its_articles_do(target: str, tiny_parts) -> None:
    articles = wire_archive()
    with Index.open(target) as index:
        index.add_many(articles)
        result = Archive((), ReaderOptions(), index).scan(engine=LocalEngine(2))
        ranges = index.articles().ranges(7)
        expected = scan(list(index.articles()), index.config, workers=1)
    assert output(result) == output(expected)
    assert result.clusters
    if target.endswith(".db"):  # read by the workers, a run of rows each
        assert "read_stored_and_sketch" in result.plan["task_seconds"]
        assert "read_stored_and_sketch" not in result.plan["inline_steps"]
        runs = [(start, min(start + 6, len(articles))) for start in range(1, len(articles) + 1, 7)]
        assert [(part.first, part.last) for part in ranges] == runs
    else:  # Redis: read by the driver
        assert ranges is None and "sketch_part" in result.plan["task_seconds"]


def test_removed_articles_leave_gaps_the_ranges_step_over(tmp_path: Path, tiny_parts) -> None:
    articles = wire_archive()
    with Index.open(str(tmp_path / "index.db")) as index:
        index.add_many(articles)
        gone = [article.id for article in articles[3:40]]
        assert index.remove_many(gone) == []
        result = Archive((), ReaderOptions(), index).scan(engine=LocalEngine(2))
        kept = [article for article in articles if article.id not in set(gone)]
        assert result.articles == len(kept)
        assert output(result) == output(scan(kept, index.config, workers=1))


def test_a_damaged_row_read_by_a_worker_is_a_clear_error(tmp_path: Path, tiny_parts) -> None:
    path = tmp_path / "index.db"
    with Index.open(str(path)) as index:
        index.add_many(wire_archive())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE articles SET record = record || ' ' WHERE seq = 30")  # still JSON, not its checksum
    damaged = pytest.raises(IndexDamagedError, match=r"article #30 is damaged \(checksum mismatch\)")
    with Index.open(str(path), create=False) as index, damaged:
        Archive((), ReaderOptions(), index).scan(engine=LocalEngine(2))
