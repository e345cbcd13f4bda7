"""Readers: formats, fields, encodings, standard input, and every way an input could change results silently."""

from __future__ import annotations

import codecs
import io
import json
import sys
from pathlib import Path

import pytest
from conftest import COPY_AFP, SEEDS, SOURCE_AFP

from syndicate import InputError, ReaderOptions, read_articles, scan
from syndicate.article import METADATA, Article, article_from_record, article_record, split_paragraphs, write_jsonl
from syndicate.errors import SyndicateError
from syndicate.read import FIELD_ALIASES, ROLES, InputFormat

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LONG_ASCII = "The committee met on Tuesday and agreed the budget for next year. " * 200  # > 8 KB


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def read(paths: list, **options: object) -> list[Article]:
    return list(read_articles(paths, ReaderOptions(**options)))


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    def feed(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return feed


# --- formats -----------------------------------------------------------------------------------------


def test_text_directory_uses_file_stems_as_ids_and_ignores_other_files(seeds_dir: Path) -> None:
    articles = read([seeds_dir])
    assert [a.id for a in articles] == sorted(p.stem for p in seeds_dir.glob("*.txt"))
    assert all(a.paragraphs for a in articles)  # labels.json is not read as an article


def test_paragraphs_split_on_line_breaks_by_default_and_on_a_separator_when_given() -> None:
    assert split_paragraphs("one\r\ntwo\n\n  three  \rfour") == ("one", "two", "three", "four")
    assert split_paragraphs("a ### b ###  ### c", " ### ") == ("a", "b", "c")


def test_jsonl_recognises_common_field_names(tmp_path: Path) -> None:
    record = {"article_id": "x1", "body": "First.\nSecond.", "headline": "H", "publisher": "example.com",
              "published": "2018-07-15T07:54:28-04:00", "link": "https://www.example.com/a"}
    path = write(tmp_path / "a.jsonl", json.dumps(record) + "\n")
    (article,) = read([path])
    assert article == Article(id="x1", paragraphs=("First.", "Second."), title="H", outlet="example.com",
                              date="2018-07-15T07:54:28-04:00", url="https://www.example.com/a")


def test_outlet_falls_back_to_the_url_domain(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", json.dumps({"id": 1, "text": "t", "url": "https://www.news.example/x"}))
    (article,) = read([path])
    assert article.outlet == "news.example"


def test_field_overrides_take_precedence(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "key,story,paper,when,text\nk1,Hello there,P,2020-01-01,not this\n")
    (article,) = read([path], fields={"id": "key", "text": "story", "outlet": "paper", "date": "when"})
    assert (article.id, article.paragraphs, article.outlet, article.date) == ("k1", ("Hello there",), "P", "2020-01-01")


def test_csv_with_paragraph_separator_like_the_helsinki_archive(tmp_path: Path) -> None:
    row = '6,nytimes.com,2018-07-15,"A ### B, ""quoted"" ### C"'
    path = write(tmp_path / "h.csv", f"id,publisher,scrape_time,text\n{row}\n")
    (article,) = read([path], paragraph_sep=" ### ")
    assert article.paragraphs == ("A", 'B, "quoted"', "C")
    assert (article.outlet, article.date) == ("nytimes.com", "2018-07-15")


def test_csv_fields_may_span_lines_and_errors_name_the_row_start(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", 'id,text\n1,"first\nstill first"\n2,second\n3,"a","b"\n')
    stream = read_articles([path])
    assert next(stream).paragraphs == ("first", "still first")
    assert next(stream).id == "2"
    with pytest.raises(InputError) as caught:
        next(stream)
    assert caught.value.line == 5


def test_readers_stream_records_one_at_a_time(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"story {i}"}) for i in range(3)] + ["{broken"]
    path = write(tmp_path / "a.jsonl", "\n".join(lines) + "\n")
    stream = read_articles([path])
    assert [next(stream).id for _ in range(3)] == ["0", "1", "2"]  # the bad line is not read before it is needed
    with pytest.raises(InputError):
        next(stream)


def test_progress_knows_the_input_bytes(tmp_path: Path, seeds_dir: Path) -> None:
    stream = read_articles([seeds_dir])
    total = sum(p.stat().st_size for p in seeds_dir.glob("*.txt"))
    assert stream.bytes_total == total and stream.bytes_read == 0
    next(stream)
    assert 0 < stream.bytes_read < total
    list(stream)
    assert stream.bytes_read == total
    assert read_articles(["-"]).bytes_total is None


def test_written_jsonl_reads_back_the_same_articles_even_with_line_breaks_inside_paragraphs(tmp_path: Path) -> None:
    articles = [Article(id="a", paragraphs=("one\ntwo", "three"), title="T", outlet="O", date="2020-01-02",
                        url="https://o.example/a"), Article(id="b", paragraphs=("only",))]
    path = tmp_path / "out.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        assert write_jsonl(articles, handle) == 2
    assert read([path]) == articles
    assert article_from_record(article_record(articles[0])) == articles[0]
    assert list(article_record(articles[0])) == ["id", *METADATA, "paragraphs"]


def test_every_role_has_an_option_and_aliases() -> None:
    assert ROLES == ("id", "text", *METADATA) == tuple(FIELD_ALIASES)


# --- unknown fields (issue 12: a misspelt --outlet-field silently blanked the outlets) --------------


@pytest.mark.parametrize("role", ROLES)
def test_a_field_option_naming_no_csv_column_is_an_error_listing_the_columns(tmp_path: Path, role: str) -> None:
    path = write(tmp_path / "a.csv", "id,text,title,publisher,published,url\n1,Body here,T,P,2020-01-01,u\n")
    with pytest.raises(InputError) as caught:
        read([path], fields={role: "misspelt_name"})
    message = str(caught.value)
    assert caught.value.source == str(path) and caught.value.line == 1
    assert f"'misspelt_name' (for --{role}-field)" in message
    assert "fields present: id, published, publisher, text, title, url" in message


@pytest.mark.parametrize("role", ROLES)
def test_a_field_option_naming_no_jsonl_field_is_an_error(tmp_path: Path, role: str) -> None:
    path = write(tmp_path / "a.jsonl", '{"id": "1", "text": "Body", "outlet": "P"}\n{"id": "2", "text": "B"}\n')
    with pytest.raises(InputError, match=f"no field 'outlet_name' \\(for --{role}-field\\)") as caught:
        read([path], fields={role: "outlet_name"})
    assert "fields present: id, outlet, text" in str(caught.value)


def test_a_field_some_jsonl_records_omit_is_read_where_present(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"id": "1", "text": "Body", "paper": "P"}\n{"id": "2", "text": "B"}\n')
    assert [a.outlet for a in read([path], fields={"outlet": "paper"})] == ["P", None]


def test_an_unknown_role_or_encoding_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="unknown field roles"):
        ReaderOptions(fields={"headline": "x"})
    with pytest.raises(SyndicateError, match="unknown encoding 'latin-9x'"):
        ReaderOptions(encoding="latin-9x")


# --- inputs that yield nothing ---------------------------------------------------------------------------


def test_an_empty_directory_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no article files in this directory") as caught:
        read([tmp_path])
    assert caught.value.source == str(tmp_path)


def test_a_directory_of_sgml_files_is_an_error_saying_what_it_holds(tmp_path: Path) -> None:
    for number in range(3):
        write(tmp_path / f"reut2-00{number}.sgm", "<REUTERS><BODY>text</BODY></REUTERS>")
    write(tmp_path / "README.text", "notes")
    with pytest.raises(InputError, match=r"found 3 \.sgm, 1 \.text"):
        read([tmp_path])


def test_a_directory_mostly_of_other_files_says_what_it_left_out(tmp_path: Path) -> None:
    for number in range(3):
        write(tmp_path / f"reut2-00{number}.sgm", "<REUTERS/>")
    write(tmp_path / "all-topics-strings.lc.txt", "acq\nalum\nbarley\n")
    notices: list[str] = []
    assert len(read([tmp_path], on_notice=notices.append)) == 1
    assert notices == [f"{tmp_path}: read 1 article file, left out 3 .sgm (not an article format)"]
    notices.clear()
    read([SEEDS], on_notice=notices.append)  # labels.json beside five articles: nothing to say
    assert notices == []


def test_a_file_with_only_blank_lines_or_all_records_skipped_is_an_error(tmp_path: Path) -> None:
    blank = write(tmp_path / "blank.jsonl", "\n\n  \n")
    with pytest.raises(InputError, match="no readable article"):
        read([blank])
    bad = write(tmp_path / "bad.jsonl", "not json\n")
    with pytest.raises(InputError, match="every record was skipped"):
        read([bad], skip_bad=True)


def test_an_unknown_suffix_needs_an_input_format(tmp_path: Path) -> None:
    path = write(tmp_path / "reut2-000.sgm", "Some text about grain exports.")
    with pytest.raises(InputError, match=r"unknown file type '\.sgm'"):
        read([path])
    (article,) = read([path], input_format=InputFormat.txt)
    assert article.id == "reut2-000"


# --- standard input ------------------------------------------------------------------------------------


def test_stdin_jsonl_streams_many_articles(stdin) -> None:
    stdin(b"".join(json.dumps({"id": f"a{i}", "text": f"story {i}"}).encode() + b"\n" for i in range(3)))
    assert [a.id for a in read(["-"])] == ["a0", "a1", "a2"]


def test_stdin_csv_is_sniffed_from_its_header(stdin) -> None:
    stdin(b"id,publisher,text\n1,P,First story\n2,Q,Second story\n")
    assert [(a.id, a.outlet) for a in read(["-"])] == [("1", "P"), ("2", "Q")]


def test_stdin_plain_text_needs_an_id(stdin) -> None:
    stdin(b"A plain story.\nIts second paragraph.\n")
    with pytest.raises(InputError, match="needs an id: give --id ID") as caught:
        read(["-"])
    assert caught.value.source == "<stdin>"
    stdin(b"A plain story.\nIts second paragraph.\n")
    (article,) = read(["-"], stdin_id="wire-7")
    assert (article.id, article.paragraphs) == ("wire-7", ("A plain story.", "Its second paragraph."))


def test_stdin_format_can_be_forced(stdin) -> None:
    stdin(b"id,text\n1,this is prose, with a comma, not a table\n")
    (article,) = read(["-"], input_format=InputFormat.txt, stdin_id="prose")
    assert article.paragraphs[0] == "id,text"


def test_stdin_id_is_refused_for_records(stdin) -> None:
    stdin(b'{"id": "a", "text": "t"}\n')
    with pytest.raises(InputError, match="--id names a plain-text article"):
        read(["-"], stdin_id="x")


def test_stdin_one_pretty_printed_object_is_one_article(stdin) -> None:
    stdin(b'{\n  "id": "wire-1",\n  "text": "Body text",\n  "outlet": "AFP"\n}\n')
    (article,) = read(["-"])
    assert (article.id, article.outlet) == ("wire-1", "AFP")


@pytest.mark.parametrize("data", [b'["a", "b"]', b'[{"id": "a", "text": "t"}]\n'])
def test_stdin_json_that_is_not_an_object_is_an_error(stdin, data: bytes) -> None:
    stdin(data)
    with pytest.raises(InputError, match="JSON array"):
        read(["-"])


def test_stdin_empty_is_an_error(stdin) -> None:
    stdin(b"\n  \n")
    with pytest.raises(InputError, match="empty input"):
        read(["-"])


# --- ids (issue 14, item 2) ----------------------------------------------------------------------------


def test_the_same_id_twice_in_one_file_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n'
                                        '{"id": "a", "text": "three"}\n')
    with pytest.raises(InputError, match="article id 'a' is used twice") as caught:
        read([path])
    assert (caught.value.source, caught.value.line) == (str(path), 3)


def test_an_integer_id_and_the_same_id_as_a_string_are_one_id(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"id": 1, "text": "one"}\n{"id": "1", "text": "two"}\n')
    with pytest.raises(InputError, match="article id '1' is used twice"):
        read([path])


def test_the_same_id_in_two_inputs_is_an_error(tmp_path: Path) -> None:
    first = write(tmp_path / "story.txt", "One text.")
    second = write(tmp_path / "more.jsonl", '{"id": "story", "text": "Another text."}\n')
    with pytest.raises(InputError, match="'story' is used twice") as caught:
        read([first, second])
    assert caught.value.source == str(second)


@pytest.mark.parametrize(("raw_id", "kind"), [('{"a": 1}', "an object"), ("[1]", "an array"), ("1.5", "a number"),
                                              ("true", "a boolean")])
def test_an_id_that_is_not_a_string_or_integer_is_an_error_never_a_repr(tmp_path: Path, raw_id: str,
                                                                         kind: str) -> None:
    path = write(tmp_path / "a.jsonl", f'{{"id": {raw_id}, "text": "one"}}\n')
    with pytest.raises(InputError, match=f"must be a string or an integer, got {kind}"):
        read([path])


def test_metadata_that_is_an_object_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"id": "a", "text": "one", "title": {"en": "T"}}\n')
    with pytest.raises(InputError, match="'title' must be a string or a number, got an object"):
        read([path])


# --- malformed records (issue 14, item 3) -------------------------------------------------------------


def test_a_csv_quote_left_open_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "open.csv", 'id,text\n1,fine\n2,"never closed\n3,swallowed\n4,also swallowed\n')
    with pytest.raises(InputError, match="quoted field is never closed") as caught:
        read([path])
    assert caught.value.line == 3


def test_a_csv_quote_closed_rows_later_is_an_error_not_a_merged_article(tmp_path: Path) -> None:
    path = write(tmp_path / "open.csv", 'id,text\n1,"opens here\n2,second\n3,"third"\n')
    with pytest.raises(InputError, match="malformed CSV") as caught:
        read([path])
    assert caught.value.line == 2


@pytest.mark.parametrize("name", ["late.txt", "late.jsonl", "late.csv", "late.html"])
def test_a_nul_byte_anywhere_means_binary(tmp_path: Path, name: str) -> None:
    body = {".txt": LONG_ASCII, ".jsonl": json.dumps({"id": "a", "text": LONG_ASCII}) + "\n",
            ".csv": f"id,text\n1,{LONG_ASCII}\n", ".html": f"<html><body><p>{LONG_ASCII}</p></body></html>"}
    path = write(tmp_path / name, body[Path(name).suffix].encode() + b"\x00 tail\n")
    with pytest.raises(InputError, match="binary"):
        read([path])


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("empty.txt", b"", None, "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", None, "binary"),
        ("blank.txt", b"  \n\n \n", None, "no text"),
        ("bad.jsonl", b'{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', 2, "malformed JSON"),
        ("notobject.jsonl", b'[1, 2]\n', 1, "expected a JSON object, got an array"),
        ("missing.jsonl", b'{"id": 1, "title": "no text here"}\n', 1, "missing text field"),
        ("mixed.jsonl", b'{"id": 1, "text": "caf\xc3\xa9"}\n{"id": 2, "text": "caf\xe9"}\n', 2,
         "the file mixes encodings"),
        ("ragged.csv", b"id,text\n1,fine\n2,too,many\n", 3, "fields"),
        ("missing.csv", b"id,title\n1,no text\n", 1, "no field 'text/body"),
        ("badtext.jsonl", b'{"id": 1, "text": 5}\n', 1, "must be a string or a list of strings"),
    ],
)
def test_bad_input_names_the_file_and_line(tmp_path: Path, name: str, content: bytes, line: int | None,
                                           message: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(InputError) as caught:
        read([path])
    assert caught.value.source == str(path)
    assert caught.value.line == line
    assert message in str(caught.value)


def test_huge_article_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "word " * 1000)
    with pytest.raises(InputError, match=r"over the 0\.0 MB limit"):
        read([path], max_article_bytes=1000)


def test_skip_bad_reports_and_continues(tmp_path: Path) -> None:
    write(tmp_path / "mixed.jsonl", '{"id": "a", "text": "one"}\nnot json\n{"id": "c", "body": "three"}\n')
    write(tmp_path / "zero.txt", b"\x00\x01")
    skipped: list[InputError] = []
    ids = [a.id for a in read([tmp_path], skip_bad=True, on_skip=skipped.append)]
    assert ids == ["a", "c"]
    assert [(Path(e.source).name, e.line) for e in skipped] == [("mixed.jsonl", 2), ("zero.txt", None)]


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read([tmp_path / "nope"])


# --- encodings -----------------------------------------------------------------------------------------


def test_a_cp1252_file_is_detected_read_and_reported() -> None:
    notices: list[str] = []
    (article,) = read([FIXTURES / "cp1252.txt"], on_notice=notices.append)
    assert article.paragraphs == ("The minister said the \u201cagreement\u201d was reached on Tuesday \u2013 a week "
                                  "after talks began.", "\u201cWe\u2019re pleased,\u201d she added. The deal is worth "
                                  "40 million \u20ac over five years.")
    assert notices == [f"{FIXTURES / 'cp1252.txt'}: not UTF-8, read as cp1252 (detected; force another with "
                       "--encoding)"]


def test_a_latin1_file_is_read_correctly() -> None:
    notices: list[str] = []
    (article,) = read([FIXTURES / "latin1.txt"], on_notice=notices.append)
    assert article.paragraphs == ("Le caf\u00e9 de la gare a rouvert \u00e0 Gen\u00e8ve apr\u00e8s des "
                                  "ann\u00e9es de travaux.", "El ni\u00f1o comi\u00f3 pi\u00f1a en la "
                                  "estaci\u00f3n, dijo el se\u00f1or Mu\u00f1oz.")
    assert len(notices) == 1 and "read as" in notices[0]  # cp1252: Latin-1's letters, byte for byte


def test_a_forced_encoding_wins_and_utf8_is_not_reported(tmp_path: Path) -> None:
    notices: list[str] = []
    (article,) = read([FIXTURES / "latin1.txt"], encoding="latin-1", on_notice=notices.append)
    assert article.paragraphs[0].startswith("Le caf\u00e9") and notices == [f"{FIXTURES / 'latin1.txt'}: read as "
                                                                             "iso8859-1"]
    notices.clear()
    read([SEEDS / f"{SOURCE_AFP}.txt"], on_notice=notices.append)
    assert notices == []
    with pytest.raises(InputError, match="not valid utf-8"):
        read([FIXTURES / "latin1.txt"], encoding="utf-8")


def test_jsonl_switches_to_the_detected_encoding_at_its_first_non_utf8_line(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"a{i}", "text": f"plain story {i}"}) for i in range(3)]
    lines.append(json.dumps({"id": "z", "text": "Le caf\u00e9 de la gare \u2013 \u00e0 Gen\u00e8ve"},
                            ensure_ascii=False))
    path = write(tmp_path / "a.jsonl", "\n".join(lines).encode("cp1252") + b"\n")
    notices: list[str] = []
    articles = read([path], on_notice=notices.append)
    assert articles[-1].paragraphs == ("Le caf\u00e9 de la gare \u2013 \u00e0 Gen\u00e8ve",)
    assert notices and "from line 4" in notices[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_unicode_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str, suffix: str) -> None:
    text = "Caf\u00e9 \u201cnews\u201d \u4e2d\u6587"
    body = {".txt": text + "\n", ".jsonl": json.dumps({"id": "x", "text": text}, ensure_ascii=False) + "\n",
            ".csv": f"id,text\nx,{text}\n"}[suffix]
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = write(tmp_path / f"x{suffix}", bom + body.encode(encoding))
    (article,) = read([path])
    assert article.paragraphs == (text,) and article.id == "x"


# --- HTML and WARC ------------------------------------------------------------------------------------------


def test_an_html_page_gives_its_main_text_and_metadata_without_the_furniture() -> None:
    (article,) = read([FIXTURES / "002_a03570c17a29d6cf.html"])
    seed = [p.strip() for p in (SEEDS / f"{SOURCE_AFP}.txt").read_text(encoding="utf-8").splitlines() if p.strip()]
    assert article.id == SOURCE_AFP
    assert article.title == seed[1]
    assert (article.outlet, article.date) == ("The Example Wire", "2023-10-25")
    assert article.url == "https://www.example-wire.test/world/2023/10/25/hezbollah-hamas-meeting"
    assert article.paragraphs == tuple(seed[3:])  # dateline and body, paragraph for paragraph
    text = " ".join(article.paragraphs)
    for furniture in ("Skip to main content", "Subscribe", "Most read", "newsletter", "All rights reserved"):
        assert furniture not in text


def test_a_page_keeps_its_blocks_as_paragraphs_whatever_the_paragraph_separator() -> None:
    page = FIXTURES / f"{SOURCE_AFP}.html"
    assert read([page], paragraph_sep=" ### ")[0].paragraphs == read([page])[0].paragraphs


def test_the_html_copy_of_seed_002_clusters_with_003_as_the_text_does(seeds_dir: Path) -> None:
    text_files = sorted(seeds_dir.glob("*.txt"))
    as_text = scan(read_articles(text_files))
    as_html = scan(read_articles([p for p in text_files if p.stem != SOURCE_AFP]
                                 + [FIXTURES / f"{SOURCE_AFP}.html"]))
    ((text_cluster,), (html_cluster,)) = as_text.clusters, as_html.clusters
    assert html_cluster.members == text_cluster.members and COPY_AFP in html_cluster.members
    assert html_cluster.source == text_cluster.source == SOURCE_AFP

    def links(cluster):
        return {(frozenset((link.a, link.b)), link.kind) for link in cluster.links}

    assert links(html_cluster) == links(text_cluster)


def test_a_warc_file_gives_each_html_response_and_nothing_else() -> None:
    articles = read([FIXTURES / "pages.warc.gz"])
    assert [a.url for a in articles] == ["https://www.example-wire.test/world/2023/10/25/hezbollah-hamas-meeting",
                                         "https://local-news.test/ferry"]
    assert articles[0].paragraphs == read([FIXTURES / f"{SOURCE_AFP}.html"])[0].paragraphs
    assert articles[1].title == "Harbour ferry service resumes after storm"
    assert articles[1].outlet == "local-news.test" and articles[1].date == "2023-10-26"
    assert len({a.id for a in articles}) == 2


def test_a_page_on_stdin_is_sniffed_and_needs_an_id(stdin) -> None:
    stdin((FIXTURES / f"{SOURCE_AFP}.html").read_bytes())
    (article,) = read(["-"], stdin_id="page-1")
    assert article.id == "page-1" and article.title and article.paragraphs[0] == "\u2014 Beirut (AFP)"


def test_without_the_html_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import fails as if not installed
    with pytest.raises(InputError, match=r"needs the 'html' extra: pip install 'syndicate\[html\]'"):
        read([FIXTURES / f"{SOURCE_AFP}.html"])


def test_parsed_date_handles_offsets_and_garbage() -> None:
    assert Article("a", ("x",), date="2018-07-15T07:54:28-04:00").parsed_date().utcoffset().total_seconds() == -4 * 3600
    assert Article("a", ("x",), date="2018-07-15").parsed_date().tzinfo is not None
    assert Article("a", ("x",), date="yesterday").parsed_date() is None


def test_utf16_json_lines_split_only_on_line_feeds(tmp_path: Path) -> None:
    text = "First paragraph\u2028still the first record"
    path = write(tmp_path / "a.jsonl", codecs.BOM_UTF16_LE + "".join(
        json.dumps({"id": f"a{i}", "text": text}, ensure_ascii=False) + "\n" for i in range(2)).encode("utf-16-le"))
    assert [a.id for a in read([path])] == ["a0", "a1"]


def test_a_byte_order_mark_wins_over_a_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", codecs.BOM_UTF8 + "Caf\u00e9 au lait".encode())
    assert read([path], encoding="cp1252")[0].paragraphs == ("Caf\u00e9 au lait",)
