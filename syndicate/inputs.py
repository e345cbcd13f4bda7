"""An archive split into parts that worker processes (or Ray tasks) read on their own.

The driver never parses a record of a file it can split: a JSONL file is cut into byte ranges at
line boundaries (the driver only counts lines, at memory speed, so that every record keeps its line
number for errors and fallback ids); files that cannot be cut safely (CSV, whose quoted fields may
hold line breaks; a plain text file, which is one article) are parts of their own, small ones
grouped. Articles that only exist as Python objects (an iterator handed to ``scan``, standard
input, an index) travel in chunks.

A part is plain data (paths, offsets, options without callbacks, or articles), so it can be sent
to another process or machine. Reading it gives the articles in input order, the records skipped
(with ``skip_bad``) and the error that stopped it, if any, so that the driver reports both in
input order, as a single process would.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from .article import Article
from .errors import InputError
from .read import (
    DIRECTORY_SUFFIXES,
    JSONL_SUFFIXES,
    ReaderOptions,
    _decode,
    _reject_binary,
    _too_large,
    read_articles,
    record_to_article,
)

PART_BYTES = 4 << 20
"""Bytes of JSONL per part: ~4,500 news articles, many parts per worker even for a modest archive."""
PART_ARTICLES = 4096
"""Articles per part when they come as objects (or as small files)."""


@dataclass(frozen=True)
class Archive:
    """Files and directories to scan, with the reader options: the input the driver can split."""

    paths: tuple[str | Path, ...]
    options: ReaderOptions = field(default_factory=ReaderOptions)

    def parts(self, part_bytes: int | None = None, part_articles: int | None = None) -> Iterator[Part]:
        part_bytes, part_articles = part_bytes or PART_BYTES, part_articles or PART_ARTICLES
        options = replace(self.options, on_skip=None)
        small: list[str] = []
        for path in _files(self.paths):
            if path == "-":
                yield from _flush(small, options)
                yield from ArticlesPart.chunks(read_articles(["-"], self.options), part_articles)
            elif Path(path).suffix.lower() in JSONL_SUFFIXES and _size(path) > part_bytes:
                yield from _flush(small, options)
                yield from _jsonl_ranges(path, options, part_bytes)
            else:
                small.append(path)
                if len(small) == part_articles:
                    yield from _flush(small, options)
        yield from _flush(small, options)


def _files(paths: Iterable[str | Path]) -> Iterator[str]:
    """Every file to read, in the order :func:`~syndicate.read.read_articles` reads them."""
    for path in paths:
        if str(path) != "-" and Path(path).is_dir():
            yield from sorted(str(p) for p in Path(path).rglob("*")
                              if p.is_file() and p.suffix.lower() in DIRECTORY_SUFFIXES)
        else:
            yield str(path)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # read as a whole file, which reports the error


def _flush(small: list[str], options: ReaderOptions) -> Iterator[Part]:
    if small:
        yield FilesPart(tuple(small), options)
        small.clear()


def _jsonl_ranges(path: str, options: ReaderOptions, part_bytes: int) -> Iterator[JsonlRange]:
    """Byte ranges of about `part_bytes`, each ending after a line break, with the number of its first line."""
    line = 1
    start = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(part_bytes)
            if not chunk:
                return
            if not chunk.endswith(b"\n"):
                chunk += handle.readline()
            yield JsonlRange(path, start, start + len(chunk), line, options)
            line += chunk.count(b"\n")
            start += len(chunk)


@dataclass(frozen=True)
class ReadResult:
    articles: list[Article]
    skipped: list[InputError]
    error: InputError | None
    """What stopped the part (the articles before it are in ``articles``)."""


class Part:
    """A piece of the input, read where it is processed."""

    def read(self) -> ReadResult:
        skipped: list[InputError] = []
        articles: list[Article] = []
        try:
            for article in self._articles(skipped.append):
                articles.append(article)
        except InputError as error:
            return ReadResult(articles, skipped, error)
        return ReadResult(articles, skipped, None)

    def _articles(self, on_skip) -> Iterator[Article]:
        raise NotImplementedError


@dataclass(frozen=True)
class ArticlesPart(Part):
    articles: tuple[Article, ...]

    @classmethod
    def chunks(cls, articles: Iterable[Article], size: int | None = None) -> Iterator[ArticlesPart]:
        size = size or PART_ARTICLES
        iterator = iter(articles)
        while chunk := tuple(islice(iterator, size)):
            yield cls(chunk)

    def _articles(self, on_skip) -> Iterator[Article]:
        return iter(self.articles)


@dataclass(frozen=True)
class FilesPart(Part):
    paths: tuple[str, ...]
    options: ReaderOptions

    def _articles(self, on_skip) -> Iterator[Article]:
        return read_articles(self.paths, replace(self.options, on_skip=on_skip))


@dataclass(frozen=True)
class JsonlRange(Part):
    """Lines ``start:stop`` (bytes) of a JSONL file, the first of them line number `first_line`."""

    path: str
    start: int
    stop: int
    first_line: int
    options: ReaderOptions

    def _articles(self, on_skip) -> Iterator[Article]:
        """Each line as :func:`~syndicate.read.read_articles` reads a JSONL line (same errors, same ids)."""
        path, options = Path(self.path), self.options
        if self.start == 0:
            try:
                _reject_binary(path)
            except InputError as error:
                if not options.skip_bad:
                    raise
                on_skip(error)
                return
        with path.open("rb") as handle:
            handle.seek(self.start)
            lines = io.BytesIO(handle.read(self.stop - self.start))  # split as a file is: on b"\n", kept
        for number, raw in enumerate(lines, start=self.first_line):
            if not raw.strip():
                continue
            try:
                if len(raw) > options.max_article_bytes:
                    raise InputError(self.path, _too_large(len(raw), options), number)
                try:
                    record = json.loads(_decode(raw, self.path, number))
                except json.JSONDecodeError as error:
                    raise InputError(self.path, f"malformed JSON: {error.msg} (column {error.colno})",
                                     number) from error
                yield record_to_article(record, self.path, number, options, fallback_id=f"{path.stem}-{number}")
            except InputError as error:
                if not options.skip_bad:
                    raise
                on_skip(error)
