from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndicate import InputError, ReaderOptions, read_articles
from syndicate.article import Article, split_paragraphs


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def test_text_directory_uses_file_stems_as_ids_and_ignores_other_files(seeds_dir: Path) -> None:
    articles = list(read_articles([seeds_dir]))
    assert [a.id for a in articles] == sorted(p.stem for p in seeds_dir.glob("*.txt"))
    assert all(a.paragraphs for a in articles)  # labels.json is not read as an article


def test_paragraphs_split_on_line_breaks_by_default_and_on_a_separator_when_given() -> None:
    assert split_paragraphs("one\r\ntwo\n\n  three  \rfour") == ("one", "two", "three", "four")
    assert split_paragraphs("a ### b ###  ### c", " ### ") == ("a", "b", "c")


def test_jsonl_recognises_common_field_names(tmp_path: Path) -> None:
    record = {"article_id": "x1", "body": "First.\nSecond.", "headline": "H", "publisher": "example.com",
              "published": "2018-07-15T07:54:28-04:00", "link": "https://www.example.com/a"}
    path = write(tmp_path / "a.jsonl", json.dumps(record) + "\n")
    (article,) = read_articles([path])
    assert article == Article(id="x1", paragraphs=("First.", "Second."), title="H", outlet="example.com",
                              date="2018-07-15T07:54:28-04:00", url="https://www.example.com/a")


def test_outlet_falls_back_to_the_url_domain(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", json.dumps({"id": 1, "text": "t", "url": "https://www.news.example/x"}))
    (article,) = read_articles([path])
    assert article.outlet == "news.example"


def test_field_overrides_take_precedence(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "key,story,paper,when\nk1,Hello there,P,2020-01-01\n")
    options = ReaderOptions(id_field="key", text_field="story", outlet_field="paper", date_field="when")
    (article,) = read_articles([path], options)
    assert (article.id, article.paragraphs, article.outlet, article.date) == ("k1", ("Hello there",), "P", "2020-01-01")


def test_csv_with_paragraph_separator_like_the_helsinki_archive(tmp_path: Path) -> None:
    row = '6,nytimes.com,2018-07-15,"A ### B, ""quoted"" ### C"'
    path = write(tmp_path / "h.csv", f"id,publisher,scrape_time,text\n{row}\n")
    (article,) = read_articles([path], ReaderOptions(paragraph_sep=" ### "))
    assert article.paragraphs == ("A", 'B, "quoted"', "C")
    assert (article.outlet, article.date) == ("nytimes.com", "2018-07-15")


def test_readers_stream_records_one_at_a_time(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"story {i}"}) for i in range(3)] + ["{broken"]
    path = write(tmp_path / "a.jsonl", "\n".join(lines) + "\n")
    stream = read_articles([path])
    assert [next(stream).id for _ in range(3)] == ["0", "1", "2"]  # the bad line is not read before it is needed
    with pytest.raises(InputError):
        next(stream)


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("empty.txt", b"", None, "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", None, "binary"),
        ("latin1.txt", "caf\u00e9".encode("latin-1"), None, "not valid UTF-8"),
        ("blank.txt", b"  \n\n \n", None, "no text"),
        ("bad.jsonl", b'{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', 2, "malformed JSON"),
        ("notobject.jsonl", b'[1, 2]\n', 1, "expected a JSON object"),
        ("missing.jsonl", b'{"id": 1, "title": "no text here"}\n', 1, "missing text field"),
        ("badutf.jsonl", b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "\xff"}\n', 2, "not valid UTF-8"),
        ("ragged.csv", b"id,text\n1,fine\n2,too,many\n", 3, "fields"),
        ("missing.csv", b"id,title\n1,no text\n", 2, "missing text field"),
    ],
)
def test_bad_input_names_the_file_and_line(tmp_path: Path, name: str, content: bytes, line: int | None,
                                           message: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(InputError) as caught:
        list(read_articles([path]))
    assert caught.value.source == str(path)
    assert caught.value.line == line
    assert message in str(caught.value)


def test_huge_article_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "word " * 1000)
    with pytest.raises(InputError, match=r"over the 0\.0 MB limit"):
        list(read_articles([path], ReaderOptions(max_article_bytes=1000)))


def test_skip_bad_reports_and_continues(tmp_path: Path) -> None:
    write(tmp_path / "mixed.jsonl", '{"id": "a", "text": "one"}\nnot json\n{"id": "c", "body": "three"}\n')
    write(tmp_path / "zero.txt", b"\x00\x01")
    skipped: list[InputError] = []
    options = ReaderOptions(skip_bad=True, on_skip=skipped.append)
    ids = [a.id for a in read_articles([tmp_path], options)]
    assert ids == ["a", "c"]
    assert [(Path(e.source).name, e.line) for e in skipped] == [("mixed.jsonl", 2), ("zero.txt", None)]


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_articles([tmp_path / "nope"]))


def test_parsed_date_handles_offsets_and_garbage() -> None:
    assert Article("a", ("x",), date="2018-07-15T07:54:28-04:00").parsed_date().utcoffset().total_seconds() == -4 * 3600
    assert Article("a", ("x",), date="2018-07-15").parsed_date().tzinfo is not None
    assert Article("a", ("x",), date="yesterday").parsed_date() is None
