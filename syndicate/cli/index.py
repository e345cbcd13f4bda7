"""`syndicate index add|stats|check|remove` and the pre-ingest hook `syndicate check`.

Exit codes of `check`: 0 new, 1 duplicate (a copy of an indexed article), 2 error (bad input,
unreadable index). Input is read and validated before the index is opened, so bad input never
changes (or creates) an index.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..errors import InputError, SyndicateError
from ..index import Index, Verdict
from ..index.index import DEFAULT_BATCH
from ..read import ReaderOptions, read_articles
from ..report import plural
from . import app
from .common import errors_exit_2, stderr, with_reader_options

index_app = typer.Typer(name="index", help="Build and inspect a persistent index (SQLite file or Redis).",
                        no_args_is_help=True)
app.add_typer(index_app)

EXIT_NEW, EXIT_DUPLICATE, EXIT_ERROR = 0, 1, 2


class Format(StrEnum):
    text = "text"
    json = "json"


Db = Annotated[str | None, typer.Option("--db", help="Index: a SQLite file, or a redis://HOST:PORT/DB URL.")]
RedisUrl = Annotated[str | None, typer.Option("--redis", help="Shared index on Redis: redis://HOST:PORT/DB.")]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def index_target(db: str | None, redis: str | None) -> str:
    """The one index a command works on, from --db or --redis."""
    if (db is None) == (redis is None):
        raise SyndicateError("give the index with exactly one of --db PATH or --redis URL")
    return db if db is not None else redis


@index_app.command("add")
@with_reader_options
def add_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories: .txt, .jsonl, .csv (or - for stdin).")],
    db: Db = None,
    redis: RedisUrl = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Articles per transaction.")] = DEFAULT_BATCH,
    *,
    options: ReaderOptions,
) -> None:
    """Add articles to the index (created if missing); an id already indexed is replaced."""
    added = 0
    with errors_exit_2():
        target = index_target(db, redis)
        articles = read_articles(paths, options)
        first = next(articles, None)  # bad input fails here, before an index is created or opened
        if first is None:
            raise InputError(", ".join(map(str, paths)), "no articles found")
        with Index.open(target) as index, _progress() as progress:
            task = progress.add_task("indexing", total=None)

            def on_batch(done: int) -> None:
                nonlocal added
                added = done
                progress.update(task, completed=done)

            try:
                index.add_many(chain([first], articles), batch_size, on_batch)
            finally:
                total = len(index)
                stderr.print(f"{added} articles committed to {target} (it now holds {total})", highlight=False)


@index_app.command("stats")
def stats_command(db: Db = None, redis: RedisUrl = None, format: OutputFormat = Format.text) -> None:
    """Size and parameters of an index."""
    with errors_exit_2(), Index.open(index_target(db, redis), create=False) as index:
        stats = index.stats()
    if format is Format.json:
        print(json.dumps(stats, indent=2))
    else:
        for name, value in stats.items():
            print(f"{name:24} {value}")


@index_app.command("check")
def integrity_command(db: Db = None, redis: RedisUrl = None) -> None:
    """Integrity check: exit 0 when sound, 1 listing the problems found, 2 when the index cannot be opened."""
    with errors_exit_2(), Index.open(index_target(db, redis), create=False) as index:
        problems = index.integrity_problems()
        count = len(index)
    if problems:
        for problem in problems:
            print(f"problem: {problem}")
        raise typer.Exit(1)
    print(f"ok: {count} articles")


@index_app.command("remove")
def remove_command(ids: Annotated[list[str], typer.Argument(help="Article ids.")], db: Db = None,
                   redis: RedisUrl = None) -> None:
    """Remove articles by id (exit 1 if some were not in the index)."""
    with errors_exit_2(), Index.open(index_target(db, redis), create=False) as index:
        missing = [i for i in ids if not index.remove(i)]
    for article_id in missing:
        stderr.print(f"not in the index: {article_id}", markup=False, highlight=False)
    if missing:
        raise typer.Exit(1)


@app.command("check")
@with_reader_options
def check_command(
    input: Annotated[str, typer.Argument(help="One article: a file (.txt, .json, .jsonl…) or - for stdin "
                                              "(plain text or one JSON object with id/text/title/outlet/date/url).")],
    db: Db = None,
    redis: RedisUrl = None,
    add_if_new: Annotated[bool, typer.Option("--add-if-new", help="Add the article when it is not a duplicate "
                                                                  "(atomic with the check).")] = False,
    format: OutputFormat = Format.text,
    *,
    options: ReaderOptions,
) -> None:
    """Pre-ingest hook: exit 0 if the article is new, 1 if it copies an indexed article, 2 on error."""
    with errors_exit_2():
        target = index_target(db, redis)
        articles = list(read_articles([input], options))
        if len(articles) != 1:
            raise InputError(input, f"holds {len(articles)} articles; check takes exactly one")
        article = articles[0]
        with Index.open(target, create=add_if_new) as index:
            verdict = index.check_and_add(article) if add_if_new else index.check(article)
    _print_verdict(verdict, format, added=not verdict.duplicate if add_if_new else None)
    raise typer.Exit(EXIT_DUPLICATE if verdict.duplicate else EXIT_NEW)


def _print_verdict(verdict: Verdict, format: Format, added: bool | None) -> None:
    if format is Format.json:
        data = verdict.to_dict()
        if added is not None:
            data["added"] = added
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    status = "duplicate" if verdict.duplicate else "new"
    print(f"{status}: {verdict.id}" + (" (added)" if added else ""))
    for match in verdict.matches:
        print(f"  {match.kind} of {match.id}: {match.containment_new_in_match:.0%} of this article is in it, "
              f"{match.containment_match_in_new:.0%} of it is in this one, "
              f"{plural(match.passages, 'aligned passage')} (Jaccard {match.jaccard:.2f})")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} articles"),
                    TimeElapsedColumn(), console=stderr, transient=True, disable=not stderr.is_terminal)
