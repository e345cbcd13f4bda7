"""The article record every stage passes along.

Paragraphs are kept as the outlet wrote them (original case, punctuation) so that
alignment and diff views can show real text; normalisation happens later, per stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def split_paragraphs(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Split on line breaks (default) or on an explicit separator, dropping blank pieces."""
    pieces = _LINE_BREAKS.split(text) if separator is None else text.split(separator)
    return tuple(p.strip() for p in pieces if p.strip())


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    paragraphs: tuple[str, ...]
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None

    @classmethod
    def from_text(cls, id: str, text: str, *, separator: str | None = None, **meta: str | None) -> Article:
        return cls(id=id, paragraphs=split_paragraphs(text, separator), **meta)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def parsed_date(self) -> datetime | None:
        return parse_date(self.date)


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
