"""Readers: turn files into a stream of Articles without holding the archive in memory.

Inputs, by suffix (or ``input_format``, which standard input and unknown suffixes need):

* ``txt``: one article per file, id = file name without extension;
* ``jsonl`` (``.jsonl``/``.ndjson``/``.json``): one JSON object a line;
* ``csv``/``tsv``: a header row, then one article a row;
* ``html`` (``.html``/``.htm``): one page, its main text extracted with trafilatura;
* ``warc`` (``.warc``/``.warc.gz``): every HTML response in a web archive, extracted the same way;
* a directory: every file above below it, in name order (other files are not articles);
* ``-``: standard input, streamed; its format is sniffed when unambiguous.

Text is UTF-8, or UTF-16/32 with a byte-order mark; anything else is detected (charset-normalizer)
or forced with ``encoding``, and a file read in another encoding is reported through ``on_notice``.

Nothing goes through silently wrong: a record that cannot be read, a field name no record has, an
id used twice, an id that is neither a string nor an integer, an input that yields no article, a
NUL byte anywhere, a CSV quote left open, all raise :class:`InputError` naming the input and line
(or, with ``skip_bad``, are reported to ``on_skip`` and passed over, records only).
"""

from __future__ import annotations

import codecs
import csv
import importlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import accumulate, chain
from pathlib import Path
from types import ModuleType
from typing import IO
from urllib.parse import urlsplit

import numpy as np

from .article import METADATA, Article, split_paragraphs
from .errors import InputError, SyndicateError

ROLES: tuple[str, ...] = ("id", "text", *METADATA)
"""What a record field can hold: each has a ``--ROLE-field`` option."""

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "doc_id", "docid", "guid", "uuid", "newid"),
    "text": ("text", "body", "content", "article", "full_text", "story", "paragraphs"),
    "title": ("title", "headline", "heading"),
    "outlet": ("outlet", "publisher", "source", "site", "domain", "publication", "media"),
    "date": ("date", "published", "published_at", "publish_date", "pubdate", "datetime", "scrape_time",
             "timestamp", "time"),
    "url": ("url", "link", "href", "permalink"),
}  # fmt: skip
"""Field names recognised without options, most specific first."""
assert tuple(FIELD_ALIASES) == ROLES, "every role has its aliases"


class InputFormat(StrEnum):
    txt = "txt"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    html = "html"
    warc = "warc"


SUFFIXES: dict[str, InputFormat] = {
    ".txt": InputFormat.txt, ".jsonl": InputFormat.jsonl, ".ndjson": InputFormat.jsonl, ".json": InputFormat.jsonl,
    ".csv": InputFormat.csv, ".tsv": InputFormat.tsv, ".html": InputFormat.html, ".htm": InputFormat.html,
    ".warc": InputFormat.warc, ".warc.gz": InputFormat.warc,
}  # fmt: skip
DIRECTORY_SUFFIXES = frozenset(SUFFIXES) - {".json"}
"""A directory holds articles and often other things (labels.json, notes): only these are read from it."""

DETECTION_SAMPLE = 1 << 20
"""Bytes the encoding detector sees: the first line that is not UTF-8 and what follows it."""
PREFERRED_LEGACY = "cp1252"
PREFERENCE_MARGIN = 0.1
"""charset-normalizer ranks code pages by how chaotic their decoding looks; on a short text several look
alike (a French cp1252 text came out as cp1257, 0.08 apart). Among the candidates within this margin of
the best, Windows-1252, the legacy encoding of Western European text (and what browsers assume), wins."""
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_WIDE_CHUNK = 1 << 16


@dataclass(frozen=True)
class ReaderOptions:
    """How to read records: field names (None = recognise automatically), formats, encodings and limits."""

    fields: Mapping[str, str] = field(default_factory=dict)
    """Record field per role (see ROLES), where the automatic choice would be wrong."""
    paragraph_sep: str | None = None
    max_article_bytes: int = 10 * 1024 * 1024
    skip_bad: bool = False
    encoding: str | None = None
    """Decode every input with this codec instead of UTF-8 or detection."""
    input_format: InputFormat | None = None
    """Format of standard input (sniffed when None) and of files whose suffix says nothing."""
    stdin_id: str | None = None
    """The id of a plain-text article on standard input (required: there is no file name to take it from)."""
    on_skip: Callable[[InputError], None] | None = field(default=None, compare=False)
    on_notice: Callable[[str], None] | None = field(default=None, compare=False)
    """Told what a user should know that is not an error (a file read as cp1252, pages with no text)."""
    _keys_by_fields: dict[tuple[str, ...], dict[str, str | None]] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.fields) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown field roles {sorted(unknown)}; roles are {', '.join(ROLES)}")
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise SyndicateError(f"unknown encoding {self.encoding!r} for --encoding (Python's codec names: "
                                     "utf-8, cp1252, latin-1, utf-16…)") from None

    def field_for(self, role: str, keys: Iterable[str]) -> str | None:
        """The record key that plays `role`: the explicit option if given, else the first alias present."""
        return self.keys_for(tuple(keys))[role]

    def keys_for(self, keys: tuple[str, ...]) -> dict[str, str | None]:
        """The record key of every role, for records with these keys (worked out once per set of keys: the
        records of one file nearly always share theirs)."""
        known = self._keys_by_fields.get(keys)
        if known is None:
            lowered = {str(k).lower(): k for k in keys}
            known = {role: self.fields.get(role) or next((lowered[a] for a in FIELD_ALIASES[role] if a in lowered),
                                                         None) for role in ROLES}
            if len(self._keys_by_fields) < 64:
                self._keys_by_fields[keys] = known
        return known

    def notice(self, message: str) -> None:
        if self.on_notice is not None:
            self.on_notice(message)


class ArticleStream(Iterator[Article]):
    """The articles of every input in order, with how far through the input bytes the reading is.

    ``bytes_total`` is the size of the input files (None when standard input is among them), so a
    progress bar can show a total while the archive streams; ``bytes_read`` is what was consumed.
    """

    def __init__(self, paths: Iterable[str | Path], options: ReaderOptions) -> None:
        self._paths = [str(p) if str(p) == "-" else Path(p) for p in paths]
        self._options = options
        self._done_bytes = 0
        self._current: _Stream | None = None
        self._listings = {path: _Listing.of(path) for path in self._paths if isinstance(path, Path) and path.is_dir()}
        self._articles = self._read()
        self._started = False
        self._ranges = _RangeLedger()
        self.bytes_total: int | None = None if "-" in self._paths else sum(
            self._listings[path].size if path in self._listings else _size(path)
            for path in self._paths if isinstance(path, Path))

    @property
    def reading_stdin(self) -> bool:
        """Whether the last article came from standard input."""
        return self._current is not None and self._current.source == "<stdin>"

    @property
    def bytes_read(self) -> int:
        return self._done_bytes + (self._current.consumed if self._current else 0)

    def __next__(self) -> Article:
        self._started = True
        return next(self._articles)

    # --- read by workers: byte ranges of JSONL files, accounted for here in input order ---

    def ranges(self, part_bytes: int | Callable[[int], int]) -> Iterator[ByteRange] | None:
        """The inputs cut into byte ranges of whole lines, about `part_bytes` each (or, given a function, about
        `part_bytes(bytes not yet cut)` for each next range), for workers to read
        (:func:`read_range`) and this stream to account for in order (:meth:`settle`): where every input is a
        non-empty JSONL file (or a directory whose article files are all such) in UTF-8 without a byte-order
        mark, and no ``encoding`` is forced. None otherwise, or once the stream has been read here: it is then
        read in order, as an iterator.

        Only the driver's newline count (for line numbers) reads every byte; the workers decode, parse and
        build the articles. The result is the stream's exactly: the same articles, ids, line numbers, errors
        and skipped records, in the same order."""
        if self._started or self._options.encoding is not None or "-" in self._paths:
            return None
        files: list[tuple[int, Path]] = []
        for argument, path in enumerate(self._paths):
            assert isinstance(path, Path)
            listing = self._listings.get(path)
            if listing is not None:
                if not listing.articles or listing.mostly_other_files():
                    return None
                files += [(argument, child) for child in listing.articles]
            else:
                files.append((argument, path))
        for _, path in files:
            format = _format_of(path) or self._options.input_format
            if format is not InputFormat.jsonl or not path.is_file() or _size(path) == 0:
                return None
            try:
                with path.open("rb") as handle:
                    bom = _bom_encoding(handle.read(4))
            except OSError:
                return None
            if bom is not None:  # the stream decodes a file with a byte-order mark as a whole (_wide_lines)
                return None
        self._started = True
        return _byte_ranges(files, part_bytes)

    @property
    def worker_options(self) -> ReaderOptions:
        """The options a worker reads a range with: these, less the callbacks (which stay here)."""
        return replace(self._options, on_skip=None, on_notice=None)

    def settle(self, read: RangeRead) -> bool:
        """Account for a range a worker read, as reading here would have, in input order: report its skipped
        records, reject an id used before (with its file and line), raise its error or pass over the rest of
        its file (with ``skip_bad``), check the fields named by options once a file ends, and that every input
        yielded an article. True when the range's articles are kept; False for a range of a file whose reading
        ended earlier. :class:`ReadHere` when the range cannot be taken as it was read (see there)."""
        part, ledger, options = read.part, self._ranges, self._options
        self._done_bytes += part.stop - part.start
        kept = part.file not in ledger.ended
        if kept:
            if read.not_utf8:
                raise ReadHere(f"{part.path}: a line is not UTF-8")
            fresh = set(read.ids)
            if read.skipped or len(fresh) < len(read.ids) or not ledger.seen.isdisjoint(fresh):
                events = sorted([(error.line or 0, error) for error in read.skipped] +
                                list(zip(read.lines, read.ids, strict=True)), key=lambda event: event[0])
            else:  # nothing to report in order: the range's ids, all new, are taken in one set operation
                events = []
                ledger.seen |= fresh
            for line, event in events:
                if isinstance(event, InputError):
                    ledger.skip(event, options)
                elif event in ledger.seen:
                    if options.skip_bad:
                        raise ReadHere(f"{part.path}:{line}: an id used twice is passed over")
                    raise InputError(part.path, _used_twice(event), line)
                else:
                    ledger.seen.add(event)
            ledger.found[part.argument] = ledger.found.get(part.argument, 0) + len(read.ids)
            ledger.keys.setdefault(part.file, set()).update(read.keys_seen)
            if read.error is not None:
                ledger.end_file(part.file, read.error, options)
            elif part.ends_file:
                try:
                    _require_fields(ledger.keys.pop(part.file), part.path, None, options, every_record=False)
                except InputError as error:
                    ledger.end_file(part.file, error, options)
        if part.ends_argument and not ledger.found.get(part.argument):
            raise InputError(str(self._paths[part.argument]), self._nothing_read(self._paths[part.argument]))
        return kept

    def read_here(self) -> ArticleStream:
        """This stream, started over to be read here in order (after :class:`ReadHere`); the records already
        reported skipped are not reported again."""
        already, report = self._ranges.skips, self._options.on_skip

        def skip_once(error: InputError) -> None:
            nonlocal already
            if already:
                already -= 1
            elif report is not None:
                report(error)

        self._options = replace(self._options, on_skip=skip_once)
        self._done_bytes, self._current, self._ranges = 0, None, _RangeLedger()
        self._articles = self._read()
        self._started = True
        return self

    def _nothing_read(self, path: str | Path) -> str:
        return (self._listings[path].nothing_read() if path in self._listings else
                "no readable article" + (" (every record was skipped)" if self._options.skip_bad else ""))

    def _read(self) -> Iterator[Article]:
        options = self._options
        seen: set[str] = set()
        for path in self._paths:
            found = 0
            for item in self._records(path):
                if item.article.id in seen:
                    error = InputError(item.source, _used_twice(item.article.id), item.line)
                    if not options.skip_bad:
                        raise error
                    _skip(error, options)
                    continue
                seen.add(item.article.id)
                found += 1
                yield item.article
            if not found:
                raise InputError("<stdin>" if path == "-" else str(path), self._nothing_read(path))

    def _records(self, path: str | Path) -> Iterator[_Read]:
        if path == "-":
            yield from self._guarded(lambda: _read_stdin(self._open_stdin(), self._options))
            return
        assert isinstance(path, Path)
        if path.is_dir():
            listing = self._listings[path]
            if listing.mostly_other_files():
                self._options.notice(listing.note())
            for child in listing.articles:
                yield from self._guarded(lambda child=child: self._read_file(child, _format_of(child)))
        elif path.exists():
            yield from self._guarded(lambda: self._read_file(path, _format_of(path) or self._options.input_format))
        else:
            raise InputError(str(path), "no such file or directory")

    def _guarded(self, make: Callable[[], Iterator[_Read]]) -> Iterator[_Read]:
        """Apply the skip-bad policy to whole-file failures (record failures are handled by the readers)."""
        try:
            yield from make()
        except InputError as error:
            if not self._options.skip_bad:
                raise
            _skip(error, self._options)
        finally:
            if self._current is not None:
                self._done_bytes += self._current.consumed
                self._current = None

    def _open_stdin(self) -> _Stream:
        self._current = _Stream(sys.stdin.buffer, "<stdin>")
        return self._current

    def _read_file(self, path: Path, format: InputFormat | None) -> Iterator[_Read]:
        if format is None:
            raise InputError(str(path), f"unknown file type {path.suffix or '(no suffix)'!r}: name it "
                                        f"{', '.join(sorted(DIRECTORY_SUFFIXES))}, or give --input-format")
        try:
            handle = path.open("rb")
        except OSError as error:
            raise InputError(str(path), f"cannot read: {error.strerror or error}") from error
        with handle:
            if path.stat().st_size == 0:
                raise InputError(str(path), "empty file")
            self._current = _Stream(handle, str(path))
            yield from READERS[format](self._current, path.stem, self._options)


def read_articles(paths: Iterable[str | Path], options: ReaderOptions | None = None) -> ArticleStream:
    """Stream the articles in every path, in order (see the module docstring)."""
    return ArticleStream(paths, options or ReaderOptions())


@dataclass(frozen=True, slots=True)
class _Read:
    """An article with where it was read, for errors found after the reader (a repeated id)."""

    article: Article
    source: str
    line: int | None


def _skip(error: InputError, options: ReaderOptions) -> None:
    if options.on_skip is not None:
        options.on_skip(error)


def _used_twice(article_id: str) -> str:
    return f"article id {article_id!r} is used twice (ids must be unique across the inputs of one run)"


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()


def _format_of(path: Path) -> InputFormat | None:
    return SUFFIXES.get(_suffix(path))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass(frozen=True)
class _Listing:
    """A directory, walked once: its article files in name order, their size, and what else it holds."""

    path: Path
    articles: list[Path]
    size: int
    others: Counter[str]
    """Suffixes of the files that are not articles (hidden files aside), with their counts."""

    @classmethod
    def of(cls, path: Path) -> _Listing:
        files = [p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")]
        articles = sorted(p for p in files if _suffix(p) in DIRECTORY_SUFFIXES)
        others = Counter(_suffix(p) or "(no suffix)" for p in files if _suffix(p) not in DIRECTORY_SUFFIXES)
        return cls(path, articles, sum(map(_size, articles)), others)

    def mostly_other_files(self) -> bool:
        """Reuters' 22 .sgm files beside six .txt lists: probably not what the user meant to read."""
        return bool(self.articles) and sum(self.others.values()) > len(self.articles)

    def note(self) -> str:
        return (f"{self.path}: read {len(self.articles)} article file{'s' if len(self.articles) > 1 else ''}, "
                f"left out {self._describe()} (not an article format)")

    def nothing_read(self) -> str:
        if self.articles:
            return "no readable article"
        return (f"no article files in this directory (it reads {', '.join(sorted(DIRECTORY_SUFFIXES))}; "
                f"found {self._describe()})")

    def _describe(self) -> str:
        return ", ".join(f"{count} {suffix}" for suffix, count in self.others.most_common(5)) or "nothing"


def _too_large(size: int | None, options: ReaderOptions) -> str:
    """`size` None: more than the limit, how much more unknown (the rest was not read)."""
    size_text = "more than that" if size is None else f"{size / 1e6:.1f} MB"
    return (f"article is {size_text}, over the {options.max_article_bytes / 1e6:.1f} MB limit "
            "(raise it with --max-article-mb)").replace("is more than that, over", "is over")


# --- bytes and encodings ---------------------------------------------------------------------------


class _Stream:
    """A binary input read by lines or whole, with bytes pushed back (after a look ahead) and a count
    of the bytes consumed."""

    def __init__(self, handle: IO[bytes], source: str) -> None:
        self._handle = handle
        self.source = source
        self._pending = b""
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        if self._pending and (size < 0 or size > len(self._pending)):
            data = self._pending + self._handle.read(-1 if size < 0 else size - len(self._pending))
            self._pending = b""
        elif self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
        else:
            data = self._handle.read(size)
        self.consumed += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        """One line, of at most `limit` bytes (a longer one comes back cut at `limit`)."""
        if self._pending:
            end = self._pending.find(b"\n", 0, limit)
            if end >= 0 or len(self._pending) >= limit:
                cut = end + 1 if end >= 0 else limit
                line, self._pending = self._pending[:cut], self._pending[cut:]
            else:
                line = self._pending + self._handle.readline(limit - len(self._pending))
                self._pending = b""
        else:
            line = self._handle.readline(limit)
        self.consumed += len(line)
        return line

    def unread(self, data: bytes) -> None:
        self._pending = data + self._pending
        self.consumed -= len(data)


def _bom_encoding(head: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)


def _ascii_compatible(encoding: str) -> bool:
    try:
        return "a\n".encode(encoding) == b"a\n"
    except (UnicodeError, LookupError):
        return False


def _codec_name(encoding: str) -> str:
    return codecs.lookup(encoding).name


def detect_encoding(sample: bytes, source: str, line: int | None = None) -> str:
    """The encoding of text that is not UTF-8, by charset-normalizer (see PREFERENCE_MARGIN)."""
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        raise InputError(source, "not UTF-8, and no text encoding fits it (binary?); force one with --encoding",
                         line)
    plausible = {_codec_name(name) for m in matches if m.chaos <= best.chaos + PREFERENCE_MARGIN
                 for name in m.could_be_from_charset}  # codecs that decode the sample to the same text are listed once
    chosen = PREFERRED_LEGACY if PREFERRED_LEGACY in plausible else _codec_name(best.encoding)
    if not _ascii_compatible(chosen):
        raise InputError(source, f"not UTF-8, and looks like {chosen}, which cannot be read line by line; "
                                 "force the encoding with --encoding", line)
    return chosen


def _decode_whole(raw: bytes, source: str, options: ReaderOptions, declared: str | None = None) -> str:
    """A whole document's text: a BOM's encoding, else --encoding, else the declared one, else UTF-8, else detected."""
    bom = _bom_encoding(raw)
    encoding = bom or options.encoding or declared
    if encoding is None or _ascii_compatible(encoding):
        _reject_nul(b"\x00" in raw, source, None)
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise InputError(source, f"not valid {encoding}: {error}") from error
        _reject_nul("\x00" in text, source, None)
        if _codec_name(encoding) not in ("utf-8", "utf-8-sig") and not bom:
            options.notice(f"{source}: read as {_codec_name(encoding)}")
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        chosen = detect_encoding(raw[:DETECTION_SAMPLE], source)
        try:
            text = raw.decode(chosen)
        except UnicodeDecodeError:
            raise InputError(source, f"not valid UTF-8 (byte {error.start}), nor {chosen}; force an encoding "
                                     "with --encoding") from error
        options.notice(f"{source}: not UTF-8, read as {chosen} (detected; force another with --encoding)")
        return text


def _reject_nul(found: bool, source: str, line: int | None) -> None:
    if found:
        raise InputError(source, "binary file (contains NUL bytes), not text", line)


def _decoded_lines(stream: _Stream, options: ReaderOptions) -> Iterator[tuple[int, str]]:
    """Numbered text lines of a stream: UTF-8 (or a BOM's or --encoding's codec); at the first line that is not
    UTF-8, the codec is detected from what follows and used for the rest (the lines before were ASCII, the
    same in either). Lines longer than the article limit and NUL bytes anywhere are errors."""
    source, limit = stream.source, options.max_article_bytes
    head = stream.read(4)
    stream.unread(head)
    forced = _bom_encoding(head) or options.encoding
    if forced is not None and not _ascii_compatible(forced):
        yield from _wide_lines(stream, forced, options)
        return
    codec = forced or "utf-8-sig"
    all_ascii = True
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        _check_line(line, source, number, options)
        try:
            text = line.decode(codec)
        except UnicodeDecodeError as error:
            if forced is not None:
                raise InputError(source, f"not valid {forced} (byte {error.start} of the line)", number) from error
            if not all_ascii:
                raise InputError(source, f"not valid UTF-8 (byte {error.start} of the line), though earlier lines "
                                         "are: the file mixes encodings", number) from error
            ahead = stream.read(DETECTION_SAMPLE)
            stream.unread(ahead)
            codec = detect_encoding(line + ahead, source, number)
            options.notice(f"{source}: not UTF-8 from line {number}, read as {codec} (detected; force another with "
                           "--encoding)")
            try:
                text = line.decode(codec)
            except UnicodeDecodeError:
                raise InputError(source, f"not valid UTF-8 (byte {error.start} of the line), nor {codec}", number
                                 ) from error
        if codec == "utf-8-sig" and number == 1:
            codec = "utf-8"
        all_ascii = all_ascii and line.isascii()
        yield number, text


def _check_line(line: bytes, source: str, number: int, options: ReaderOptions) -> None:
    """A line read as ``readline(limit + 1)`` reads it: an error if it is longer than the article limit or holds a
    NUL byte."""
    if len(line) > options.max_article_bytes:
        raise InputError(source, _too_large(len(line), options), number)
    _reject_nul(b"\x00" in line, source, number)


def _wide_lines(stream: _Stream, encoding: str, options: ReaderOptions) -> Iterator[tuple[int, str]]:
    """Lines of UTF-16/32 text (a NUL is then a decoded character, not a byte)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    source, pending, number = stream.source, "", 0
    while True:
        chunk = stream.read(_WIDE_CHUNK)
        try:
            pending += decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise InputError(source, f"not valid {encoding}: {error.reason}", number + 1) from error
        *lines, pending = pending.split("\n")  # only on "\n", as byte lines are: JSON may hold U+2028
        lines = [line + "\n" for line in lines] + ([pending] if not chunk and pending else [])
        for line in lines:
            number += 1
            _reject_nul("\x00" in line, source, number)
            if len(line) > options.max_article_bytes:
                raise InputError(source, _too_large(len(line), options), number)
            yield number, line
        if not chunk:
            return


# --- formats ---------------------------------------------------------------------------------------


def _read_txt(stream: _Stream, stem: str, options: ReaderOptions) -> Iterator[_Read]:
    raw = stream.read(options.max_article_bytes + 1)
    if len(raw) > options.max_article_bytes:
        raise InputError(stream.source, _too_large(None, options))
    text = _decode_whole(raw, stream.source, options)
    yield _Read(_text_article(stem, text, stream.source, None, options), stream.source, None)


def _read_jsonl(stream: _Stream, stem: str, options: ReaderOptions) -> Iterator[_Read]:
    source = stream.source
    keys_seen: set[str] = set()
    for number, line in _decoded_lines(stream, options):
        if not line.strip():
            continue
        try:
            yield _Read(_jsonl_article(line, source, number, stem, options, keys_seen), source, number)
        except InputError as error:
            if not options.skip_bad:
                raise
            _skip(error, options)
    _require_fields(keys_seen, source, None, options, every_record=False)


def _jsonl_article(line: str, source: str, number: int, stem: str, options: ReaderOptions,
                   keys_seen: set[str]) -> Article:
    """The article on a JSONL line (the fields it has are added to `keys_seen`)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(source, f"malformed JSON: {error.msg} (column {error.colno})", number) from error
    if isinstance(record, Mapping):
        keys_seen.update(map(str, record))
    return record_to_article(record, source, number, options, fallback_id=f"{stem}-{number}")


def _read_csv(stream: _Stream, stem: str, options: ReaderOptions, delimiter: str = ",") -> Iterator[_Read]:
    source = stream.source
    csv.field_size_limit(max(options.max_article_bytes * 2, 1 << 20))
    lines = _NumberedLines(_decoded_lines(stream, options))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(source, "no header row", 1) from None
    except csv.Error as error:
        raise InputError(source, f"malformed CSV header: {error}", 1) from error
    _require_fields(set(header), source, 1, options, every_record=True)
    while True:
        start = lines.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = ("a quoted field is never closed" if "unexpected end of data" in str(error) else str(error))
            raise InputError(source, f"malformed CSV: {reason} (the row starting here)", start) from error
        if not row:
            continue
        try:
            if len(row) != len(header):
                raise InputError(source, f"row has {len(row)} fields, header has {len(header)}", start)
            yield _Read(record_to_article(dict(zip(header, row, strict=True)), source, start, options,
                                          fallback_id=f"{stem}-{start}"), source, start)
        except InputError as error:
            if not options.skip_bad:
                raise
            _skip(error, options)


def _read_tsv(stream: _Stream, stem: str, options: ReaderOptions) -> Iterator[_Read]:
    return _read_csv(stream, stem, options, delimiter="\t")


class _NumberedLines:
    """Decoded lines for the csv module, remembering the number of the last one it took."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.number = 0

    def __iter__(self) -> _NumberedLines:
        return self

    def __next__(self) -> str:
        self.number, text = next(self._lines)
        return text


def _require_fields(keys: set[str], source: str, line: int | None, options: ReaderOptions,
                    every_record: bool) -> None:
    """Every field named by an option must exist (in the header, or in some record of the file)."""
    missing = [(role, name) for role, name in options.fields.items() if name not in keys]
    if every_record and "text" not in options.fields and options.field_for("text", keys) is None:
        missing.append(("text", "/".join(FIELD_ALIASES["text"])))
    if missing:
        role, name = missing[0]
        where = " in this record" if every_record and line and line > 1 else "" if every_record else " in any record"
        raise InputError(source, f"no field {name!r} (for --{role}-field){where}; fields present: "
                                 f"{', '.join(sorted(keys)) or 'none'}", line)


def _read_html(stream: _Stream, stem: str, options: ReaderOptions) -> Iterator[_Read]:
    raw = stream.read(options.max_article_bytes + 1)
    if len(raw) > options.max_article_bytes:
        raise InputError(stream.source, _too_large(None, options))
    page = _decode_whole(raw, stream.source, options)
    article = page_article(page, stem, stream.source, options)
    if article is None:
        raise InputError(stream.source, "no main text found in the page")
    yield _Read(article, stream.source, None)


def _read_warc(stream: _Stream, stem: str, options: ReaderOptions) -> Iterator[_Read]:
    """Every HTML response of a WARC file, extracted like a page; other records are not articles."""
    archiveiterator = _extra("warcio.archiveiterator", "WARC files", stream.source)
    source = stream.source
    without_text = 0
    try:
        for number, record in enumerate(archiveiterator.ArchiveIterator(stream), start=1):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if record.http_headers.get_statuscode() != "200" or "html" not in content_type.lower():
                continue
            where = f"{source} record {number}"
            try:
                raw = record.content_stream().read(options.max_article_bytes + 1)
                if len(raw) > options.max_article_bytes:
                    raise InputError(where, _too_large(None, options))
                declared = _charset(content_type)
                page = _decode_whole(raw, where, options, declared)
                record_id = (record.rec_headers.get_header("WARC-Record-ID") or f"{stem}-{number}").strip("<>")
                url = record.rec_headers.get_header("WARC-Target-URI")
                article = page_article(page, record_id.removeprefix("urn:uuid:"), where, options, url)
            except InputError as error:
                if not options.skip_bad:
                    raise
                _skip(error, options)
                continue
            if article is None:
                without_text += 1
                continue
            yield _Read(article, where, None)
    except (ValueError, OSError, EOFError) as error:  # warcio's errors for a damaged archive
        raise InputError(source, f"not a readable WARC file: {error}") from error
    if without_text:
        options.notice(f"{source}: {without_text} HTML page{'s' if without_text > 1 else ''} with no main text "
                       "(not articles) left out")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip("\"' ")).name
            except LookupError:
                return None
    return None


def page_article(page: str, article_id: str, source: str, options: ReaderOptions,
                 url: str | None = None) -> Article | None:
    """A news page's main text as an Article, or None when the page has none (a section front, a login page).

    Extraction is trafilatura's: it drops navigation, headers, footers, sidebars and comments, and
    gives one line per block of the page (paragraph, list item, heading), which become the
    paragraphs; title, date, site name and canonical URL come from the page's metadata.
    """
    trafilatura = _extra("trafilatura", "HTML pages", source)
    document = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                           include_images=False, include_tables=True, deduplicate=False)
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        return None
    meta = {"title": document.title, "date": document.date, "url": url or document.url,
            "outlet": document.sitename or document.hostname}
    meta = {name: value.strip() if isinstance(value, str) and value.strip() else None for name, value in meta.items()}
    # The page's blocks are its paragraphs, one a line, whatever --paragraph-sep says about other inputs.
    return Article.from_text(article_id, text, **_outlet_from_url(meta))


def _extra(module: str, what: str, source: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(source, f"reading {what} needs the 'html' extra: pip install 'syndicate[html]'") from None


READERS: dict[InputFormat, Callable[[_Stream, str, ReaderOptions], Iterator[_Read]]] = {
    InputFormat.txt: _read_txt, InputFormat.jsonl: _read_jsonl, InputFormat.csv: _read_csv,
    InputFormat.tsv: _read_tsv, InputFormat.html: _read_html, InputFormat.warc: _read_warc,
}


# --- JSONL files by byte ranges, read in workers ---------------------------------------------------


class ReadHere(Exception):
    """A range that cannot be taken as a worker read it: a line that is not UTF-8 (the stream detects the file's
    encoding from that line on, or finds the file mixes encodings), or an id used twice under ``skip_bad`` (the
    stream passes the second over; the worker has sketched it). The caller reads the stream here instead
    (:meth:`ArticleStream.read_here`); not an input error."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Whole lines of a JSONL file: bytes [start, stop), the first of them line `first_line`."""

    path: str
    stem: str
    """The file name without its suffix: records without an id are called STEM-LINE."""
    start: int
    stop: int
    first_line: int
    file: int
    """Which file of the inputs' it is, counting from 0 (a file given twice is read twice)."""
    argument: int
    """Which of the stream's inputs the file is (or is in)."""
    ends_file: bool
    ends_argument: bool


@dataclass
class RangeRead:
    """What reading a range found, besides its articles: all the stream needs to account for it in order."""

    part: ByteRange
    ids: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """Per article: its line."""
    skipped: list[InputError] = field(default_factory=list)
    error: InputError | None = None
    """The error the reading stopped at: a record's (without ``skip_bad``) or a line's (too long, a NUL byte);
    with ``skip_bad`` the rest of the file is then passed over, as the stream does."""
    keys_seen: set[str] = field(default_factory=set)
    not_utf8: bool = False
    """The reading stopped at a line that is not UTF-8 (see ReadHere)."""


@dataclass
class _RangeLedger:
    """What the stream has accounted for of the ranges read so far."""

    seen: set[str] = field(default_factory=set)
    found: dict[int, int] = field(default_factory=dict)
    """Per input: articles read."""
    keys: dict[int, set[str]] = field(default_factory=dict)
    """Per file (its number): the fields its records have had so far."""
    ended: set[int] = field(default_factory=set)
    """Files whose reading ended on an error passed over (``skip_bad``)."""
    skips: int = 0

    def skip(self, error: InputError, options: ReaderOptions) -> None:
        self.skips += 1
        _skip(error, options)

    def end_file(self, file: int, error: InputError, options: ReaderOptions) -> None:
        if not options.skip_bad:
            raise error
        self.ended.add(file)
        self.keys.pop(file, None)
        self.skip(error, options)


def _byte_ranges(files: list[tuple[int, Path]], part_bytes: int | Callable[[int], int]) -> Iterator[ByteRange]:
    """Each file cut after the last newline of every `part_bytes` (see ArticleStream.ranges), counting lines on the
    way."""
    size_of = part_bytes if callable(part_bytes) else lambda remaining: part_bytes
    ends = list(accumulate(_size(path) for _, path in reversed(files)))[::-1]  # bytes from each file's start on
    for number, (argument, path) in enumerate(files):
        last_of_argument = number + 1 == len(files) or files[number + 1][0] != argument
        held: tuple[int, int, int] | None = None  # each range goes out once the next is found (or the file ends)
        for cut in chain(_cuts(path, lambda position, left=ends[number]: size_of(left - position)), [None]):
            if held is not None:
                start, stop, first_line = held
                yield ByteRange(str(path), path.stem, start, stop, first_line, number, argument, cut is None,
                                cut is None and last_of_argument)
            held = cut


NEWLINE = ord("\n")


def _cuts(path: Path, part_bytes: Callable[[int], int]) -> Iterator[tuple[int, int, int]]:
    """(start, stop, first line) of each range: cut after the last newline of every read, of `part_bytes(its
    position)` bytes (a line longer than that makes a longer range). Holds one read at a time, however long a line
    is."""
    start, first_line, position = 0, 1, 0
    buffer = bytearray()
    with path.open("rb") as handle:
        while True:
            wanted = max(1, part_bytes(position))
            if len(buffer) < wanted:
                buffer = bytearray(wanted)
            read = handle.readinto(memoryview(buffer)[:wanted])
            if not read:
                break
            last = buffer.rfind(b"\n", 0, read)
            if last >= 0:  # (a read with no newline adds none to count)
                yield start, position + last + 1, first_line
                # numpy counts in the read buffer: a third of the time of bytes.count on a copy (RESULTS §31)
                first_line += int(np.count_nonzero(np.frombuffer(buffer, np.uint8, read) == NEWLINE))
                start = position + last + 1
            position += read
    if position > start:
        yield start, position, first_line


def read_range(part: ByteRange, options: ReaderOptions) -> tuple[list[Article], RangeRead]:
    """The articles of a range, and what the reading found (see RangeRead): line for line what the stream reads
    from a UTF-8 JSONL file, stopping where the stream would stop or detect another encoding."""
    read, articles = RangeRead(part), []
    limit, source = options.max_article_bytes, part.path
    with open(part.path, "rb") as handle:
        handle.seek(part.start)
        for number, raw in enumerate(_lines_until(handle, part.stop - part.start, limit), start=part.first_line):
            try:
                _check_line(raw, source, number, options)
            except InputError as error:
                read.error = error
                break
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                read.not_utf8 = True
                break
            if not line.strip():
                continue
            try:
                article = _jsonl_article(line, source, number, part.stem, options, read.keys_seen)
            except InputError as error:
                if not options.skip_bad:
                    read.error = error
                    break
                read.skipped.append(error)
                continue
            articles.append(article)
            read.ids.append(article.id)
            read.lines.append(number)
    return articles, read


def _lines_until(handle: IO[bytes], size: int, limit: int) -> Iterator[bytes]:
    """The lines of the next `size` bytes, each with its newline, read up to `limit` + 1 bytes at a time (a longer
    line comes back cut there, and is the last: the reader stops at it)."""
    while size > 0:
        raw = handle.readline(min(limit + 1, size))
        if not raw:
            return
        size -= len(raw)
        yield raw


# --- standard input --------------------------------------------------------------------------------


def _read_stdin(stream: _Stream, options: ReaderOptions) -> Iterator[_Read]:
    """Standard input in the format given, or the one its first line shows; see sniff_format."""
    format = options.input_format
    if format is None:
        head = b""
        while line := stream.readline(options.max_article_bytes + 1):
            head += line
            if line.strip(b"\r\n\t \x00\xef\xbb\xbf\xff\xfe"):  # past blank lines (and a BOM)
                break
        stream.unread(head)
        if not head.strip():
            raise InputError(stream.source, "empty input")
        bom = _bom_encoding(head)
        _reject_nul(b"\x00" in head and (bom is None or _ascii_compatible(bom)), stream.source, None)
        format = sniff_format(_sniff_text(head), options)
    if options.stdin_id is not None and format not in (InputFormat.txt, InputFormat.html):
        raise InputError(stream.source, f"--id names a plain-text article, but standard input is {format} "
                                        "(give --input-format txt to read it as plain text)")
    if format in (InputFormat.txt, InputFormat.html) and options.stdin_id is None:
        raise InputError(stream.source, f"{'plain text' if format is InputFormat.txt else 'a page'} on standard "
                                        "input needs an id: give --id ID (or --input-format if it is not "
                                        f"{format})")
    if format is InputFormat.jsonl:
        yield from _read_json_stdin(stream, options)
    elif format in (InputFormat.txt, InputFormat.html):
        yield from READERS[format](stream, options.stdin_id or "stdin", options)
    else:
        yield from READERS[format](stream, "stdin", options)


def _sniff_text(head: bytes) -> str:
    bom = _bom_encoding(head)
    return head.decode(bom or "utf-8", errors="replace").lstrip("\ufeff")


def sniff_format(first_line: str, options: ReaderOptions) -> InputFormat:
    """What standard input holds, from its first line: a JSON object → jsonl; ``<`` and an HTML tag → html;
    a header row naming the text field (comma- or tab-separated) → csv/tsv; otherwise plain text. JSON
    that is not an object is an error: it cannot be read as articles, nor taken for plain text."""
    stripped = first_line.strip()
    if stripped.startswith("{"):
        return InputFormat.jsonl
    if stripped.startswith("["):
        raise InputError("<stdin>", "standard input is a JSON array, not JSON objects: give one object per line "
                                    "(JSONL), or --input-format txt if it is plain text")
    if stripped[:15].lower().startswith(("<!doctype html", "<html")):
        return InputFormat.html
    for delimiter, format in (("\t", InputFormat.tsv), (",", InputFormat.csv)):
        if delimiter in stripped:
            header = next(csv.reader([stripped], delimiter=delimiter))
            text_field = options.fields.get("text")
            if (text_field in header) if text_field else options.field_for("text", header) is not None:
                return format
    return InputFormat.txt


def _read_json_stdin(stream: _Stream, options: ReaderOptions) -> Iterator[_Read]:
    """JSON lines, or one JSON object spread over several lines (a pretty-printed record)."""
    head = stream.readline(options.max_article_bytes + 1)
    first = head.lstrip()
    stream.unread(head)
    try:
        json.loads(_sniff_text(first))
    except json.JSONDecodeError:
        raw = stream.read(options.max_article_bytes + 1)
        if len(raw) > options.max_article_bytes:
            raise InputError(stream.source, _too_large(None, options)) from None
        text = _decode_whole(raw, stream.source, options)
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(stream.source, f"malformed JSON: {error.msg}", error.lineno) from error
        _require_fields(set(map(str, record)) if isinstance(record, Mapping) else set(), stream.source, None,
                        options, every_record=False)
        yield _Read(record_to_article(record, stream.source, None, options, fallback_id="stdin"), stream.source, None)
        return
    yield from _read_jsonl(stream, "stdin", options)


# --- records ---------------------------------------------------------------------------------------


def record_to_article(record: object, source: str, line: int | None, options: ReaderOptions,
                      fallback_id: str) -> Article:
    """Map one JSON object or CSV row onto an Article, naming the record on any problem."""
    if not isinstance(record, Mapping):
        raise InputError(source, f"expected a JSON object, got {_json_type(record)}", line)
    keys = tuple(map(str, record))
    for role in ("id", "text"):  # the fields every record must have, when an option names them
        if role in options.fields and options.fields[role] not in record:
            _require_fields(set(keys), source, line, options, every_record=True)
    roles = options.keys_for(keys)
    text_key = roles["text"]
    if text_key is None:
        raise InputError(source, f"missing text field ({'/'.join(FIELD_ALIASES['text'])}); fields present: "
                                 f"{', '.join(keys)}", line)
    paragraphs = _paragraphs(record[text_key], text_key, source, line, options)
    article_id = _article_id(record, roles["id"], source, line, options) or fallback_id
    meta = {role: _optional_str(record, roles[role], source, line) for role in METADATA}
    article = Article(id=article_id, paragraphs=paragraphs, **_outlet_from_url(meta))
    if not article.paragraphs:
        raise InputError(source, f"article {article_id!r} has no text", line)
    return article


def _paragraphs(value: object, key: str, source: str, line: int | None, options: ReaderOptions) -> tuple[str, ...]:
    """The text field: a string (split into paragraphs) or a list of paragraph strings (taken as they are)."""
    if isinstance(value, str):
        size = len(value.encode("utf-8", "surrogatepass"))
        pieces = split_paragraphs(value, options.paragraph_sep)
    elif isinstance(value, list) and all(isinstance(piece, str) for piece in value):
        size = sum(len(piece.encode("utf-8", "surrogatepass")) for piece in value)
        pieces = tuple(piece.strip() for piece in value if piece.strip())
    else:
        raise InputError(source, f"field {key!r} must be a string or a list of strings, got {_json_type(value)}",
                         line)
    if size > options.max_article_bytes:
        raise InputError(source, _too_large(size, options), line)
    return pieces


def _article_id(record: Mapping, key: str | None, source: str, line: int | None,
                options: ReaderOptions) -> str | None:
    """The record's id as a string: strings as written (trimmed), integers in decimal, so 1 and "1" are one id.
    None when the record has none (the reader then numbers it); anything else is an error, never a repr."""
    explicit = options.fields.get("id")
    value = record.get(key) if key is not None else None
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if explicit is not None:
            raise InputError(source, f"id field {explicit!r} is empty", line)
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(source, f"id {key!r} must be a string or an integer, got {_json_type(value)}", line)
    return str(value)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer",
             float: "a number", type(None): "null"}
    return next((name for kind, name in names.items() if type(value) is kind), type(value).__name__)


def _text_article(article_id: str, text: str, source: str, line: int | None, options: ReaderOptions,
                  **meta: str | None) -> Article:
    article = Article.from_text(article_id, text, separator=options.paragraph_sep, **meta)
    if not article.paragraphs:
        raise InputError(source, f"article {article_id!r} has no text", line)
    return article


def _optional_str(record: Mapping, key: str | None, source: str, line: int | None) -> str | None:
    if key is None:
        return None
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(source, f"field {key!r} must be a string or a number, got {_json_type(value)}", line)
    value = str(value).strip()
    return value or None


def _outlet_from_url(meta: dict[str, str | None]) -> dict[str, str | None]:
    """The metadata, with the URL's domain as the outlet when none is given."""
    if meta["outlet"] is None and meta["url"]:
        host = urlsplit(meta["url"] if "//" in meta["url"] else f"//{meta['url']}").hostname
        meta["outlet"] = host.removeprefix("www.") if host else None
    return meta


__all__: Sequence[str] = ["ArticleStream", "ByteRange", "InputFormat", "RangeRead", "ReadHere", "ReaderOptions",
                          "detect_encoding", "page_article", "read_articles", "read_range", "record_to_article",
                          "sniff_format"]
