"""JSONL read by byte ranges in workers (ArticleStream.ranges, read_range, ArticleStream.settle) must come out
exactly as the stream reads it in order: the same articles, ids, line numbers, skipped records and errors."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate import InputError, ReaderOptions, read_articles, scan
from syndicate import plan as plan_module
from syndicate.article import Article
from syndicate.engine import LocalEngine
from syndicate.plan import guided, guided_bounds
from syndicate.read import ReadHere, read_range

STORY = "Officials met in the capital on Tuesday to agree the budget. The talks ran late into the night."

LINES = {
    "record": lambda n: json.dumps({"id": f"a{n}", "text": f"{STORY} Number {n}.\nA second paragraph {n}."}),
    "no id": lambda n: json.dumps({"text": f"Story without an id, number {n}.", "outlet": "x.example"}),
    "repeated id": lambda n: json.dumps({"id": "same", "text": f"Another story {n}."}),
    "integer id": lambda n: json.dumps({"id": n % 3, "text": f"Integer id {n}."}),
    "non-ASCII": lambda n: json.dumps({"id": f"u{n}", "text": f"Café à Genève {n}."}, ensure_ascii=False),
    "blank": lambda n: "   ",
    "malformed": lambda n: '{"id": "broken", "text": ',
    "not an object": lambda n: "[1, 2]",
    "no text": lambda n: json.dumps({"id": f"t{n}", "title": "Headline only"}),
    "empty text": lambda n: json.dumps({"id": f"e{n}", "text": "  "}),
    "long": lambda n: json.dumps({"id": f"l{n}", "text": "word " * 80}),
    "NUL": lambda n: '{"id": "z", "text": "a\x00b"}',
}
MAX_BYTES = 300
"""The article limit in these tests: the "long" line is over it."""


def _file_bytes(kinds: list[str], *, newline_at_end: bool, latin1_line: bool) -> bytes:
    lines = [LINES[kind](number).encode() for number, kind in enumerate(kinds)]
    if latin1_line:
        lines.insert(len(lines) // 2, json.dumps({"id": "latin", "text": "Caf\u00e9 cr\u00e8me."},
                                                 ensure_ascii=False).encode("cp1252"))
    return b"\n".join(lines) + (b"\n" if newline_at_end else b"")


def _in_order(paths: list[Path], options: ReaderOptions) -> tuple[list[Article], list[str], str | None]:
    skipped: list[str] = []
    options = ReaderOptions(**{**_plain(options), "on_skip": lambda error: skipped.append(str(error))})
    articles: list[Article] = []
    try:
        for article in read_articles(paths, options):
            articles.append(article)
    except InputError as error:
        return articles, skipped, str(error)
    return articles, skipped, None


def _by_ranges(paths: list[Path], options: ReaderOptions, part_bytes: int | Callable[[int], int],
               ) -> tuple[list[Article], list[str], str | None, bool]:
    """Read as a scan's workers do (each range's result through pickle, as from a worker process); on ReadHere,
    the rest as the scan then does: the stream started over, read here."""
    skipped: list[str] = []
    options = ReaderOptions(**{**_plain(options), "on_skip": lambda error: skipped.append(str(error))})
    stream = read_articles(paths, options)
    ranges = stream.ranges(part_bytes)
    assert ranges is not None
    articles: list[Article] = []
    try:
        for part in ranges:
            found, read = pickle.loads(pickle.dumps(read_range(part, stream.worker_options)))
            if stream.settle(read):
                articles += found
    except InputError as error:
        return articles, skipped, str(error), False
    except ReadHere:
        articles = []
        try:
            for article in stream.read_here():
                articles.append(article)
        except InputError as error:
            return articles, skipped, str(error), True
        return articles, skipped, None, True
    return articles, skipped, None, False


def _plain(options: ReaderOptions) -> dict:
    return {"fields": options.fields, "max_article_bytes": options.max_article_bytes, "skip_bad": options.skip_bad}


files_of_lines = st.lists(st.lists(st.sampled_from(sorted(LINES)), min_size=0, max_size=12), min_size=1, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=files_of_lines, skip_bad=st.booleans(),
       part_bytes=st.sampled_from([1, 40, 200, 1 << 20, guided(200, 25, 3)]),
       newline_at_end=st.booleans(), latin1=st.booleans(), as_directory=st.booleans(),
       outlet_field=st.booleans(), repeat_first=st.booleans())
def test_ranges_read_exactly_what_the_stream_reads(tmp_path_factory: pytest.TempPathFactory, files: list[list[str]],
                                                   skip_bad: bool, part_bytes: int | Callable[[int], int],
                                                   newline_at_end: bool,
                                                   latin1: bool, as_directory: bool, outlet_field: bool,
                                                   repeat_first: bool) -> None:
    folder = tmp_path_factory.mktemp("ranges")
    paths = []
    for number, kinds in enumerate(files):
        kinds = kinds or ["record"]
        data = _file_bytes(kinds, newline_at_end=newline_at_end,
                           latin1_line=latin1 and number == len(files) - 1)
        path = folder / f"part-{number}.jsonl"
        path.write_bytes(data)
        paths.append(path)
    inputs = [folder] if as_directory else paths
    if repeat_first:  # the same input twice: read twice, its ids then used twice
        inputs = inputs + inputs[:1]
    options = ReaderOptions(max_article_bytes=MAX_BYTES, skip_bad=skip_bad,
                            fields={"outlet": "outlet"} if outlet_field else {})
    expected = _in_order(inputs, options)
    articles, skipped, error, _ = _by_ranges(inputs, options, part_bytes)
    assert (skipped, error) == expected[1:]
    if error is None:  # (an error ends a scan: what was read before it is not compared)
        assert articles == expected[0]


def test_ranges_cut_at_newlines_number_lines_and_cover_every_byte(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"a{n}", "text": "x" * (n * 7 % 50 + 1)}) for n in range(40)]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    ranges = list(read_articles([path]).ranges(150))
    assert len(ranges) > 5
    assert ranges[0].start == 0 and ranges[-1].stop == path.stat().st_size
    assert all(a.stop == b.start for a, b in pairwise(ranges))
    data = path.read_bytes()
    for part in ranges:
        assert data[part.stop - 1 : part.stop] == b"\n"
        assert part.first_line == data[: part.start].count(b"\n") + 1
    assert [part.ends_file for part in ranges] == [False] * (len(ranges) - 1) + [True]


def test_guided_ranges_shrink_toward_the_end_of_the_last_file_and_cover_every_byte(tmp_path: Path) -> None:
    paths = []
    for number in range(2):
        path = tmp_path / f"{number}.jsonl"
        path.write_text("".join(json.dumps({"id": f"{number}-{n}", "text": "word " * 8}) + "\n" for n in range(300)))
        paths.append(path)
    ranges = list(read_articles(paths).ranges(guided(4000, 500, 2)))
    sizes = [part.stop - part.start for part in ranges]
    # each file's last range is what was left of it; the others are 500 bytes or more
    inner = [size for part, size in zip(ranges, sizes, strict=True) if not part.ends_file]
    assert max(sizes) > 3500 and min(inner) >= 500 - 70  # (cut at newlines: lines < 70 bytes)
    last_file = [size for part, size in zip(ranges, sizes, strict=True) if part.path == str(paths[1])]
    assert last_file[-2] < last_file[0] / 3  # (the very last is what was left)
    for path in paths:
        parts = [part for part in ranges if part.path == str(path)]
        assert parts[0].start == 0 and parts[-1].stop == path.stat().st_size
        assert all(a.stop == b.start for a, b in pairwise(parts))


def test_guided_parts_cover_the_whole_and_shrink_to_the_least() -> None:
    bounds = guided_bounds(10_000, guided(1000, 100, 2))
    sizes = [stop - start for start, stop in bounds]
    assert bounds[0][0] == 0 and bounds[-1][1] == 10_000 and all(a[1] == b[0] for a, b in pairwise(bounds))
    assert sizes[0] == 1000 and sizes == sorted(sizes, reverse=True) and min(sizes[:-1]) == 100
    assert guided_bounds(10_000, guided(1000, 100, 1)) == [(s, s + 1000) for s in range(0, 10_000, 1000)]
    assert guided_bounds(0, guided(1000, 100, 4)) == []


def test_only_utf8_jsonl_files_are_read_by_ranges(tmp_path: Path, seeds_dir: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "text": STORY}) + "\n")
    utf16 = tmp_path / "b.jsonl"
    utf16.write_text(json.dumps({"id": "b", "text": STORY}) + "\n", encoding="utf-16")
    empty = tmp_path / "c.jsonl"
    empty.write_bytes(b"")
    assert read_articles([jsonl]).ranges(1 << 20) is not None
    assert read_articles([seeds_dir]).ranges(1 << 20) is None  # text files
    assert read_articles([jsonl, utf16]).ranges(1 << 20) is None  # a byte-order mark: read by the stream
    assert read_articles([jsonl, empty]).ranges(1 << 20) is None  # the stream says which file is empty
    assert read_articles([jsonl, tmp_path / "missing.jsonl"]).ranges(1 << 20) is None
    assert read_articles([jsonl], ReaderOptions(encoding="cp1252")).ranges(1 << 20) is None
    started = read_articles([jsonl])
    next(started)
    assert started.ranges(1 << 20) is None  # what was read here is not read again


def _archive(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "wire.jsonl"
    with path.open("w") as handle:
        for n in range(count):
            body = f"{STORY} Story {n // 3} paragraph one about the harbour.\nThe minister said {n // 3} times."
            if n % 3 == 2:
                body += "\nAn outlet added its own closing paragraph here."
            handle.write(json.dumps({"id": f"s{n}", "text": body, "outlet": f"o{n % 3}.example"}) + "\n")
    return path


def test_a_scan_of_jsonl_read_by_workers_equals_the_scan_of_its_articles(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = _archive(tmp_path, 60)
    monkeypatch.setattr(plan_module, "PART_BYTES", 1000)
    expected = scan(list(read_articles([path])), workers=1)
    result = scan(read_articles([path]), engine=LocalEngine(2))
    assert "read_and_sketch" in result.plan["task_seconds"] and "read_and_sketch" not in result.plan["inline_steps"]
    assert result.to_dict()["clusters"] == expected.to_dict()["clusters"]
    assert result.clusters


def test_a_scan_that_meets_a_file_not_in_utf8_reads_it_again_in_order(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = _archive(tmp_path, 30)
    with path.open("ab") as handle:
        handle.write(json.dumps({"id": "latin", "text": f"{STORY} Caf\u00e9."}, ensure_ascii=False).encode("cp1252"))
    monkeypatch.setattr(plan_module, "PART_BYTES", 500)
    notices: list[str] = []
    expected = scan(list(read_articles([path])), workers=1)
    result = scan(read_articles([path], ReaderOptions(on_notice=notices.append)), engine=LocalEngine(2))
    assert result.to_dict()["clusters"] == expected.to_dict()["clusters"]
    assert result.articles == 31
    assert notices == [f"{path}: not UTF-8 from line 31, read as cp1252 (detected; force another with --encoding)"]


def test_skipped_records_are_reported_once_in_input_order_when_a_scan_reads_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.jsonl"
    lines = [json.dumps({"id": f"a{n}", "text": f"{STORY} {n}."}) if n % 4 else "{broken" for n in range(24)]
    lines[20] = json.dumps({"id": "a1", "text": "the id of line 2 again"})
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(plan_module, "PART_BYTES", 300)
    skipped: list[InputError] = []
    scan(read_articles([path], ReaderOptions(skip_bad=True, on_skip=skipped.append)), engine=LocalEngine(2))
    assert [error.line for error in skipped] == [1, 5, 9, 13, 17, 21]
    assert "used twice" in skipped[-1].reason


class _FarWorkers(LocalEngine):
    """Workers that do not see this machine's files (as on a Ray cluster's other nodes)."""

    local_files = False


def test_workers_that_cannot_see_the_files_get_articles_read_here(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = _archive(tmp_path, 60)
    monkeypatch.setattr(plan_module, "PART_BYTES", 1000)
    monkeypatch.setattr(plan_module, "PART", 7)
    result = scan(read_articles([path]), engine=_FarWorkers(2))
    assert "read_and_sketch" not in result.plan["task_seconds"]
    assert "sketch_part" in result.plan["task_seconds"] and "sketch_part" not in result.plan["inline_steps"]
    assert result.to_dict()["clusters"] == scan(read_articles([path]), engine=LocalEngine(2)).to_dict()["clusters"]


def test_a_line_longer_than_a_part_and_the_limit_is_one_range_and_the_streams_error(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    records = [json.dumps({"id": "before", "text": STORY}), json.dumps({"id": "long", "text": "word " * 5000}),
               json.dumps({"id": "after", "text": STORY})]
    path.write_text("\n".join(records) + "\n")
    ranges = list(read_articles([path]).ranges(1000))
    assert [part.first_line for part in ranges] == [1, 2]  # the long line and the next: one range of about 25 KB
    assert ranges[1].stop - ranges[1].start > 25_000
    for skip_bad in (False, True):
        options = ReaderOptions(max_article_bytes=10_000, skip_bad=skip_bad)
        expected = _in_order([path], options)
        assert _by_ranges([path], options, 1000)[:3] == expected
        assert "over the 0.0 MB limit" in (expected[2] or expected[1][0])
