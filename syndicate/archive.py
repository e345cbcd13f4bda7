"""An archive as the commands see it: input paths, an index, or both, read as one stream of articles.

This is where articles are found by id (never by file name: an id that happens to name a file
is still only an id) and a cluster by its number, for ``diff``, ``show`` and any caller of the
Python API.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO

from .article import Article, article_from_record, write_jsonl
from .config import ScanConfig
from .engine import Engine
from .errors import InputError, SyndicateError
from .index import Index
from .read import ArticleStream, ReaderOptions, read_articles
from .report import plural
from .scan import Cluster, ProgressCallback, ScanResult, scan


@dataclass
class Archive:
    """Articles from `paths` (read with `options`), then from `index` when one is given."""

    paths: Sequence[str | Path] = ()
    options: ReaderOptions = field(default_factory=ReaderOptions)
    index: Index | None = None

    def __post_init__(self) -> None:
        if not self.paths and self.index is None:
            raise SyndicateError("no articles to read: give PATH... (files, directories, or - for standard input), "
                                 "or --db INDEX")
        self.stream: ArticleStream | None = None
        """The stream of the last read of `paths`: how many bytes it has read, of how many."""
        self._stdin_copy: IO[str] | None = None
        """Standard input can be read once: its articles are kept in a temporary file for the next reads."""

    def __str__(self) -> str:
        names = [str(path) for path in self.paths] + (["the index"] if self.index is not None else [])
        return ", ".join(names)

    def articles(self) -> Iterator[Article]:
        """Every article, paths first, then the index (as often as asked, standard input included). Files alone
        come as the :class:`~syndicate.read.ArticleStream` itself, whose JSONL a scan's workers read, and an index
        alone as its :class:`~syndicate.index.StoredArticles`."""
        self.stream = None
        if self.index is None and self.paths and "-" not in map(str, self.paths):
            self.stream = read_articles(self.paths, self.options)
            return self.stream
        if self.index is not None and not self.paths:
            return self.index.articles()  # a scan's workers read a SQLite index's rows themselves
        articles = self._read_paths()
        return articles if self.index is None else chain(articles, self.index.articles())

    def _read_paths(self) -> Iterator[Article]:
        if "-" not in map(str, self.paths):
            self.stream = read_articles(self.paths, self.options) if self.paths else None
            yield from self.stream or ()
        elif self._stdin_copy is None:
            self._stdin_copy = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (gone when collected)
            self.stream = read_articles(self.paths, self.options)
            for article in self.stream:
                if self.stream.reading_stdin:
                    write_jsonl([article], self._stdin_copy)
                yield article
        else:
            for path in self.paths:
                if str(path) == "-":
                    self._stdin_copy.seek(0)
                    yield from (article_from_record(json.loads(line)) for line in self._stdin_copy)
                else:
                    yield from read_articles([path], self.options)

    def find(self, ids: Collection[str]) -> dict[str, Article]:
        """The articles with these ids (the index first, then the paths, read until all are found).

        An id missing from both is an InputError naming it and where it was looked for.
        """
        found: dict[str, Article] = {}
        wanted = set(ids)
        if self.index is not None:
            found.update((article_id, self.index.get(article_id)) for article_id in sorted(wanted)
                         if article_id in self.index)
        if len(found) < len(wanted) and self.paths:
            for article in self._read_paths():
                if article.id in wanted and article.id not in found:
                    found[article.id] = article
                    if len(found) == len(wanted):
                        break
        missing = sorted(wanted - set(found))
        if missing:
            raise InputError(missing[0], f"no article with this id in {self}")
        return found

    def first(self, count: int) -> list[Article]:
        """The archive's articles when it holds exactly `count` of them (an error otherwise)."""
        articles = list(islice(self.articles(), count + 1))
        if len(articles) != count:
            held = plural(len(articles), "article") if len(articles) <= count else f"more than {count} articles"
            raise InputError(str(self), f"holds {held}; give exactly {count}, or pick them by id")
        return articles

    def scan(self, config: ScanConfig | None = None, progress: ProgressCallback | None = None, *,
             engine: Engine | None = None, spill: bool | None = None,
             spill_dir: str | Path | None = None) -> ScanResult:
        """Scan every article (with the index's parameters when there is an index); `engine`, `spill` and
        `spill_dir` as :func:`~syndicate.scan.scan` takes them."""
        if config is None and self.index is not None:
            config = self.index.config
        return scan(self.articles(), config, progress, engine=engine, spill=spill, spill_dir=spill_dir)

    def cluster(self, number: int, config: ScanConfig | None = None,
                progress: ProgressCallback | None = None) -> tuple[ScanResult, Cluster]:
        """Scan, and return cluster `number` as ``scan`` numbers it (an error naming the range if absent)."""
        result = self.scan(config, progress)
        for cluster in result.clusters:
            if cluster.id == number:
                return result, cluster
        known = f"clusters 1 to {len(result.clusters)}" if result.clusters else "no clusters"
        raise SyndicateError(f"no cluster {number} in {self} (the scan found {known})")
