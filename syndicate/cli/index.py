"""`syndicate index add|stats|check|remove` and the pre-ingest hook `syndicate check`.

Exit codes of `check`: the worst verdict of the articles checked: 0 new, 1 duplicate or already
indexed, 2 error (bad input, an index that cannot be read, an id conflict). Input is read and
validated before the index is opened, so bad input never changes (or creates) an index.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from itertools import chain
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..article import Article
from ..errors import InputError
from ..index import AddReport, IdConflictError, Index, Verdict
from ..index.index import ALREADY_INDEXED, DEFAULT_BATCH, DUPLICATE, NEW
from ..read import ReaderOptions, read_articles
from .common import errors_exit_2, stderr, with_reader_options
from .group import app

index_app = typer.Typer(name="index", help="Build and inspect a persistent index (SQLite file or Redis).",
                        no_args_is_help=True)
app.add_typer(index_app)

EXIT_NEW, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
VERDICT_EXIT = {NEW: EXIT_NEW, DUPLICATE: EXIT_FOUND, ALREADY_INDEXED: EXIT_FOUND, "error": EXIT_ERROR}


class Format(StrEnum):
    text = "text"
    json = "json"


Db = Annotated[str, typer.Option("--db", help="The index: a SQLite file, or redis://HOST:PORT/DB[?namespace=NAME].")]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
Replace = Annotated[bool, typer.Option("--replace/--no-replace",
                                       help="Replace an indexed article given again with different text "
                                            "(otherwise that is an error).")]
Paths = Annotated[list[str], typer.Argument(metavar="PATH",
                                            help="Files or directories: .txt, .jsonl, .csv (or - for stdin).")]


@index_app.command("add")
@with_reader_options
def add_command(
    paths: Paths,
    db: Db,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Articles per transaction.")] = DEFAULT_BATCH,
    replace: Replace = False,
    format: OutputFormat = Format.text,
    *,
    options: ReaderOptions,
) -> None:
    """Add articles to the index (created if missing). An id already indexed with the same text is skipped;
    with different text it is an error unless --replace. With --format json, one line per committed batch."""
    json_out = format is Format.json
    report = AddReport()
    with errors_exit_2(json_errors=json_out):
        articles = read_articles(paths, options)
        first = next(articles, None)  # bad input fails here, before an index is created or opened
        if first is None:
            raise InputError(", ".join(paths), "no articles found")
        with Index.open(db) as index, _progress() as progress:
            task = progress.add_task("indexing", total=None)

            def on_batch(done: AddReport) -> None:
                nonlocal report
                report = done
                progress.update(task, completed=done.committed)
                if json_out:
                    _print_json({"committed": done.committed, "added": done.added,
                                 "already_indexed": done.already_indexed})

            try:
                index.add_many(chain([first], articles), batch_size, on_batch, replace=replace)
            finally:
                summary = {**report.to_dict(), "articles": len(index), "index": index.location}
                if json_out:
                    _print_json({"done": True, **summary})
                else:
                    replaced = f", {len(report.replaced)} replaced" if report.replaced else ""
                    stderr.print(f"{report.added} articles added, {report.already_indexed} already indexed"
                                 f"{replaced}; {index.location} holds {summary['articles']}", highlight=False,
                                 soft_wrap=True)
                    for article_id in report.replaced:
                        stderr.print(f"replaced: {article_id}", markup=False, highlight=False)


@index_app.command("stats")
def stats_command(db: Db, format: OutputFormat = Format.text) -> None:
    """Size and parameters of an index."""
    with errors_exit_2(json_errors=format is Format.json), Index.open(db, create=False) as index:
        stats = index.stats()
    if format is Format.json:
        _print_json(stats)
    else:
        for name, value in stats.items():
            print(f"{name:24} {value}")


@index_app.command("check")
def integrity_command(
    db: Db,
    deep: Annotated[bool, typer.Option("--deep/--no-deep", help="Also run the backend's own full check (SQLite's "
                                                                "integrity_check; Redis: every bucket entry).")] = True,
    format: OutputFormat = Format.text,
) -> None:
    """Integrity check: exit 0 when sound, 1 listing the problems found, 2 when the index cannot be opened."""
    with errors_exit_2(json_errors=format is Format.json), Index.open(db, create=False) as index:
        problems = index.integrity_problems(full=deep)
        count = len(index)
    if format is Format.json:
        _print_json({"ok": not problems, "articles": count, "problems": problems})
    elif problems:
        for problem in problems:
            print(f"problem: {problem}")
    else:
        print(f"ok: {count} articles")
    if problems:
        raise typer.Exit(EXIT_FOUND)


@index_app.command("remove")
def remove_command(ids: Annotated[list[str], typer.Argument(help="Article ids.")], db: Db,
                   format: OutputFormat = Format.text) -> None:
    """Remove articles by id, in one transaction (exit 1 if some were not in the index)."""
    with errors_exit_2(json_errors=format is Format.json), Index.open(db, create=False) as index:
        missing = index.remove_many(ids)
    if format is Format.json:
        _print_json({"removed": [i for i in dict.fromkeys(ids) if i not in missing], "missing": missing})
    else:
        for article_id in missing:
            stderr.print(f"not in the index: {article_id}", markup=False, highlight=False)
    if missing:
        raise typer.Exit(EXIT_FOUND)


@app.command("check")
@with_reader_options
def check_command(
    paths: Annotated[list[str], typer.Argument(
        metavar="PATH", help="Articles: files, directories, .jsonl/.csv archives, or - for stdin (plain text "
                                "or one JSON object with id/text/title/outlet/date/url).")],
    db: Db,
    add_if_new: Annotated[bool, typer.Option("--add-if-new/--no-add-if-new",
                                             help="Add each article that is new (atomic with its check).")] = False,
    replace: Replace = False,
    format: OutputFormat = Format.text,
    *,
    options: ReaderOptions,
) -> None:
    """Pre-ingest hook: one verdict per article; exit 0 if all are new, 1 if some duplicate or already indexed,
    2 on any error."""
    json_out = format is Format.json
    worst = EXIT_NEW
    with errors_exit_2(json_errors=json_out):
        articles = _read_all(paths, options)
        with Index.open(db, create=add_if_new) as index:
            if add_if_new:
                for article in articles:  # each check and add sees the adds before it
                    try:
                        verdict = index.check_and_add(article, replace=replace)
                    except IdConflictError as error:
                        _print_error_verdict(article.id, str(error), json_out)
                        worst = EXIT_ERROR
                        continue
                    _print_verdict(verdict, json_out)
                    worst = max(worst, VERDICT_EXIT[verdict.verdict])
            else:
                for verdict in index.check_many(articles):  # checks only read: in batches, by every idle core
                    _print_verdict(verdict, json_out)
                    worst = max(worst, VERDICT_EXIT[verdict.verdict])
    raise typer.Exit(worst)


def _read_all(paths: Iterable[str], options: ReaderOptions) -> list[Article]:
    """Every article of the input, read (and so validated: the reader refuses an id used twice) before the index
    is opened."""
    articles = list(read_articles(paths, options))
    if not articles:
        raise InputError(", ".join(paths), "no articles found")
    return articles


def _print_verdict(verdict: Verdict, json_out: bool) -> None:
    if json_out:
        _print_json(verdict.to_dict())
        return
    added = " (added)" if verdict.added else ""
    print(f"{verdict.verdict}: {verdict.id}{added}")
    for match in verdict.matches:
        about = " · ".join(filter(None, (match.outlet, match.date, match.title)))
        print(f"  {match.kind} of {match.id}{f' ({about})' if about else ''}: {match.new_in_match:.0%} of this "
              f"article is in it, {match.match_in_new:.0%} of it is in this one")


def _print_error_verdict(article_id: str, message: str, json_out: bool) -> None:
    if json_out:
        _print_json({"id": article_id, "verdict": "error", "error": message})
    else:
        print(f"error: {article_id}: {message}")


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} articles"),
                    TimeElapsedColumn(), console=stderr, transient=True, disable=not stderr.is_terminal)

