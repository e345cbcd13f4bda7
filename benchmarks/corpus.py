"""The corpus a benchmark runs on: Reuters-21578 by default, any readable archive by path, or a
synthetic stand-in when neither is there (so the benchmarks run on a fresh clone)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from syndicate import Article, read_articles

from . import reuters, synthetic


@dataclass(frozen=True)
class Corpus:
    name: str
    articles: list[Article]

    @property
    def texts(self) -> list[str]:
        """Each article as one document (paragraphs joined): the unit the signing benchmark signs."""
        return [" ".join(article.paragraphs) for article in self.articles]

    @property
    def megabytes(self) -> float:
        return sum(len(p.encode()) for a in self.articles for p in a.paragraphs) / 1e6


def load(path: Path | None = None, limit: int | None = None) -> Corpus:
    """Reuters-21578 (or the archive at `path`), first `limit` articles; synthetic if Reuters is absent."""
    name, articles = stream(path, limit)
    return Corpus(name=name, articles=list(articles))


def stream(path: Path | None = None, limit: int | None = None) -> tuple[str, Iterator[Article]]:
    """As :func:`load`, but the articles are read as they are consumed."""
    if path is None and reuters.available():
        articles, name = reuters.read_reuters(), "reuters21578"
    elif path is None:
        articles, name = synthetic.zipf_articles(limit or 5000), "synthetic-zipf (Reuters-21578 not found)"
    elif path.is_dir() and reuters.available(path):
        articles, name = reuters.read_reuters(path), f"reuters21578 ({path})"
    else:
        articles, name = read_articles([path]), str(path)
    return name, islice(articles, limit)
