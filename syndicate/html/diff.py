"""A side-by-side diff as data for a page, built from an alignment's records (op, paragraphs, word ops).

Each row is one record of the alignment: the source's paragraphs, the copy's, and what happened
between them; each side is its paragraphs as written, cut into runs of kept and changed words.
Templates only lay these out, so a change in the alignment's units changes this module alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..align import Alignment, Token
from ..article import Article
from ..diffview import OP_LABELS


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int
    """From 1, as the terminal view numbers paragraphs."""
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Row:
    op: str
    label: str
    similarity: float | None
    source: tuple[Paragraph, ...]
    copy: tuple[Paragraph, ...]


def diff_rows(alignment: Alignment) -> list[Row]:
    """One row per record of the alignment, in reading order."""
    rows = []
    for pair in alignment.pairs:
        changed = [w for w in pair.words if w.op != "equal"]
        rows.append(Row(
            op=pair.op, label=OP_LABELS.get(pair.op, pair.op),
            similarity=pair.similarity if pair.op != "same" else None,
            source=_side(alignment.source, pair.source_paragraphs, pair.source_tokens,
                         [(w.source_start, w.source_end) for w in changed], pair.matched),
            copy=_side(alignment.copy, pair.copy_paragraphs, pair.copy_tokens,
                       [(w.copy_start, w.copy_end) for w in changed], pair.matched),
        ))
    return rows


def _side(article: Article, paragraphs: tuple[int, ...], tokens: Sequence[Token],
          changed: list[tuple[int, int]], matched: bool) -> tuple[Paragraph, ...]:
    """Each paragraph of one side as written: unmatched ones changed whole, matched ones in runs.

    The runs are the word ops' token ranges on this side (contiguous ones joined), cut where a
    range crosses from one paragraph into the next: work per change, not per word.
    """
    if not matched:
        return tuple(Paragraph(i + 1, (Segment(article.paragraphs[i], True),)) for i in paragraphs)
    spans: dict[int, list[tuple[int, int]]] = {i: [] for i in paragraphs}
    for start, end in _joined(changed):
        while start < end:
            paragraph = tokens[start].paragraph
            last = start
            while last + 1 < end and tokens[last + 1].paragraph == paragraph:
                last += 1
            spans[paragraph].append((tokens[start].start, tokens[last].end))
            start = last + 1
    out = []
    for index in paragraphs:
        text = article.paragraphs[index]
        segments: list[Segment] = []
        cursor = 0
        for start, end in spans[index]:
            if start > cursor:
                segments.append(Segment(text[cursor:start], False))
            segments.append(Segment(text[start:end], True))
            cursor = end
        if cursor < len(text) or not segments:
            segments.append(Segment(text[cursor:], False))
        out.append(Paragraph(index + 1, tuple(segments)))
    return tuple(out)


def _joined(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-empty token ranges in order, each joined with the next when they touch."""
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        if start == end:
            continue
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
