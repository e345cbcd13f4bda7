"""`syndicate diff` and `syndicate show`: what a copy kept, cut, added and changed from its source.

Both read an archive as every command does (positional ``PATH...``, ``--db``) and pick articles by
id with options; an id is only ever an id, never a file name.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.console import Console, RenderableType

from ..align import Alignment, align, align_copies
from ..archive import Archive
from ..diffview import (
    Layout,
    choose_layout,
    cluster_overview,
    diff_view,
    nothing_shared_line,
    shares_nothing,
    sorted_copies,
    use_markers,
)
from ..errors import InputError, SyndicateError
from ..index import Index
from ..read import ReaderOptions
from ..reuse import member_kinds
from .common import errors_exit_2, fold_flags, stderr, with_reader_options
from .group import app
from .scan import Db, Paths, scan_progress

VIEW_PANEL = "View"
View = Callable[[bool, Layout], RenderableType]
"""Builds one renderable, given whether to mark changes in text and the layout chosen for the console."""


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


Format = Annotated[DiffFormat, typer.Option("--format", "-f", help="text: the diff view; json: the alignment.")]
Html = Annotated[Path | None, typer.Option(
    "--html", help="Write the view as one standalone HTML page to this file instead of printing it.",
    rich_help_panel=VIEW_PANEL, dir_okay=False)]
LayoutOption = Annotated[Layout, typer.Option(
    "--layout", help="side-by-side (two columns) or inline (one); auto: side by side from 110 columns.",
    rich_help_panel=VIEW_PANEL)]
Color = Annotated[bool | None, typer.Option(
    "--color/--no-color", show_default=False, rich_help_panel=VIEW_PANEL,
    help="Colour, or mark changes as [-deleted-]{+inserted+} (default: colour on a terminal unless NO_COLOR "
         "is set).")]
Pager = Annotated[bool, typer.Option(
    "--pager/--no-pager", rich_help_panel=VIEW_PANEL, help="Page long output when printing to a terminal.")]


@dataclass(frozen=True)
class ViewOptions:
    """How diff and show present their result."""

    format: DiffFormat = DiffFormat.text
    html: Path | None = None
    layout: Layout = Layout.auto
    color: bool | None = None
    pager: bool = True


with_view_options = fold_flags("view", (
    ("format", Format, DiffFormat.text), ("html", Html, None), ("layout", LayoutOption, Layout.auto),
    ("color", Color, None), ("pager", Pager, True),
), ViewOptions)


@app.command("diff")
@with_reader_options
@with_view_options
def diff_command(
    paths: Paths = None,
    db: Db = None,
    source: Annotated[str | None, typer.Option("--source", metavar="ID", help="Id of the source article.")] = None,
    copy: Annotated[str | None, typer.Option("--copy", metavar="ID", help="Id of the copy.")] = None,
    *,
    view: ViewOptions,
    options: ReaderOptions,
) -> None:
    """Align a copy with its source paragraph by paragraph and show what changed, word by word.

    Without --source and --copy, PATH... holds exactly the two articles, source first.

    Example: syndicate diff seeds/ --source 002_a03570c17a29d6cf --copy 003_17a6059d906b2d12
    """
    with errors_exit_2(view.format is DiffFormat.json), ExitStack() as stack:
        index = stack.enter_context(Index.open(db, create=False)) if db else None
        archive = Archive(paths or [], options, index)
        if (source is None) != (copy is None):
            raise SyndicateError("give both --source ID and --copy ID, or neither (PATH... then holds exactly the "
                                 "two articles, source first)")
        if source is not None and copy is not None:
            found = archive.find({source, copy})
            source_article, copy_article = found[source], found[copy]
        else:
            source_article, copy_article = archive.first(2)
        alignment = align(source_article, copy_article)
        if view.format is DiffFormat.json:
            _write_json(alignment.to_dict())
            return
        if shares_nothing(alignment) and view.html is None:
            Console(no_color=view.color is False or None).print(nothing_shared_line(alignment))
            return
        _output([lambda markers, layout: diff_view(alignment, layout, markers)], view,
                lambda: _html().diff_html(alignment))


@app.command("show")
@with_reader_options
@with_view_options
def show_command(
    paths: Paths = None,
    db: Db = None,
    cluster_id: Annotated[int, typer.Option("--cluster", "-c", metavar="N", min=1,
                                            help="Cluster number, as `syndicate scan` lists it.")] = 1,
    copy: Annotated[str | None, typer.Option("--copy", metavar="ID",
                                             help="Show only this copy's diff against the source.")] = None,
    summary: Annotated[bool, typer.Option("--summary/--no-summary",
                                          help="Only the overview: the source and a row per copy, no diffs.")
                       ] = False,
    *,
    view: ViewOptions,
    options: ReaderOptions,
) -> None:
    """Scan the archive, then show one cluster: its source, a row per copy, and each copy's diff.

    Copies are listed by kind of reuse, then by how much of the source they keep.

    Example: syndicate show seeds/ --cluster 1 --summary
    """
    with errors_exit_2(view.format is DiffFormat.json), ExitStack() as stack:
        index = stack.enter_context(Index.open(db, create=False)) if db else None
        archive = Archive(paths or [], options, index)
        with scan_progress(archive) as progress:
            result, cluster = archive.cluster(cluster_id, progress=progress)
        if copy is not None and copy not in cluster.members and copy not in cluster.partial:
            raise InputError(copy, f"not a member of cluster {cluster.id} (members: {', '.join(cluster.members)})")
        if copy is not None and copy == cluster.source:
            raise InputError(copy, f"is the source of cluster {cluster.id}; --copy takes one of its copies")
        shown = [*cluster.members, *cluster.partial]
        by_id = archive.find(set(shown))
        source = by_id[cluster.source or cluster.members[0]]
        kinds = member_kinds(cluster)
        copies = [by_id[m] for m in shown if m != source.id and copy in (None, m)]
        furniture = {a.id: result.info[a.id].furniture_mask(len(a.paragraphs)) for a in (source, *copies)}
        alignments = sorted_copies(align_copies(source, copies, result.config, furniture, result.template), kinds)
        headlines = {member: result.info[member].headline for member in shown}
        if view.format is DiffFormat.json:
            _write_json({"cluster": cluster.id, "source": source.id, "source_reason": cluster.source_reason,
                         "copies": [{"kind": kinds.get(a.copy.id), **a.to_dict()} for a in alignments]})
            return
        views: list[View] = []
        if copy is None or summary:  # --copy alone: just that diff; with --summary, just its row
            views.append(lambda markers, layout: cluster_overview(cluster, source, alignments, kinds, headlines))
        if not summary:
            views += [lambda markers, layout, a=a: _copy_view(a, layout, markers, headlines) for a in alignments]
        _output(views, view, lambda: _html().cluster_html(cluster, source, alignments, overview=None))


def _copy_view(alignment: Alignment, layout: Layout, markers: bool, headlines: Mapping[str, str]) -> RenderableType:
    return nothing_shared_line(alignment) if shares_nothing(alignment) else diff_view(alignment, layout, markers,
                                                                                        headlines)


def _write_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _html() -> ModuleType:
    """syndicate.html, imported only when a page is written (it loads Jinja2)."""
    from .. import html

    return html


def _output(views: list[View], view: ViewOptions, page: Callable[[], str]) -> None:
    """Print the views on the terminal (through a pager when asked and stdout is one), or write `page` as one
    HTML page."""
    if view.html is not None:
        try:
            view.html.write_text(page(), encoding="utf-8")
        except OSError as error:
            raise InputError(str(view.html), f"cannot write: {error.strerror or error}") from error
        stderr.print(f"wrote {view.html}", markup=False, highlight=False)
        return
    console = Console(no_color=view.color is False or None, force_terminal=view.color or None)
    if view.pager and console.is_terminal:
        os.environ.setdefault("LESS", "-FRX")  # quit if one screen, keep colours, leave the text on screen
        with console.pager(styles=not use_markers(console)):
            _print_views(console, views, view.layout)
    else:
        _print_views(console, views, view.layout)


def _print_views(console: Console, views: list[View], layout: Layout) -> None:
    markers, chosen = use_markers(console), choose_layout(console, layout)
    for view in views:
        console.print(view(markers, chosen))
