"""Parts of an archive read by workers give exactly what read_articles gives, with the same errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import wire_archive

from syndicate import ReaderOptions, read_articles
from syndicate.errors import InputError
from syndicate.inputs import Archive, ArticlesPart, FilesPart, JsonlRange


def read_parts(archive: Archive, **sizes) -> list:
    articles = []
    for part in archive.parts(**sizes):
        result = part.read()
        assert result.error is None, result.error
        articles += result.articles
    return articles


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "archive.jsonl"
    with path.open("w") as out:
        for number, a in enumerate(wire_archive(20)):
            record = {"text": "\n".join(a.paragraphs), "outlet": a.outlet}
            if number % 5:
                record["id"] = a.id  # the others fall back to file name and line
            out.write(json.dumps(record) + ("\n\n" if number == 7 else "\n"))
    return path


@pytest.mark.parametrize("part_bytes", [1, 700, 5000, 10**9])
def test_byte_ranges_read_every_line_once_with_its_number(jsonl, part_bytes):
    parts = list(Archive((jsonl,)).parts(part_bytes=part_bytes))
    if part_bytes < 10**9:
        assert all(isinstance(part, JsonlRange) for part in parts)
        assert [p.start for p in parts[1:]] == [p.stop for p in parts[:-1]]
    assert read_parts(Archive((jsonl,)), part_bytes=part_bytes) == list(read_articles([jsonl]))


def test_directories_and_small_files_keep_the_readers_order(jsonl, seeds_dir):
    archive = Archive((seeds_dir, jsonl, seeds_dir / "002_a03570c17a29d6cf.txt"))
    parts = list(archive.parts(part_bytes=3000, part_articles=2))
    assert any(isinstance(p, FilesPart) for p in parts) and any(isinstance(p, JsonlRange) for p in parts)
    assert read_parts(archive, part_bytes=3000, part_articles=2) == list(
        read_articles([seeds_dir, jsonl, seeds_dir / "002_a03570c17a29d6cf.txt"]))


def test_a_bad_line_is_named_by_its_line_in_the_file(jsonl):
    lines = jsonl.read_bytes().split(b"\n")
    lines[30] = b'{"text": "cut off'
    jsonl.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as expected:
        list(read_articles([jsonl]))
    errors = [r.error for r in (p.read() for p in Archive((jsonl,)).parts(part_bytes=800)) if r.error]
    assert [(e.source, e.line, str(e)) for e in errors] == [(str(jsonl), 31, str(expected.value))]


def test_skipped_lines_are_returned_not_printed(jsonl):
    lines = jsonl.read_bytes().split(b"\n")
    lines[2] = b"[1, 2]"
    jsonl.write_bytes(b"\n".join(lines))
    options = ReaderOptions(skip_bad=True)
    skipped = [s for p in Archive((jsonl,), options).parts(part_bytes=500) for s in p.read().skipped]
    assert [(s.line, s.reason) for s in skipped] == [(3, "expected a JSON object, got list")]


def test_a_binary_file_is_refused_at_its_first_range(tmp_path):
    path = tmp_path / "binary.jsonl"
    path.write_bytes(b'{"text": "x"}\n\x00\x01' * 100)
    first = next(Archive((path,)).parts(part_bytes=100))
    assert "binary file" in str(first.read().error)


def test_input_errors_survive_the_trip_between_processes():
    import pickle

    error = pickle.loads(pickle.dumps(InputError("a.jsonl", "malformed JSON", 4)))
    assert (error.source, error.reason, error.line, str(error)) == ("a.jsonl", "malformed JSON", 4,
                                                                    "a.jsonl:4: malformed JSON")


def test_articles_in_memory_travel_in_chunks():
    articles = wire_archive(10)
    chunks = list(ArticlesPart.chunks(articles, 4))
    assert [len(c.articles) for c in chunks][:-1] == [4] * (len(chunks) - 1)
    assert [a for c in chunks for a in c.read().articles] == articles
