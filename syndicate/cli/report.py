"""`syndicate report` (the HTML report of an archive), `syndicate outlets` (the outlet table) and
`syndicate trace` (where each paragraph of an article came from)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .. import outlets as outlet_view
from ..article import Article
from ..config import ScanConfig
from ..errors import InputError, SyndicateError
from ..index import Index
from ..provenance import scan_composites, trace
from ..provenance import to_text as provenance_text
from ..read import ReaderOptions, read_articles
from . import app
from .common import errors_exit_2, stderr, with_reader_options
from .scan import _scan_with_progress

Paths = Annotated[list[Path] | None, typer.Argument(
    help="Files or directories: .txt, .jsonl, .csv (or - for stdin), as for scan.")]
Db = Annotated[str | None, typer.Option("--db", help="Also read the articles of this index (SQLite file or "
                                                     "redis:// URL).")]


class OutletFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


class TraceFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("report")
@with_reader_options
def report_command(
    paths: Paths = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the report to (created; an earlier "
                                                          "report there is replaced).", file_okay=False)] = Path(
        "syndicate-report"),
    db: Db = None,
    *,
    options: ReaderOptions,
) -> None:
    """Write a static HTML report of the archive: overview, outlets, one page per cluster and per composite article.

    Example: syndicate report archive.csv --paragraph-sep ' ### ' --out report/ && open report/index.html
    """
    from ..html import build_report

    with errors_exit_2(), ExitStack() as stack:
        archive, config = _open_archive(paths, db, options, stack)
        result = _scan_with_progress(archive(), config)
        with stderr.status("writing the report…"):
            summary = build_report(result, archive, out,
                                   inputs=[str(p) for p in paths or []] + (["an index"] if db else []))
    stderr.print(f"wrote the report to {summary.out}/ (pages: {summary.pages}, clusters: {summary.clusters}, "
                 f"composite articles: {summary.composites}); open {summary.out / 'index.html'}",
                 markup=False, highlight=False, soft_wrap=True)


@app.command("outlets")
@with_reader_options
def outlets_command(
    paths: Paths = None,
    db: Db = None,
    format: Annotated[OutletFormat, typer.Option("--format", "-f", help="Output format.")] = OutletFormat.text,
    *,
    options: ReaderOptions,
) -> None:
    """Per outlet: articles, how many reuse wire copy, and the share of its words from each agency's copy.

    Example: syndicate outlets archive.csv --paragraph-sep ' ### ' --format csv > outlets.csv
    """
    with errors_exit_2(), ExitStack() as stack:
        archive, config = _open_archive(paths, db, options, stack)
        result = _scan_with_progress(archive(), config)
        with stderr.status("finding composite articles…"):
            table = outlet_view.outlet_table(result, scan_composites(result, archive))
    if format is OutletFormat.text:
        Console().print(outlet_view.to_text(table))
        return
    text = outlet_view.to_json(table) if format is OutletFormat.json else outlet_view.to_csv(table)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("trace")
@with_reader_options
def trace_command(
    article_id: Annotated[str, typer.Option("--article", help="Id of the article to trace.")],
    paths: Paths = None,
    db: Db = None,
    format: Annotated[TraceFormat, typer.Option("--format", "-f", help="Output format.")] = TraceFormat.text,
    *,
    options: ReaderOptions,
) -> None:
    """Where each paragraph of an article came from: the article holding its text, or own reporting.

    Example: syndicate trace archive/ --article 20180716-ap-summit --format json
    """
    with errors_exit_2(), ExitStack() as stack:
        archive, _ = _open_archive(paths, db, options, stack)
        article = next((a for a in archive() if a.id == article_id), None)
        if article is None:
            raise InputError(article_id, f"no article with this id in {archive.names()}")
        with stderr.status("tracing paragraphs…"):
            provenance = trace(article, archive())
    if format is TraceFormat.json:
        sys.stdout.write(json.dumps(provenance.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    Console().print(provenance_text(provenance))


class _Archive:
    """The archive as something to read several times: files are read again (standard input is read
    once and kept), then the index's articles. Records skipped on the first pass are reported once."""

    def __init__(self, paths: list[Path], options: ReaderOptions, index: Index | None) -> None:
        self.paths, self.options, self.index = paths, options, index
        self.passes = 0
        self.kept = list(read_articles(paths, options)) if any(str(p) == "-" for p in paths) else None

    def __call__(self) -> Iterator[Article]:
        options = self.options if self.passes == 0 and self.kept is None else replace(self.options, on_skip=None)
        self.passes += 1
        own = iter(self.kept) if self.kept is not None else read_articles(self.paths, options)
        return chain(own, self.index.articles() if self.index is not None else ())

    def names(self) -> str:
        return ", ".join([str(p) for p in self.paths] + (["the index"] if self.index is not None else []))


def _open_archive(paths: list[Path] | None, db: str | None, options: ReaderOptions,
                  stack: ExitStack) -> tuple[_Archive, ScanConfig | None]:
    """The archive, and the scan settings (the index's, when there is one)."""
    if not paths and db is None:
        raise SyndicateError("nothing to read: give files or directories, or --db INDEX")
    index = stack.enter_context(Index.open(db, create=False)) if db is not None else None
    return _Archive(paths or [], options, index), (index.config if index is not None else None)
