"""`syndicate report` (the HTML report of an archive), `syndicate outlets` (the outlet table) and
`syndicate trace` (where each paragraph of an article came from)."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .. import outlets as outlet_view
from ..archive import Archive
from ..config import ScanConfig
from ..errors import InputError, SyndicateError
from ..index import Index
from ..provenance import scan_composites, trace
from ..provenance import to_text as provenance_text
from ..read import ReaderOptions
from ..scan import ScanResult
from .common import errors_exit_2, stderr, with_reader_options
from .group import app
from .scan import Db, Paths, scan_progress


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
        archive = _open_archive(paths, db, options, stack)
        result = _scan(archive)
        with stderr.status("writing the report…"):
            summary = build_report(result, archive.articles, out,
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
        archive = _open_archive(paths, db, options, stack)
        result = _scan(archive)
        with stderr.status("finding composite articles…"):
            table = outlet_view.outlet_table(result, scan_composites(result, archive.articles))
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
        archive = _open_archive(paths, db, options, stack)
        article = archive.find([article_id]).get(article_id)
        if article is None:
            raise InputError(article_id, f"no article with this id in {archive}")
        with stderr.status("tracing paragraphs…"):
            provenance = trace(article, archive.articles())
    if format is TraceFormat.json:
        sys.stdout.write(json.dumps(provenance.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    Console().print(provenance_text(provenance))


def _open_archive(paths: list[str] | None, db: str | None, options: ReaderOptions, stack: ExitStack) -> Archive:
    if not paths and db is None:
        raise SyndicateError("nothing to read: give files or directories, or --db INDEX")
    index = stack.enter_context(Index.open(db, create=False)) if db is not None else None
    return Archive(paths or [], options, index)


def _scan(archive: Archive) -> ScanResult:
    """Scan with the index's settings when there is one, drawing progress bars on a terminal."""
    with scan_progress(archive) as progress:
        return archive.scan(archive.index.config if archive.index is not None else ScanConfig(), progress)
