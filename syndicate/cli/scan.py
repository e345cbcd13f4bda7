"""`syndicate scan`: find the clusters of reused wire text in an archive."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import report
from ..config import ScanConfig
from ..read import read_articles
from ..scan import ScanResult, scan
from . import app
from .common import (
    DateField,
    IdField,
    MaxArticleMb,
    OutletField,
    ParagraphSep,
    SkipBad,
    TextField,
    TitleField,
    UrlField,
    errors_exit_2,
    reader_options,
    stderr,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


DETECTION_PANEL = "Detection"


@app.command("scan")
def scan_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories: .txt, .jsonl, .csv (or - for stdin).")],
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
    id_field: IdField = None,
    text_field: TextField = None,
    title_field: TitleField = None,
    outlet_field: OutletField = None,
    date_field: DateField = None,
    url_field: UrlField = None,
    paragraph_sep: ParagraphSep = None,
    max_article_mb: MaxArticleMb = 10.0,
    skip_bad: SkipBad = False,
) -> None:
    """Find every group of articles that reuse the same wire text, with the evidence."""
    options = reader_options(id_field, text_field, title_field, outlet_field, date_field, url_field,
                             paragraph_sep, max_article_mb, skip_bad)
    config = ScanConfig(copy_threshold=threshold, paragraph_threshold=paragraph_threshold, ngram=ngram)
    with errors_exit_2():
        result = _scan_with_progress(read_articles(paths, options), config)
    _emit(result, format, limit)


def _scan_with_progress(articles, config: ScanConfig) -> ScanResult:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as progress:
        tasks: dict[str, int] = {}
        labels = {"sketch": "reading and signing", "verify": "verifying candidates"}

        def on_progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(labels.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return scan(articles, config, on_progress)


def _emit(result: ScanResult, format: Format, limit: int | None) -> None:
    if format is Format.table:
        Console().print(report.to_table(result, limit))
        return
    text = {Format.json: report.to_json, Format.jsonl: report.to_jsonl, Format.csv: report.to_csv}[format](result)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
