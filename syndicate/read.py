"""Readers: turn files into a stream of Articles without holding the archive in memory.

Supported inputs: a ``.txt`` file (one article, id = file name without extension), a
directory (every ``.txt``, ``.jsonl``/``.ndjson`` and ``.csv``/``.tsv`` below it, in name order), JSONL
(``.jsonl``/``.ndjson``/``.json``, one object a line) and CSV (``.csv``/``.tsv``), or ``-``
for standard input (plain text or one JSON object). Records that cannot be read raise
:class:`InputError` naming the file and line, or, with ``skip_bad``, are reported to
``on_skip`` and passed over.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from .article import Article
from .errors import InputError

# Field names recognised without options, most specific first.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "doc_id", "docid", "guid", "uuid", "newid"),
    "text": ("text", "body", "content", "article", "full_text", "story"),
    "title": ("title", "headline", "heading"),
    "outlet": ("outlet", "publisher", "source", "site", "domain", "publication", "media"),
    "date": ("date", "published", "published_at", "publish_date", "pubdate", "datetime", "scrape_time",
             "timestamp", "time"),
    "url": ("url", "link", "href", "permalink"),
}  # fmt: skip

TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
# A directory holds articles and often other things (labels.json, notes): only these are read from it.
DIRECTORY_SUFFIXES = TEXT_SUFFIXES | CSV_SUFFIXES | {".jsonl", ".ndjson"}
_BINARY_PROBE = 8192


@dataclass(frozen=True)
class ReaderOptions:
    """How to read records: field names (None = recognise automatically) and limits."""

    id_field: str | None = None
    text_field: str | None = None
    title_field: str | None = None
    outlet_field: str | None = None
    date_field: str | None = None
    url_field: str | None = None
    paragraph_sep: str | None = None
    max_article_bytes: int = 10 * 1024 * 1024
    skip_bad: bool = False
    on_skip: Callable[[InputError], None] | None = field(default=None, compare=False)

    def field_for(self, role: str, keys: Iterable[str]) -> str | None:
        """The record key that plays `role`: the explicit option if given, else the first alias present."""
        explicit = getattr(self, f"{role}_field")
        if explicit is not None:
            return explicit
        lowered = {k.lower(): k for k in keys}
        for alias in FIELD_ALIASES[role]:
            if alias in lowered:
                return lowered[alias]
        return None


def read_articles(paths: Iterable[str | Path], options: ReaderOptions | None = None) -> Iterator[Article]:
    """Stream the articles in every path, in order."""
    options = options or ReaderOptions()
    for path in paths:
        if str(path) == "-":
            yield from _guarded(lambda: iter([_read_stdin(options)]), options)
            continue
        path = Path(path)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DIRECTORY_SUFFIXES):
                yield from _guarded(lambda child=child: _read_file(child, options), options)
        elif path.exists():
            yield from _guarded(lambda path=path: _read_file(path, options), options)
        else:
            raise InputError(str(path), "no such file or directory")


def _guarded(make: Callable[[], Iterator[Article]], options: ReaderOptions) -> Iterator[Article]:
    """Apply the skip-bad policy to whole-file failures (record failures are handled by the readers)."""
    try:
        yield from make()
    except InputError as error:
        if not options.skip_bad:
            raise
        _skip(error, options)


def _skip(error: InputError, options: ReaderOptions) -> None:
    if options.on_skip is not None:
        options.on_skip(error)


def _reader_for(path: Path) -> Callable[[Path, ReaderOptions], Iterator[Article]] | None:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return _read_text_file
    if suffix in JSONL_SUFFIXES:
        return _read_jsonl
    if suffix in CSV_SUFFIXES:
        return _read_csv
    return None


def _read_file(path: Path, options: ReaderOptions) -> Iterator[Article]:
    reader = _reader_for(path) or _read_text_file
    _reject_binary(path)
    return reader(path, options)


def _reject_binary(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(_BINARY_PROBE)
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror or error}") from error
    if not head:
        raise InputError(str(path), "empty file")
    if b"\x00" in head:
        raise InputError(str(path), "binary file (contains NUL bytes), not text")


def _decode(raw: bytes, source: str, line: int | None) -> str:
    try:
        return raw.decode("utf-8-sig" if line in (None, 1) else "utf-8")
    except UnicodeDecodeError as error:
        raise InputError(source, f"not valid UTF-8 (byte {error.start} of the {'line' if line else 'file'})",
                         line) from error


def _read_text_file(path: Path, options: ReaderOptions) -> Iterator[Article]:
    if path.stat().st_size > options.max_article_bytes:
        raise InputError(str(path), _too_large(path.stat().st_size, options))
    text = _decode(path.read_bytes(), str(path), None)
    yield _text_article(path.stem, text, str(path), None, options)


def _read_stdin(options: ReaderOptions) -> Article:
    raw = sys.stdin.buffer.read(options.max_article_bytes + 1)
    if len(raw) > options.max_article_bytes:
        raise InputError("<stdin>", _too_large(len(raw), options))
    if not raw.strip():
        raise InputError("<stdin>", "empty input")
    if b"\x00" in raw[:_BINARY_PROBE]:
        raise InputError("<stdin>", "binary input (contains NUL bytes), not text")
    text = _decode(raw, "<stdin>", None)
    if text.lstrip().startswith("{"):
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError("<stdin>", f"malformed JSON: {error.msg} at line {error.lineno}") from error
        return record_to_article(record, "<stdin>", None, options, fallback_id="stdin")
    return _text_article("stdin", text, "<stdin>", None, options)


def _text_article(article_id: str, text: str, source: str, line: int | None, options: ReaderOptions,
                  **meta: str | None) -> Article:
    article = Article.from_text(article_id, text, separator=options.paragraph_sep, **meta)
    if not article.paragraphs:
        raise InputError(source, f"article {article_id!r} has no text", line)
    return article


def _too_large(size: int, options: ReaderOptions) -> str:
    return (f"article is {size / 1e6:.1f} MB, over the {options.max_article_bytes / 1e6:.1f} MB limit "
            "(raise it with --max-article-mb)")


def _binary_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        yield from enumerate(handle, start=1)


def _read_jsonl(path: Path, options: ReaderOptions) -> Iterator[Article]:
    source = str(path)
    for number, raw in _binary_lines(path):
        if not raw.strip():
            continue
        try:
            if len(raw) > options.max_article_bytes:
                raise InputError(source, _too_large(len(raw), options), number)
            try:
                record = json.loads(_decode(raw, source, number))
            except json.JSONDecodeError as error:
                raise InputError(source, f"malformed JSON: {error.msg} (column {error.colno})", number) from error
            yield record_to_article(record, source, number, options, fallback_id=f"{path.stem}-{number}")
        except InputError as error:
            if not options.skip_bad:
                raise
            _skip(error, options)


def _read_csv(path: Path, options: ReaderOptions) -> Iterator[Article]:
    source = str(path)
    csv.field_size_limit(max(options.max_article_bytes * 2, 1 << 20))
    handle = _DecodedLines(path, source)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        reader = csv.DictReader(handle, delimiter=delimiter)
        if not reader.fieldnames:
            raise InputError(source, "no header row", 1)
        while True:
            start = handle.line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise InputError(source, f"malformed CSV: {error}", start) from error
            try:
                if None in row:
                    raise InputError(source, f"row has {len(reader.fieldnames) + len(row[None])} fields, "
                                             f"header has {len(reader.fieldnames)}", start)
                yield record_to_article(row, source, start, options, fallback_id=f"{path.stem}-{start}")
            except InputError as error:
                if not options.skip_bad:
                    raise
                _skip(error, options)
    finally:
        handle.close()


class _DecodedLines:
    """Lines of a file decoded one at a time, so a bad byte is reported with its line number."""

    def __init__(self, path: Path, source: str) -> None:
        self._handle: IO[bytes] = path.open("rb")
        self._source = source
        self.line = 0

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = self._handle.readline()
        if not raw:
            raise StopIteration
        self.line += 1
        return _decode(raw, self._source, self.line)

    def close(self) -> None:
        self._handle.close()


def record_to_article(record: object, source: str, line: int | None, options: ReaderOptions,
                      fallback_id: str) -> Article:
    """Map one JSON object or CSV row onto an Article, naming the record on any problem."""
    if not isinstance(record, Mapping):
        raise InputError(source, f"expected a JSON object, got {type(record).__name__}", line)
    keys = list(record.keys())
    text_key = options.field_for("text", keys)
    if text_key is None or text_key not in record:
        wanted = options.text_field or "/".join(FIELD_ALIASES["text"])
        raise InputError(source, f"missing text field ({wanted}); fields present: {', '.join(map(str, keys))}", line)
    text = record[text_key]
    if not isinstance(text, str):
        raise InputError(source, f"field {text_key!r} must be a string, got {type(text).__name__}", line)
    if len(text.encode("utf-8", "surrogatepass")) > options.max_article_bytes:
        raise InputError(source, _too_large(len(text.encode("utf-8", "surrogatepass")), options), line)
    id_key = options.field_for("id", keys)
    if options.id_field is not None and id_key not in record:
        raise InputError(source, f"missing id field {options.id_field!r}", line)
    raw_id = record.get(id_key) if id_key is not None else None
    article_id = str(raw_id).strip() if raw_id not in (None, "") else fallback_id
    meta = {role: _optional_str(record, options.field_for(role, keys)) for role in ("title", "outlet", "date", "url")}
    if meta["outlet"] is None and meta["url"]:
        meta["outlet"] = _domain(meta["url"])
    return _text_article(article_id, text, source, line, options, **meta)


def _optional_str(record: Mapping, key: str | None) -> str | None:
    if key is None:
        return None
    value = record.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _domain(url: str) -> str | None:
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return host.removeprefix("www.") if host else None
