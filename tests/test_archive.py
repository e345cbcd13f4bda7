"""Archive: articles by id across files and an index, clusters by number, standard input read twice."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from conftest import COPY_AFP, REWRITE_AFP, SEEDS, SOURCE_AFP

from syndicate.archive import Archive
from syndicate.errors import InputError, SyndicateError
from syndicate.index import Index


def test_find_reads_only_until_every_id_is_found_and_names_what_is_missing() -> None:
    archive = Archive([SEEDS])
    found = archive.find({SOURCE_AFP, COPY_AFP})
    assert set(found) == {SOURCE_AFP, COPY_AFP} and found[SOURCE_AFP].paragraphs[1].startswith("Lebanon's")
    with pytest.raises(InputError, match=f"no article with this id in {SEEDS}") as caught:
        archive.find({SOURCE_AFP, str(SEEDS / f"{COPY_AFP}.txt")})  # a path is not an id
    assert caught.value.source == str(SEEDS / f"{COPY_AFP}.txt")


def test_find_looks_in_the_index_too(tmp_path: Path) -> None:
    with Index.open(tmp_path / "x.db") as index:
        index.add(Archive([SEEDS]).find({REWRITE_AFP})[REWRITE_AFP])
        archive = Archive([SEEDS / f"{SOURCE_AFP}.txt"], index=index)
        assert set(archive.find({SOURCE_AFP, REWRITE_AFP})) == {SOURCE_AFP, REWRITE_AFP}
        assert str(archive) == f"{SEEDS / f'{SOURCE_AFP}.txt'}, the index"
        assert [a.id for a in archive.articles()] == [SOURCE_AFP, REWRITE_AFP]


def test_cluster_by_number_and_its_range() -> None:
    result, cluster = Archive([SEEDS]).cluster(1)
    assert cluster.source == SOURCE_AFP and result.articles == 5
    with pytest.raises(SyndicateError, match=r"no cluster 2 in .* \(the scan found clusters 1 to 1\)"):
        Archive([SEEDS]).cluster(2)


def test_first_wants_exactly_that_many() -> None:
    pair = Archive([SEEDS / f"{SOURCE_AFP}.txt", SEEDS / f"{COPY_AFP}.txt"]).first(2)
    assert [a.id for a in pair] == [SOURCE_AFP, COPY_AFP]
    with pytest.raises(InputError, match="holds more than 2 articles"):
        Archive([SEEDS]).first(2)


def test_nothing_to_read_is_an_error() -> None:
    with pytest.raises(SyndicateError, match="no articles to read"):
        Archive([])


def test_standard_input_can_be_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))]
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    archive = Archive(["-"])
    first = list(archive.articles())
    assert [a.id for a in first] == [r["id"] for r in records]
    assert list(archive.articles()) == first  # stdin is spent; its articles come back from the copy
    assert archive.find({COPY_AFP})[COPY_AFP] == first[3]
