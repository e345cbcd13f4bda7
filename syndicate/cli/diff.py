"""`syndicate diff` and `syndicate show`: what a copy kept, cut, added and changed from its source."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain, islice
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.console import Console, RenderableType

from ..align import align
from ..article import Article
from ..diffview import Layout, choose_layout, cluster_overview, diff_view, use_markers
from ..errors import InputError, SyndicateError
from ..index import Index
from ..read import ReaderOptions, read_articles
from ..scan import Cluster, scan
from . import app
from .common import errors_exit_2, fold_flags, stderr, with_reader_options

VIEW_PANEL = "View"
View = Callable[[bool, Layout], RenderableType]
"""Builds one renderable, given whether to mark changes in text and the layout chosen for the console."""


class DiffFormat(StrEnum):
    view = "view"
    json = "json"


Archive = Annotated[list[Path] | None, typer.Option(
    "--archive", "-a", help="File or directory to look article ids up in (repeatable).")]
Db = Annotated[str | None, typer.Option(
    "--db", help="An index (SQLite file or redis:// URL) holding the articles, instead of or besides --archive.")]
Format = Annotated[DiffFormat, typer.Option("--format", "-f", help="view: the rich diff; json: the alignment.")]
Html = Annotated[Path | None, typer.Option(
    "--html", help="Write the view as one standalone HTML page to this file instead of printing it.",
    rich_help_panel=VIEW_PANEL, dir_okay=False)]
Inline = Annotated[bool, typer.Option("--inline", help="One column, whatever the terminal width.",
                                      rich_help_panel=VIEW_PANEL)]
SideBySide = Annotated[bool, typer.Option("--side-by-side", help="Two columns, whatever the terminal width.",
                                          rich_help_panel=VIEW_PANEL)]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour: mark changes as [-deleted-]{+inserted+} "
                                       "(also when NO_COLOR is set or output is not a terminal).",
                                       rich_help_panel=VIEW_PANEL)]


@dataclass(frozen=True)
class ViewOptions:
    """How diff and show present their result."""

    format: DiffFormat = DiffFormat.view
    html: Path | None = None
    inline: bool = False
    side_by_side: bool = False
    no_color: bool = False

    @property
    def layout(self) -> Layout:
        return Layout.inline if self.inline else Layout.side_by_side if self.side_by_side else Layout.auto

    def check(self) -> None:
        if self.inline and self.side_by_side:
            raise SyndicateError("choose one of --inline and --side-by-side")


with_view_options = fold_flags("view", (
    ("format", Format, DiffFormat.view), ("html", Html, None), ("inline", Inline, False),
    ("side_by_side", SideBySide, False), ("no_color", NoColor, False),
), ViewOptions)


@app.command("diff")
@with_reader_options
@with_view_options
def diff_command(
    source: Annotated[str, typer.Argument(help="The source article: a file, or an article id in --archive.")],
    copy: Annotated[str, typer.Argument(help="The copy: a file, or an article id in --archive.")],
    archive: Archive = None,
    db: Db = None,
    *,
    view: ViewOptions,
    options: ReaderOptions,
) -> None:
    """Align a copy with its source paragraph by paragraph and show what changed, word by word."""
    with errors_exit_2(), ExitStack() as stack:
        view.check()
        index = stack.enter_context(Index.open(db, create=False)) if db else None
        source_article, copy_article = _resolve_articles([source, copy], archive or [], options, index)
        alignment = align(source_article, copy_article)
        if view.format is DiffFormat.json:
            _write_json(alignment.to_dict())
        _output([lambda markers, layout: diff_view(alignment, layout, markers)], view,
                lambda: _html().diff_html(alignment))


@app.command("show")
@with_reader_options
@with_view_options
def show_command(
    cluster_id: Annotated[int, typer.Argument(help="Cluster number, as `syndicate scan` lists it.")],
    archive: Annotated[list[Path] | None, typer.Option("--archive", "-a",
                                                       help="The archive to scan (repeatable).")] = None,
    db: Db = None,
    *,
    view: ViewOptions,
    options: ReaderOptions,
) -> None:
    """Scan the archive, then show one cluster: its source, a row per copy, and each copy's diff."""
    with errors_exit_2(), ExitStack() as stack:
        view.check()
        if not archive and not db:
            raise SyndicateError("give the archive to scan: --archive PATH or --db INDEX")
        index = stack.enter_context(Index.open(db, create=False)) if db else None
        archive = archive or []
        cluster = _find_cluster(cluster_id, archive, options, index)
        by_id = _articles_by_id(set(cluster.members), archive, options, index)
        source = by_id[cluster.source or cluster.members[0]]
        alignments = [align(source, by_id[m]) for m in cluster.members if m != source.id]
        kinds = _kinds(cluster)
        if view.format is DiffFormat.json:
            _write_json({"cluster": cluster.id, "source": source.id, "source_reason": cluster.source_reason,
                         "copies": [{"kind": kinds.get(a.copy.id), **a.to_dict()} for a in alignments]})

        views: list[View] = [lambda markers, layout: cluster_overview(cluster, source, alignments, kinds)]
        views += [lambda markers, layout, a=a: diff_view(a, layout, markers) for a in alignments]
        _output(views, view, lambda: _html().cluster_html(cluster, source, alignments, overview=None))


def _resolve_articles(refs: Sequence[str], archive: Sequence[Path], options: ReaderOptions,
                      index: Index | None = None) -> list[Article]:
    """Each reference as an article: a readable file holding one article, or else an id found in the archive."""
    found: dict[str, Article] = {}
    wanted: list[str] = []
    for ref in refs:
        path = Path(ref)
        if ref == "-" or path.is_file():
            found[ref] = _single_article(ref, options)
        elif path.is_dir():
            raise InputError(ref, "is a directory; give a file, or an article id with --archive")
        else:
            wanted.append(ref)
    if wanted:
        if not archive and index is None:
            raise InputError(wanted[0], "no such file (to look up an article id, give --archive PATH or --db INDEX)")
        found.update(_articles_by_id(set(wanted), archive, options, index))
        missing = [ref for ref in wanted if ref not in found]
        if missing:
            raise InputError(missing[0], f"no such file, and no article with this id in {_names(archive, index)}")
    return [found[ref] for ref in refs]


def _single_article(ref: str, options: ReaderOptions) -> Article:
    articles = list(islice(read_articles([ref], options), 2))
    if not articles:
        raise InputError(ref, "no readable article")
    if len(articles) > 1:
        raise InputError(ref, "holds more than one article; give an article id and --archive " + ref)
    return articles[0]


def _articles_by_id(ids: set[str], archive: Sequence[Path], options: ReaderOptions,
                    index: Index | None = None) -> dict[str, Article]:
    found: dict[str, Article] = {}
    if index is not None:
        found.update((i, index.get(i)) for i in sorted(ids) if i in index)
        if len(found) == len(ids):
            return found
    for article in read_articles(archive, options):
        if article.id in ids and article.id not in found:
            found[article.id] = article
            if len(found) == len(ids):
                break
    return found


def _find_cluster(cluster_id: int, archive: Sequence[Path], options: ReaderOptions,
                  index: Index | None = None) -> Cluster:
    with stderr.status("scanning the archive…"):
        articles = read_articles(archive, options)
        result = scan(chain(articles, index.articles()) if index is not None else articles,
                      index.config if index is not None else None)
    for cluster in result.clusters:
        if cluster.id == cluster_id:
            return cluster
    known = f"clusters 1 to {len(result.clusters)}" if result.clusters else "no clusters"
    raise SyndicateError(f"no cluster {cluster_id} in {_names(archive, index)} (the scan found {known})")


def _kinds(cluster: Cluster) -> dict[str, str]:
    """How each member is linked to the source: copy or rewrite, or 'indirect' through another member."""
    kinds = {m: "indirect" for m in cluster.members}
    for link in cluster.links:
        if cluster.source in (link.a, link.b):
            kinds[link.b if link.a == cluster.source else link.a] = link.kind
    return kinds


def _names(paths: Iterable[Path], index: Index | None = None) -> str:
    return ", ".join([str(p) for p in paths] + (["the index"] if index is not None else []))


def _write_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _html() -> ModuleType:
    """syndicate.html, imported only when a page is written (it loads Jinja2)."""
    from .. import html

    return html


def _output(views: list[View], view: ViewOptions, page: Callable[[], str]) -> None:
    """Print the views on the terminal (unless JSON was asked for), or write `page` as one HTML page."""
    if view.html is not None:
        try:
            view.html.write_text(page(), encoding="utf-8")
        except OSError as error:
            raise InputError(str(view.html), f"cannot write: {error.strerror or error}") from error
        stderr.print(f"wrote {view.html}", markup=False, highlight=False)
    elif view.format is DiffFormat.view:
        _print_views(Console(no_color=view.no_color or None), views, view.layout)


def _print_views(console: Console, views: list[View], layout: Layout) -> None:
    markers, chosen = use_markers(console), choose_layout(console, layout)
    for view in views:
        console.print(view(markers, chosen))
