"""`syndicate diff` and `syndicate show` from the command line: outputs, options, and bad input (exit 2)."""

from __future__ import annotations

import json

import pytest
from conftest import COPY_AFP, INDEPENDENT, REWRITE_AFP, SEEDS, SOURCE_AFP
from typer.testing import CliRunner

from syndicate.cli import app

AFP = SEEDS / f"{SOURCE_AFP}.txt"
EDITED = SEEDS / f"{COPY_AFP}.txt"
INDEPENDENT_REPORT = SEEDS / f"{INDEPENDENT[0]}.txt"


def run(*args: str, **env: str):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "100", "NO_COLOR": "", **env})


def paired_text(data: dict, side: str) -> list[str]:
    return [p[f"{side}_text"] for p in data["pairs"] if p["op"] not in ("add", "delete")]


def test_diff_json_pairs_the_afp_body_and_marks_the_extra_section_added():
    result = run("diff", AFP, EDITED, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["copy"]) == (SOURCE_AFP, COPY_AFP)
    source_paragraphs = AFP.read_text(encoding="utf-8").split("\n\n")
    body = source_paragraphs[source_paragraphs.index(next(p for p in source_paragraphs
                                                           if p.startswith("Senior officials"))):]
    assert set(body) <= set(paired_text(data, "source"))
    added = [p["copy_text"] for p in data["pairs"] if p["op"] == "add"]
    assert added[-12:][0].startswith("Pro-Hizbullah fighters in Syria's south")
    words = [w for p in data["pairs"] for w in p.get("words", [])]
    assert {"op": "replace", "source": "Hezbollah", "copy": "Hizbullah"} in words
    for pair in data["pairs"]:
        assert set(pair) >= {"op", "source_paragraphs", "copy_paragraphs", "source_text", "copy_text", "similarity"}
        assert ("words" in pair) == (pair["op"] in ("edit", "move", "split", "merge"))


def test_diff_of_an_independent_report_pairs_at_most_one_paragraph():
    data = json.loads(run("diff", AFP, INDEPENDENT_REPORT, "--format", "json").stdout)
    assert sum(p["op"] not in ("add", "delete") for p in data["pairs"]) <= 1
    assert data["summary"]["source_reused"] < 0.05


def test_diff_finds_article_ids_in_the_archive():
    by_id = run("diff", SOURCE_AFP, COPY_AFP, "--archive", SEEDS, "--format", "json")
    by_path = run("diff", AFP, EDITED, "--format", "json")
    assert by_id.exit_code == 0 and json.loads(by_id.stdout) == json.loads(by_path.stdout)


def test_diff_view_without_colour_uses_word_diff_markers_and_honours_layout_flags():
    inline = run("diff", AFP, EDITED, "--inline", "--no-color", COLUMNS="200")
    assert inline.exit_code == 0
    assert "[-Hezbollah-]{+Hizbullah+}" in inline.stdout
    assert "source ¶6 → copy ¶8 edited" in inline.stdout
    side = run("diff", AFP, EDITED, "--side-by-side")
    assert "source 002_a03570c17a29d6cf" in side.stdout and "copy 003_17a6059d906b2d12" in side.stdout
    assert "source ¶6 → copy ¶8" not in side.stdout


def test_diff_html_writes_a_standalone_page_instead_of_printing(tmp_path):
    page = tmp_path / "diff.html"
    result = run("diff", AFP, EDITED, "--html", page)
    assert result.exit_code == 0
    assert "syndicate diff" not in result.stdout
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Hizbullah" in html and "[Anwar Amro/AFP]" in html
    assert "{+" not in html  # colour, not markers, on the page


@pytest.mark.parametrize(("args", "message"), [
    (["missing.txt", AFP], "missing.txt: no such file"),
    (["no-such-id", AFP, "--archive", SEEDS], "no-such-id: no such file, and no article with this id in"),
    ([SEEDS, AFP], "is a directory"),
    ([AFP, EDITED, "--inline", "--side-by-side"], "choose one of --inline and --side-by-side"),
])
def test_diff_bad_input_is_one_clear_line_and_exit_2(args, message):
    result = run("diff", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_diff_rejects_a_binary_file(tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("diff", binary, AFP)
    assert result.exit_code == 2
    assert "photo.txt: binary file" in " ".join(result.stderr.split())


def test_show_lists_the_copies_of_a_cluster_then_each_diff():
    result = run("show", "1", "--archive", SEEDS, "--no-color", COLUMNS="200")
    assert result.exit_code == 0, result.output
    out = result.stdout
    overview = out[: out.index("╭─ syndicate diff")]
    assert f"source  {SOURCE_AFP}  Lebanon's Hezbollah chief meets Hamas" in overview
    assert "agency credit (AFP)" in overview and "16 paragraphs, 366 words" in overview
    rows = {line.split()[0]: line.split() for line in overview.splitlines() if line.strip().startswith("00")}
    assert rows[COPY_AFP][2:4] == ["copy", "79%"]
    assert rows[REWRITE_AFP][2] == "rewrite"
    assert out.count("╭─ syndicate diff") == 2


def test_show_json_has_one_alignment_per_copy():
    data = json.loads(run("show", "1", "--archive", SEEDS, "--format", "json").stdout)
    assert data["source"] == SOURCE_AFP
    assert sorted(c["copy"] for c in data["copies"]) == [REWRITE_AFP, COPY_AFP]


def test_show_an_unknown_cluster_is_exit_2():
    result = run("show", "9", "--archive", SEEDS)
    assert result.exit_code == 2
    assert "no cluster 9" in " ".join(result.stderr.split())


def test_diff_reads_ids_from_a_csv_archive_with_the_reader_options(tmp_path):
    archive = tmp_path / "archive.csv"
    lead = "The central bank raised its main interest rate by half a point on Thursday."
    quote = "Inflation remains far too high, the governor told reporters in the capital."
    archive.write_text("story,body\n"
                       f'wire-1,"{lead} ### {quote}"\n'
                       f'site-9,"{quote} ### {lead.replace("Thursday", "Friday")}"\n', encoding="utf-8")
    result = run("diff", "wire-1", "site-9", "--archive", archive, "--id-field", "story",
                 "--paragraph-sep", " ### ", "--format", "json")
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.stdout)["pairs"]
    # The longer lead stays in order (it shares more text); the quote moved ahead of it.
    assert [(p["op"], p["source_paragraphs"], p["copy_paragraphs"]) for p in pairs] == [
        ("move", [1], [0]), ("edit", [0], [1])]
