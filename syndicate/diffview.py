"""The diff view for people: a reuse summary, then the source and the copy paragraph by paragraph.

Everything is built from rich ``Text`` objects, never markup strings, so article text such as
"[Anwar Amro/AFP]" prints as written. Without colour (``NO_COLOR``, ``--no-color``, or output
that is not a terminal) changes are marked as ``git diff --word-diff`` marks them:
``[-deleted-]{+inserted+}``; with colour they are struck through in red and underlined in green.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .align import Alignment, ParagraphPair, Token
from .article import Article
from .normalise import words
from .report import natural_key, plural
from .reuse import KINDS, kind_order
from .scan import Cluster
from .sketch import headline_candidates


class Layout(StrEnum):
    auto = "auto"
    inline = "inline"
    side_by_side = "side-by-side"


SIDE_BY_SIDE_MIN_WIDTH = 110
PARAGRAPH_COUNTS_MIN_WIDTH = 110
"""Narrower consoles leave the per-copy paragraph counts out of `show`'s table (each diff below repeats them)."""
"""Narrower terminals get the inline layout: two columns under ~50 characters read badly."""
DELETE_STYLE = "red strike"
INSERT_STYLE = "green underline"
SAME_STYLE = "dim"
LABEL_STYLE = "bold cyan"
DELETE_MARKERS = ("[-", "-]")
INSERT_MARKERS = ("{+", "+}")
OP_LABELS = {"same": "same", "edit": "edited", "move": "moved", "split": "split", "merge": "merged",
             "regroup": "regrouped", "add": "added", "delete": "deleted"}


def use_markers(console: Console) -> bool:
    """Whether changes must be spelled out in text because colour will not be shown."""
    return console.no_color or console.color_system is None


def choose_layout(console: Console, layout: Layout = Layout.auto) -> Layout:
    if layout is not Layout.auto:
        return layout
    return Layout.side_by_side if console.width >= SIDE_BY_SIDE_MIN_WIDTH else Layout.inline


def print_diff(console: Console, alignment: Alignment, layout: Layout = Layout.auto,
               markers: bool | None = None) -> None:
    """Print the summary panel and the paragraph-by-paragraph view of one copy against its source."""
    markers = use_markers(console) if markers is None else markers
    console.print(diff_view(alignment, choose_layout(console, layout), markers))


def diff_view(alignment: Alignment, layout: Layout, markers: bool,
              headlines: Mapping[str, str] | None = None) -> Group:
    """The summary panel, then the paragraphs side by side or inline. `headlines`: per article id, the headline
    a scan chose (furniture left out); otherwise see :func:`headline`."""
    body = side_by_side(alignment, markers) if layout is Layout.side_by_side else inline(alignment, markers)
    return Group(summary_panel(alignment, headlines), body)


def shares_nothing(alignment: Alignment) -> bool:
    """Whether no paragraph of either article was paired with one of the other."""
    return not any(pair.matched for pair in alignment.pairs)


def nothing_shared_line(alignment: Alignment) -> Text:
    """What `diff` prints instead of a wall of deletions when the two articles share no text."""
    return Text(f"{alignment.source.id} and {alignment.copy.id} share no text: no paragraph of one is found in the "
                f"other ({plural(len(alignment.source.paragraphs), 'paragraph')} against "
                f"{len(alignment.copy.paragraphs):,}).")


def headline(article: Article, alignment: Alignment | None = None) -> str | None:
    """How to name an article in a header: its title; else, in a diff, its first paragraph of five words or more
    that the alignment paired with the other article (page furniture, a weather widget or a date line, is not
    shared between outlets, so it never heads the view); else nothing."""
    candidates = headline_candidates(article)
    if candidates[0][0] < 0:  # the title
        return candidates[0][1]
    if alignment is None:
        return None
    side = "source_paragraphs" if article is alignment.source else "copy_paragraphs"
    paired = {index for pair in alignment.pairs if pair.matched for index in getattr(pair, side)}
    return next((text for index, text in candidates if index in paired and len(article.paragraphs[index].split()) >= 5),
                None)


# --- summary -------------------------------------------------------------------------------------


def summary_panel(alignment: Alignment, headlines: Mapping[str, str] | None = None) -> Panel:
    summary = alignment.summary
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, article in (("source", alignment.source), ("copy", alignment.copy)):
        known = headlines.get(article.id) if headlines is not None else None
        grid.add_row(label, _article_line(article, known or headline(article, alignment)))
    grid.add_row("passages", Text(
        f"{summary.source_in_passages:.0%} of the source in passages aligned with the copy, "
        f"{summary.copy_in_passages:.0%} of the copy in passages aligned with the source ("
        + ", ".join(f"{share:.0%} {grade}" for grade, share in summary.grades.items() if share) + ")"))
    grid.add_row("reuse", Text(
        f"{summary.source_reused:.0%} of the source's words kept ({summary.kept_words} of {summary.source_words})"
        f" · {_words(summary.added_words)} added · {summary.deleted_words} deleted"))
    grid.add_row("paragraphs", Text(paragraph_counts(alignment)))
    return Panel(grid, title=Text("syndicate diff"), title_align="left", box=box.ROUNDED)


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


def paragraph_counts(alignment: Alignment) -> str:
    return " · ".join(f"{count} {OP_LABELS[op]}" for op, count in alignment.summary.paragraphs.items())


def _article_line(article: Article, title: str | None) -> Text:
    line = Text(article.id, style="bold")
    if article.outlet:
        line.append(f"  {article.outlet}", style="dim")
    if title:
        line.append(f"  {title}", style="italic")
    return line


def sorted_copies(alignments: Sequence[Alignment], kinds: Mapping[str, str]) -> list[Alignment]:
    """Copies by kind (in the order of reuse.KINDS), then by the share of the source in their passages, most first,
    then by id with its numbers compared as numbers."""
    return sorted(alignments, key=lambda a: (kind_order(kinds.get(a.copy.id, "")), -a.summary.source_in_passages,
                                             natural_key(a.copy.id)))


def cluster_overview(cluster: Cluster, source: Article, alignments: Sequence[Alignment], kinds: Mapping[str, str],
                     headlines: Mapping[str, str] | None = None) -> Group:
    """What `syndicate show` prints before the diffs: the cluster's source, then a row per copy (in the order
    given: see sorted_copies), then what the kinds shown mean."""
    heading = Text.assemble(("cluster ", "bold"), (str(cluster.id), "bold"),
                            f" · {plural(len(cluster.members), 'article')}")
    about = Table.grid(padding=(0, 2))
    about.add_column(style="bold", no_wrap=True)
    about.add_column(overflow="fold")
    about.add_row("source", _article_line(source, (headlines or {}).get(source.id) or headline(source)))
    about.add_row("why", Text(cluster.source_reason))
    about.add_row("size", Text(f"{plural(len(source.paragraphs), 'paragraph')}, "
                               f"{plural(len(words(source.text)), 'word')}"))
    shown = {kinds.get(a.copy.id, "") for a in alignments} - {""}
    legend = Text("\n".join(f"{kind}: {KINDS.get(kind, 'see the documentation')}"
                             for kind in sorted(shown, key=lambda k: (kind_order(k), k))), style="dim")
    legend.append("\npassages: share of the source's words in passages aligned with the copy (any grade); kept: "
                  "share of the source's words the copy keeps word for word; added, deleted: words", style="dim")
    return Group(heading, about, Text(""), _FittedCopiesTable(source, alignments, kinds), legend)


class _FittedCopiesTable:
    """copies_table at the width it is printed at."""

    def __init__(self, source: Article, alignments: Sequence[Alignment], kinds: Mapping[str, str]) -> None:
        self.source, self.alignments, self.kinds = source, alignments, kinds

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield copies_table(self.source, self.alignments, self.kinds,
                           paragraph_counts=options.max_width >= PARAGRAPH_COUNTS_MIN_WIDTH)


def copies_table(source: Article, alignments: Sequence[Alignment], kinds: Mapping[str, str],
                 paragraph_counts: bool = True) -> Table:
    """One row per copy of a cluster's source: how it was reused and how much of the source it kept."""
    table = Table(title=Text(f"{plural(len(alignments), 'copy', 'copies')} of {source.id}"), title_justify="left",
                  box=box.SIMPLE_HEAD)
    columns = [("copy", "left"), ("outlet", "left"), ("kind", "left"), ("passages", "right"), ("kept", "right"),
               ("added", "right"), ("deleted", "right")] + ([("paragraphs", "left")] if paragraph_counts else [])
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold", no_wrap=name != "outlet" and name != "paragraphs")
    for alignment in alignments:
        summary = alignment.summary
        counts = " · ".join(f"{n} {OP_LABELS[op]}" for op, n in summary.paragraphs.items() if n)
        table.add_row(Text(alignment.copy.id), Text(alignment.copy.outlet or "-"),
                      Text(kinds.get(alignment.copy.id, "-")), f"{summary.source_in_passages:.0%}",
                      f"{summary.source_reused:.0%}", str(summary.added_words), str(summary.deleted_words),
                      *([Text(counts)] if paragraph_counts else []))
    return table


# --- side by side --------------------------------------------------------------------------------


def side_by_side(alignment: Alignment, markers: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True, padding=(0, 1), pad_edge=False)
    table.add_column(Text(f"source {alignment.source.id}"), ratio=1, overflow="fold")
    table.add_column(Text(""), no_wrap=True, justify="center", width=11)
    table.add_column(Text(f"copy {alignment.copy.id}"), ratio=1, overflow="fold")
    for number, pair in enumerate(alignment.pairs):
        changed_source, changed_copy = _changed_tokens(pair)
        source = _side(alignment.source, pair.source_paragraphs, pair.source_tokens, changed_source,
                       DELETE_STYLE, DELETE_MARKERS, markers, pair.op)
        copy = _side(alignment.copy, pair.copy_paragraphs, pair.copy_tokens, changed_copy,
                     INSERT_STYLE, INSERT_MARKERS, markers, pair.op)
        table.add_row(source, _label(pair), copy, end_section=number < len(alignment.pairs) - 1)
    return table


def _label(pair: ParagraphPair) -> Text:
    label = Text(OP_LABELS[pair.op], style=LABEL_STYLE)
    if pair.grade == "paraphrased":
        label.append("\nparaphrased", style="dim")
    if pair.similarity is not None and pair.op != "same":
        label.append(f"\n{pair.similarity:.0%}", style="dim")
    return label


def _changed_tokens(pair: ParagraphPair) -> tuple[set[int], set[int]]:
    """Token positions on each side that the word diff does not find on the other side."""
    if not pair.matched:
        return set(range(len(pair.source_tokens))), set(range(len(pair.copy_tokens)))
    source: set[int] = set()
    copy: set[int] = set()
    for word in pair.words:
        if word.op != "equal":
            source.update(range(word.source_start, word.source_end))
            copy.update(range(word.copy_start, word.copy_end))
    return source, copy


def _side(article: Article, paragraphs: tuple[int, ...], tokens: Sequence[Token], changed: set[int], style: str,
          marks: tuple[str, str], markers: bool, op: str) -> Text:
    """One column: each paragraph as written, with the runs of changed words marked."""
    cell = Text(overflow="fold")
    if op in ("add", "delete"):
        for n, index in enumerate(paragraphs):
            cell.append_text(_paragraph_number(index, n))
            cell.append_text(_styled(article.paragraphs[index], style, marks, markers))
        return cell
    by_paragraph: dict[int, list[int]] = {index: [] for index in paragraphs}
    for position, token in enumerate(tokens):
        by_paragraph[token.paragraph].append(position)
    plain = SAME_STYLE if op == "same" else ""
    for n, index in enumerate(paragraphs):
        cell.append_text(_paragraph_number(index, n))
        text = article.paragraphs[index]
        cursor = 0
        for run in _runs([p for p in by_paragraph[index] if p in changed]):
            start, end = tokens[run[0]].start, tokens[run[-1]].end
            cell.append(text[cursor:start], style=plain)
            cell.append_text(_styled(text[start:end], style, marks, markers))
            cursor = end
        cell.append(text[cursor:], style=plain)
    return cell


def _paragraph_number(index: int, position: int) -> Text:
    return Text(("\n\n" if position else "") + f"¶{index + 1} ", style="dim")


def _runs(positions: list[int]) -> Iterable[list[int]]:
    """Consecutive positions grouped: [1, 2, 5] → [1, 2], [5]."""
    run: list[int] = []
    for position in positions:
        if run and position != run[-1] + 1:
            yield run
            run = []
        run.append(position)
    if run:
        yield run


def _styled(text: str, style: str, marks: tuple[str, str], markers: bool) -> Text:
    if markers:
        return Text.assemble(marks[0], (text, style), marks[1])
    return Text(text, style=style)


# --- inline --------------------------------------------------------------------------------------


def inline(alignment: Alignment, markers: bool) -> Group:
    """One column: each pair's label, then the copy's text with the source's deleted words spliced in."""
    rows: list[RenderableType] = []
    for pair in alignment.pairs:
        rows.append(_inline_label(pair))
        rows.append(_inline_text(alignment, pair, markers))
        rows.append(Text(""))
    return Group(*rows[:-1])


def _inline_label(pair: ParagraphPair) -> Text:
    source = "source " + ",".join(f"¶{i + 1}" for i in pair.source_paragraphs)
    copy = "copy " + ",".join(f"¶{j + 1}" for j in pair.copy_paragraphs)
    where = source if pair.op == "delete" else copy if pair.op == "add" else f"{source} → {copy}"
    label = Text.assemble((f"{where} ", "dim"), (OP_LABELS[pair.op], LABEL_STYLE))
    if pair.grade == "paraphrased":
        label.append(" paraphrased", style="dim")
    if pair.similarity is not None and pair.op != "same":
        label.append(f" {pair.similarity:.0%}", style="dim")
    return label


def _inline_text(alignment: Alignment, pair: ParagraphPair, markers: bool) -> Text:
    if pair.op == "add":
        return _styled("\n".join(alignment.copy.paragraphs[j] for j in pair.copy_paragraphs),
                       INSERT_STYLE, INSERT_MARKERS, markers)
    if pair.op == "delete":
        return _styled("\n".join(alignment.source.paragraphs[i] for i in pair.source_paragraphs),
                       DELETE_STYLE, DELETE_MARKERS, markers)
    if not pair.source_tokens or not pair.copy_tokens:  # wordless paragraphs ("***") match only as written
        return Text("\n".join(alignment.copy.paragraphs[j] for j in pair.copy_paragraphs), style=SAME_STYLE)
    source = _Spelling(alignment.source, pair.source_tokens)
    copy = _Spelling(alignment.copy, pair.copy_tokens)
    plain = SAME_STYLE if pair.op == "same" else ""
    out = Text(overflow="fold")

    def changed(side: _Spelling, start: int, end: int, style: str, marks: tuple[str, str]) -> None:
        out.append_text(_styled(side.run(start, end), style, marks, markers))

    # The copy's own text, every separator once, with the source's deleted words spliced in between.
    after_deletion = False
    for word in pair.words:
        if word.op == "delete":
            if out.plain and not out.plain[-1].isspace():
                out.append(" ")
            changed(source, word.source_start, word.source_end, DELETE_STYLE, DELETE_MARKERS)
            after_deletion = True
            continue
        lead = copy.prefix(word.copy_start)
        if after_deletion and not lead[:1].isspace() and copy.word(word.copy_start)[:1].isalnum():
            lead = " " + lead
        after_deletion = False
        if word.op == "equal":
            out.append(lead + copy.run(word.copy_start, word.copy_end), style=plain)
            continue
        out.append(lead)
        if word.op == "replace":
            changed(source, word.source_start, word.source_end, DELETE_STYLE, DELETE_MARKERS)
        changed(copy, word.copy_start, word.copy_end, INSERT_STYLE, INSERT_MARKERS)
    out.append(copy.trailing(), style=plain)
    return out


class _Spelling:
    """The original text around one side's tokens: what precedes each word, and what follows the last."""

    def __init__(self, article: Article, tokens: Sequence[Token]) -> None:
        self.texts = article.paragraphs
        self.tokens = tokens

    def word(self, k: int) -> str:
        token = self.tokens[k]
        return self.texts[token.paragraph][token.start : token.end]

    def prefix(self, k: int) -> str:
        token = self.tokens[k]
        if k == 0:
            return self.texts[token.paragraph][: token.start]
        before = self.tokens[k - 1]
        if before.paragraph == token.paragraph:
            return self.texts[token.paragraph][before.end : token.start]
        return self.texts[before.paragraph][before.end :] + "\n" + self.texts[token.paragraph][: token.start]

    def run(self, start: int, end: int) -> str:
        return self.word(start) + "".join(self.prefix(k) + self.word(k) for k in range(start + 1, end))

    def trailing(self) -> str:
        last = self.tokens[-1]
        return self.texts[last.paragraph][last.end :]


def render_text(render: Callable[[Console], None], width: int) -> str:
    """What a colourless terminal of this width shows: the text behind golden files and the README capture."""
    console = Console(record=True, width=width, no_color=True, color_system=None, file=io.StringIO())
    render(console)
    return console.export_text(styles=False)
