"""The article record every stage passes along, and the one place its fields are stated.

An article is an id, its paragraphs, and the facts it states about itself (:class:`Metadata`:
title, outlet, date, url). Every other place that lists those facts derives the list from
:data:`METADATA`: the readers' field names and ``--*-field`` options, the scan's columns and
report info, the index's stored record, the JSONL writer.

Paragraphs are kept as the outlet wrote them (original case, punctuation) so that
alignment and diff views can show real text; normalisation happens later, per stage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import IO

from .pickling import pickled_as_tuples

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def split_paragraphs(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Split on line breaks (default) or on an explicit separator, dropping blank pieces."""
    pieces = _LINE_BREAKS.split(text) if separator is None else text.split(separator)
    return tuple(p.strip() for p in pieces if p.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """What an article says about itself besides its id and text. Add a field here and every reader,
    writer, option, column and store record carries it."""

    title: str | None = None
    outlet: str | None = None
    """The publisher (a name or a domain); readers fall back to the URL's domain."""
    date: str | None = None
    """As the record gives it, ideally ISO 8601; see :func:`parse_date`."""
    url: str | None = None

    def metadata(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in METADATA}


METADATA: tuple[str, ...] = tuple(field.name for field in fields(Metadata))
"""The metadata field names, in the order records list them."""


@pickled_as_tuples  # a scan's workers send these back by the hundred thousand
@dataclass(frozen=True, slots=True)
class ArticleInfo(Metadata):
    """What a report says about an article besides its id: its metadata, and these."""

    credit: str | None
    words: int
    headline: str
    """The title, or else the first paragraph of five words or more, cut to 100 characters."""
    furniture: tuple[int, ...] = ()
    """The paragraphs the scan found to be page furniture (numbered from 0): left out of every alignment."""

    def furniture_mask(self, paragraphs: int) -> tuple[bool, ...]:
        """Per paragraph of the article: furniture or not."""
        return tuple(index in self.furniture for index in range(paragraphs))


@pickled_as_tuples  # a scan's workers send these back by the hundred thousand
@dataclass(frozen=True, slots=True)
class Article(Metadata):
    id: str
    paragraphs: tuple[str, ...]

    @classmethod
    def from_text(cls, id: str, text: str, *, separator: str | None = None, **meta: str | None) -> Article:
        return cls(id=id, paragraphs=split_paragraphs(text, separator), **meta)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def parsed_date(self) -> datetime | None:
        return parse_date(self.date)


def article_record(article: Article) -> dict[str, object]:
    """The article as a JSON object: ``id``, the metadata fields, and ``paragraphs`` as a list.

    Paragraphs go as a list, not as one text, so that reading the record back gives the same
    paragraphs even where one holds a line break (an archive split with ``--paragraph-sep``).
    The readers take ``paragraphs`` as the text field.
    """
    return {"id": article.id, **article.metadata(), "paragraphs": list(article.paragraphs)}


def article_from_record(record: Mapping[str, object]) -> Article:
    """The article an :func:`article_record` describes (for records this package wrote: an index)."""
    return Article(id=str(record["id"]), paragraphs=tuple(record["paragraphs"]),  # type: ignore[arg-type]
                   **{name: record.get(name) for name in METADATA})  # type: ignore[arg-type]


def write_jsonl(articles: Iterable[Article], handle: IO[str]) -> int:
    """Write one :func:`article_record` a line; returns how many were written. ``read_articles`` reads it back."""
    written = 0
    for article in articles:
        handle.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
        written += 1
    return written


def parse_date(value: str | None) -> datetime | None:
    """An ISO date as an aware datetime (naive ones taken as UTC), or None if absent or unparseable.

    Archives mix "2018-07-15", "2018-07-15T07:54:28-04:00" and "...Z"; an unparseable date is
    treated as unknown rather than as an error, because it only ever ranks a probable source.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
