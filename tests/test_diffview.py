"""The rendered diff view: golden files for the seeds' 002/003 pair, and the rules every rendering follows.

Golden files hold what a colourless terminal of a fixed width shows. After an intended change
to the view, regenerate them and review the diff before committing:

    SYNDICATE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_diffview.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from conftest import SEEDS
from rich.console import Console

from syndicate import Article, align
from syndicate.align import align_copies
from syndicate.diffview import Layout, choose_layout, print_diff, render_text, use_markers
from syndicate.read import read_articles
from syndicate.reuse import KINDS

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"
UPDATE = os.environ.get("SYNDICATE_UPDATE_GOLDEN") == "1"
GOLDEN_CASES = {"diff_002_003_side_by_side.txt": (Layout.side_by_side, 120),
                "diff_002_003_inline.txt": (Layout.inline, 80)}


@pytest.fixture(scope="module")
def seed_alignment():
    articles = {a.id[:3]: a for a in read_articles([SEEDS])}
    return align(articles["002"], articles["003"])


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_view_of_the_afp_copy_and_its_edited_copy(seed_alignment, name):
    layout, width = GOLDEN_CASES[name]
    rendered = render_text(lambda console: print_diff(console, seed_alignment, layout), width)
    path = GOLDEN / name
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"view changed; see the module docstring to regenerate {path}"


def test_golden_views_show_the_respelling_and_the_literal_caption_credit():
    for name in GOLDEN_CASES:
        text = (GOLDEN / name).read_text(encoding="utf-8")
        assert "[-Hezbollah-]" in text and "{+Hizbullah+}" in text
        assert "[Anwar" in text and "Amro/AFP]" in text  # literal brackets, wherever the line wraps
        assert "79% of the source's words kept" in text


def test_readme_capture_is_a_real_rendering():
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Diff view"):]
    capture = section[section.index("```text\n") + 8 : section.index("\n```", section.index("```text\n"))]
    golden = {line.rstrip() for line in (GOLDEN / "diff_002_003_side_by_side.txt").read_text("utf-8").splitlines()}
    shown = [line for line in capture.splitlines() if line.strip() != "⋮"]
    assert len(shown) > 30
    assert [line for line in shown if line not in golden] == []


def render(source: Article, copy: Article, layout: Layout, width: int = 80) -> str:
    return render_text(lambda console: print_diff(console, align(source, copy), layout), width)


BRACKETED = Article("s", ("The [bold]caption[/bold] credit reads [Anwar Amro/AFP] under the photograph here.",))
BRACKETED_COPY = Article("c", ("The [bold]caption[/bold] credit now reads [Anwar Amro/AFP] under the photograph.",))


@pytest.mark.parametrize("layout", [Layout.inline, Layout.side_by_side])
@pytest.mark.parametrize("markers", [True, False])
def test_square_brackets_in_article_text_render_literally(layout, markers):
    console = Console(record=True, width=200, file=io.StringIO(), force_terminal=True, color_system="truecolor")
    print_diff(console, align(BRACKETED, BRACKETED_COPY), layout, markers=markers)
    text = console.export_text(styles=False)
    assert text.count("[bold]caption[/bold]") >= 3  # header lines, then the paragraph itself
    assert "[Anwar Amro/AFP]" in text
    assert ("{+now+}" in text) is markers


def test_inline_marks_changes_like_git_word_diff_and_keeps_the_copys_punctuation_once():
    source = Article("s", ("The Hezbollah statement did not say when or where the leaders met [in Beirut].",))
    copy = Article("c", ("Officials said the Hizbullah statement did not say when the leaders met [in Beirut].",))
    assert ("{+Officials said+} the [-Hezbollah-]{+Hizbullah+} statement did not say when [-or where-] the "
            "leaders met [in Beirut].") in render(source, copy, Layout.inline, width=200)


def test_long_paragraphs_wrap_within_the_width():
    long = " ".join(["The delegation travelled on to the capital for further talks."] * 12)
    for layout in Layout.inline, Layout.side_by_side:
        text = render(Article("s", (long,)), Article("c", (long + " Later.",)), layout, width=70)
        assert max(len(line) for line in text.splitlines()) <= 70
        assert "{+Later+}" in text
    inline_body = render(Article("s", (long,)), Article("c", (long,)), Layout.inline, width=70).split("same\n")[1]
    assert " ".join(inline_body.split()) == long


def test_colour_replaces_the_markers_when_the_terminal_shows_it():
    source = Article("s", ("The Hezbollah statement did not say when or where the leaders met.",))
    copy = Article("c", ("The Hizbullah statement did not say when or where the leaders met.",))
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=100)
    assert not use_markers(console)
    print_diff(console, align(source, copy), Layout.inline)
    output = buffer.getvalue()
    assert "[-" not in output and "{+" not in output
    assert "\x1b[" in output and "Hizbullah" in output


def test_no_color_env_or_a_pipe_means_markers(monkeypatch):
    assert use_markers(Console(file=io.StringIO(), force_terminal=True, no_color=True))
    assert use_markers(Console(file=io.StringIO()))  # not a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_markers(Console(file=io.StringIO(), force_terminal=True))


def test_layout_follows_the_terminal_width_unless_forced():
    assert choose_layout(Console(width=160)) is Layout.side_by_side
    assert choose_layout(Console(width=80)) is Layout.inline
    assert choose_layout(Console(width=160), Layout.inline) is Layout.inline
    assert choose_layout(Console(width=80), Layout.side_by_side) is Layout.side_by_side


def test_golden_show_summary():
    """What `syndicate show seeds/ --summary` prints at 100 columns without colour."""
    from syndicate.archive import Archive
    from syndicate.diffview import cluster_overview, sorted_copies
    from syndicate.reuse import member_kinds

    archive = Archive([SEEDS])
    result, cluster = archive.cluster(1)
    by_id = archive.find(cluster.members)
    source = by_id[cluster.source]
    kinds = member_kinds(cluster)
    furniture = {m: result.info[m].furniture_mask(len(by_id[m].paragraphs)) for m in cluster.members}
    copies = sorted_copies(align_copies(source, [by_id[m] for m in cluster.members if m != source.id], result.config,
                                        furniture), kinds)
    headlines = {m: result.info[m].headline for m in cluster.members}
    rendered = render_text(lambda console: console.print(cluster_overview(cluster, source, copies, kinds, headlines)),
                           100)
    path = GOLDEN / "show_summary_seeds.txt"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"view changed; see the module docstring to regenerate {path}"
    assert rendered.index("003_17a6059d906b2d12") < rendered.index("001_4f88ccd7cf78f350")  # copy, then rewrite
    assert f"rewrite: {KINDS['rewrite']}" in rendered
