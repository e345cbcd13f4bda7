"""`syndicate scan`: find the clusters of reused wire text in an archive."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import report
from ..archive import Archive
from ..config import ScanConfig
from ..engine import make_engine
from ..errors import SyndicateError
from ..index import Index
from ..read import ReaderOptions
from ..report import plural
from ..scan import ProgressCallback, ScanResult
from .common import errors_exit_2, stderr, with_reader_options
from .group import app


class Format(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


DETECTION_PANEL = "Detection"
RUN_PANEL = "Running the scan"


class EngineName(StrEnum):
    local = "local"
    ray = "ray"

Paths = Annotated[list[str] | None, typer.Argument(
    metavar="PATH...", help="Files or directories: .txt .jsonl .csv .tsv .html .warc(.gz), or - for standard input.",
    show_default=False)]
Db = Annotated[str | None, typer.Option(
    "--db", metavar="PATH_OR_REDIS_URL", help="An index (SQLite file or redis://HOST:PORT/DB) whose articles are "
                                              "read too, after PATH...")]


@app.command("scan")
@with_reader_options
def scan_command(
    paths: Paths = None,
    db: Db = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    threshold: Annotated[float, typer.Option("--threshold", min=0.01, max=1.0, rich_help_panel=DETECTION_PANEL,
                                             help="Copy threshold: share of the smaller article found in the other.")
                         ] = ScanConfig.copy_threshold,
    paragraph_threshold: Annotated[float, typer.Option("--paragraph-threshold", min=0.05, max=1.0,
                                                       rich_help_panel=DETECTION_PANEL,
                                                       help="Paragraph Jaccard the LSH is tuned to catch.")
                                   ] = ScanConfig.paragraph_threshold,
    ngram: Annotated[int, typer.Option("--ngram", min=1, max=12, rich_help_panel=DETECTION_PANEL,
                                       help="Words per shingle.")] = ScanConfig.ngram,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Text format: show at most this many clusters.")
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
    """Find every group of articles that reuse the same wire text, with the evidence.

    Example: syndicate scan seeds/ --format json
    """
    config = ScanConfig(copy_threshold=threshold, paragraph_threshold=paragraph_threshold, ngram=ngram,
                        window_days=window)
    with errors_exit_2(format is not Format.text), ExitStack() as stack:
        if address is not None and engine is not EngineName.ray:
            raise SyndicateError("--address is for --engine ray")
        index = stack.enter_context(Index.open(db, config, create=False)) if db is not None else None
        archive = Archive(paths or [], options, index)
        runner = make_engine(engine.value, workers, address)
        stack.callback(runner.close)
        with scan_progress(archive) as progress:
            result = archive.scan(config, progress, engine=runner, spill=spill, spill_dir=spill_dir)
    _emit(result, format, limit)


@contextmanager
def scan_progress(archive: Archive) -> Iterator[ProgressCallback]:
    """A progress callback for scanning the archive, drawing bars on stderr when it is a terminal: reading and
    signing (in bytes of the input files, when they are known), then verification (in candidate pairs)."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int | None) -> None:
            stream = archive.stream
            if stage == "sketch" and stream is not None and stream.bytes_total:
                megabytes = f"{stream.bytes_read / 1e6:,.1f} of {stream.bytes_total / 1e6:,.1f} MB"
                amount = f"{plural(done, 'article')} · {megabytes}"
                done, total = stream.bytes_read, stream.bytes_total  # in bytes, so the bar has a total
            else:
                amount = f"{done:,} of {total:,}" if total else f"{done:,}"
            label = {"sketch": "reading and signing", "verify": "verifying candidate pairs"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total, amount=amount)
            progress.update(tasks[stage], completed=done, total=total, amount=amount)

        yield on_progress


def _emit(result: ScanResult, format: Format, limit: int | None) -> None:
    if format is Format.text:
        console = Console()
        console.print(report.to_table(result, limit, console.width))
        return
    writers: dict[Format, Callable[[ScanResult], str]] = {Format.json: report.to_json, Format.jsonl: report.to_jsonl,
                                                          Format.csv: report.to_csv}
    text = writers[format](result)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
