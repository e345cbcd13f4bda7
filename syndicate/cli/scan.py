"""`syndicate scan`: find the clusters of reused wire text in an archive."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import ExitStack
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import report
from ..article import Article
from ..config import ScanConfig
from ..engine import Engine, make_engine
from ..errors import SyndicateError
from ..index import Index
from ..inputs import Archive
from ..read import ReaderOptions, read_articles
from ..scan import ScanResult, scan
from . import app
from .common import errors_exit_2, stderr, with_reader_options


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


DETECTION_PANEL = "Detection"
RUN_PANEL = "Running the scan"


class EngineName(StrEnum):
    local = "local"
    ray = "ray"


@app.command("scan")
@with_reader_options
def scan_command(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files or directories: .txt, .jsonl, .csv (or - for stdin).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Also scan the articles of this index (SQLite file or "
                                                        "redis:// URL).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    threshold: Annotated[float, typer.Option("--threshold", min=0.01, max=1.0, rich_help_panel=DETECTION_PANEL,
                                             help="Copy threshold: share of the smaller article found in the other.")
                         ] = ScanConfig.copy_threshold,
    paragraph_threshold: Annotated[float, typer.Option("--paragraph-threshold", min=0.05, max=1.0,
                                                       rich_help_panel=DETECTION_PANEL,
                                                       help="Paragraph Jaccard the LSH is tuned to catch.")
                                   ] = ScanConfig.paragraph_threshold,
    ngram: Annotated[int, typer.Option("--ngram", min=1, max=12, rich_help_panel=DETECTION_PANEL,
                                       help="Words per shingle.")] = ScanConfig.ngram,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Table view: show at most this many clusters.")
                     ] = None,
    window: Annotated[float | None, typer.Option("--window", min=0.001, rich_help_panel=DETECTION_PANEL,
                                                 help="Only pair articles dated within this many days of each "
                                                      "other (undated ones meet all).")] = None,
    engine: Annotated[EngineName, typer.Option("--engine", rich_help_panel=RUN_PANEL,
                                               help="Where the scan runs: local processes, or Ray.")
                      ] = EngineName.local,
    address: Annotated[str | None, typer.Option("--address", rich_help_panel=RUN_PANEL,
                                                help="Ray cluster to join (auto, or ray://HOST:10001); default: "
                                                     "start Ray on this machine.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, rich_help_panel=RUN_PANEL,
                                                help="Worker processes (default: one per idle core).")] = None,
    spill: Annotated[bool | None, typer.Option("--spill/--no-spill", rich_help_panel=RUN_PANEL,
                                               help="Keep the largest arrays on disk (default: once they would "
                                                    "take half the available memory).")] = None,
    spill_dir: Annotated[Path | None, typer.Option("--spill-dir", rich_help_panel=RUN_PANEL,
                                                   help="Where spilled arrays go (default: $TMPDIR).")] = None,
    *,
    options: ReaderOptions,
) -> None:
    """Find every group of articles that reuse the same wire text, with the evidence."""
    config = ScanConfig(copy_threshold=threshold, paragraph_threshold=paragraph_threshold, ngram=ngram,
                        window_days=window)
    with errors_exit_2(), ExitStack() as stack:
        if not paths and db is None:
            raise SyndicateError("nothing to scan: give files or directories, or --db INDEX")
        if address is not None and engine is not EngineName.ray:
            raise SyndicateError("--address is for --engine ray")
        articles: Iterable[Article] | Archive = Archive(tuple(paths or []), options)
        if db is not None:
            articles = chain(read_articles(paths or [], options),
                             stack.enter_context(Index.open(db, config, create=False)).articles())
        runner = make_engine(engine.value, workers, address)
        stack.callback(runner.close)
        result = _scan_with_progress(articles, config, runner, spill, spill_dir)
    _emit(result, format, limit)


def _scan_with_progress(articles: Iterable[Article] | Archive, config: ScanConfig, engine: Engine,
                        spill: bool | None, spill_dir: Path | None) -> ScanResult:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as progress:
        tasks: dict[str, int] = {}
        labels = {"sketch": "reading and signing", "verify": "verifying candidates"}

        def on_progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(labels.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return scan(articles, config, on_progress, engine=engine, spill=spill, spill_dir=spill_dir)


def _emit(result: ScanResult, format: Format, limit: int | None) -> None:
    if format is Format.table:
        Console().print(report.to_table(result, limit))
        return
    text = {Format.json: report.to_json, Format.jsonl: report.to_jsonl, Format.csv: report.to_csv}[format](result)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
