"""`syndicate diff` and `syndicate show` from the command line: outputs, options, and bad input (exit 2)."""

from __future__ import annotations

import json

import pytest
from conftest import COPY_AFP, INDEPENDENT, REWRITE_AFP, SEEDS, SOURCE_AFP
from typer.testing import CliRunner

from syndicate.cli import app
from syndicate.reuse import KINDS

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
    by_id = run("diff", SEEDS, "--source", SOURCE_AFP, "--copy", COPY_AFP, "--format", "json")
    by_path = run("diff", AFP, EDITED, "--format", "json")
    assert by_id.exit_code == 0 and json.loads(by_id.stdout) == json.loads(by_path.stdout)


def test_an_id_that_names_a_file_is_only_an_id(tmp_path):
    """Issue 14, item 7: `diff ../../etc/passwd …` printed the password file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("The password is swordfish, and nobody may read this file through diff.", encoding="utf-8")
    result = run("diff", SEEDS, "--source", secret, "--copy", COPY_AFP)
    assert result.exit_code == 2
    assert f"{secret}: no article with this id in {SEEDS}" in " ".join(result.stderr.split())
    assert "swordfish" not in result.output


def test_diff_of_articles_that_share_nothing_says_so_in_one_line():
    result = run("diff", AFP, INDEPENDENT_REPORT)
    assert result.exit_code == 0
    assert " ".join(result.stdout.split()) == (f"{SOURCE_AFP} and {INDEPENDENT[0]} share no text: no paragraph of "
                                               "one is found in the other (16 paragraphs against 18).")


def test_diff_headers_take_no_headline_from_furniture(tmp_path):
    furniture = "Sunday, Jul 15th 2018 5-Day Forecast for the whole region"
    story = ["Senior officials met in Beirut on Wednesday to discuss the war, the group said in a statement.",
             "The statement did not say when or where the meeting took place, only that it was in Lebanon."]
    (tmp_path / "a.txt").write_text("\n".join([furniture, *story]), encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(["Sign up for our newsletter today and every day", *story]),
                                    encoding="utf-8")
    result = run("diff", tmp_path / "a.txt", tmp_path / "b.txt", "--no-color", COLUMNS="200")
    header = result.stdout[: result.stdout.index("╰")]
    assert "Forecast" not in header and "newsletter" not in header
    assert header.count("Senior officials met in Beirut") == 2


def test_diff_view_without_colour_uses_word_diff_markers_and_honours_layout_flags():
    inline = run("diff", AFP, EDITED, "--layout", "inline", "--no-color", COLUMNS="200")
    assert inline.exit_code == 0
    assert "[-Hezbollah-]{+Hizbullah+}" in inline.stdout
    assert "source ¶6 → copy ¶8 edited" in inline.stdout
    side = run("diff", AFP, EDITED, "--layout", "side-by-side")
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
    ([SEEDS, "--source", "no-such-id", "--copy", COPY_AFP], f"no-such-id: no article with this id in {SEEDS}"),
    ([SEEDS, "--source", SOURCE_AFP], "give both --source ID and --copy ID, or neither"),
    ([SEEDS], f"{SEEDS}: holds more than 2 articles; give exactly 2, or pick them by id"),
    ([AFP], f"{AFP}: holds 1 article; give exactly 2"),
    ([AFP, EDITED, "--layout", "sideways"], "Invalid value for '--layout'"),
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
    result = run("show", SEEDS, "--cluster", "1", "--no-color", COLUMNS="200")
    assert result.exit_code == 0, result.output
    out = result.stdout
    overview = out[: out.index("╭─ syndicate diff")]
    assert f"source  {SOURCE_AFP}  Lebanon's Hezbollah chief meets Hamas" in overview
    assert "agency credit (AFP)" in overview and "16 paragraphs, 366 words" in overview
    lines = {line.split()[0]: line for line in overview.splitlines() if line.strip().startswith("00")}
    rows = {member: line.split() for member, line in lines.items()}
    assert rows[COPY_AFP][2:5] == ["copy", "89%", "79%"]  # kind, passages, kept word for word
    assert "3 same · 9 edited · 1 moved · 17 added · 3 deleted" in lines[COPY_AFP]  # 200 columns: paragraph counts
    assert rows[REWRITE_AFP][2] == "rewrite"
    assert out.count("╭─ syndicate diff") == 2
    assert out.index(f"copy        {COPY_AFP}") < out.index(f"copy        {REWRITE_AFP}")  # copy before rewrite


def test_show_summary_prints_only_the_overview_and_copy_only_that_copy():
    summary = run("show", SEEDS, "--summary", "--no-color", COLUMNS="200").stdout
    assert "2 copies of" in summary and "╭─ syndicate diff" not in summary
    assert f"rewrite: {KINDS['rewrite']}" in summary
    one = run("show", SEEDS, "--copy", REWRITE_AFP, "--no-color", COLUMNS="200").stdout
    assert one.count("╭─ syndicate diff") == 1 and REWRITE_AFP in one and COPY_AFP not in one
    row = run("show", SEEDS, "--copy", REWRITE_AFP, "--summary", "--no-color", COLUMNS="200").stdout
    assert "1 copy of" in row and REWRITE_AFP in row and COPY_AFP not in row and "╭─ syndicate diff" not in row
    assert "is the source of cluster 1" in run("show", SEEDS, "--copy", SOURCE_AFP).stderr
    missing = run("show", SEEDS, "--copy", INDEPENDENT[0])
    assert missing.exit_code == 2 and f"{INDEPENDENT[0]}: not a member of cluster 1" in missing.stderr


def test_show_sorts_copies_by_kind_then_kept_then_id_as_numbers(tmp_path):
    from factories import story

    wire = story(1, paragraphs=8)
    records = [{"id": "wire", "text": "\n".join(wire), "outlet": "AFP"}]
    for number, kept in ((10552, 8), (729, 8), (31, 6)):
        records.append({"id": f"site-{number}", "text": "\n".join(wire[:kept] + story(number, paragraphs=2))})
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    data = json.loads(run("show", tmp_path, "--format", "json").stdout)
    assert [c["copy"] for c in data["copies"]] == ["site-729", "site-10552", "site-31"]


def test_show_json_has_one_alignment_per_copy():
    data = json.loads(run("show", SEEDS, "--format", "json").stdout)
    assert data["source"] == SOURCE_AFP
    assert [c["copy"] for c in data["copies"]] == [COPY_AFP, REWRITE_AFP]
    assert [c["kind"] for c in data["copies"]] == ["copy", "rewrite"]


def test_show_an_unknown_cluster_is_exit_2():
    result = run("show", SEEDS, "--cluster", "9")
    assert result.exit_code == 2
    assert "no cluster 9 in" in " ".join(result.stderr.split())
    assert "(the scan found clusters 1 to 1)" in " ".join(result.stderr.split())


def test_diff_reads_ids_from_a_csv_archive_with_the_reader_options(tmp_path):
    archive = tmp_path / "archive.csv"
    lead = "The central bank raised its main interest rate by half a point on Thursday."
    quote = "Inflation remains far too high, the governor told reporters in the capital."
    archive.write_text("story,body\n"
                       f'wire-1,"{lead} ### {quote}"\n'
                       f'site-9,"{quote} ### {lead.replace("Thursday", "Friday")}"\n', encoding="utf-8")
    result = run("diff", archive, "--source", "wire-1", "--copy", "site-9", "--id-field", "story",
                 "--paragraph-sep", " ### ", "--format", "json")
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.stdout)["pairs"]
    # The longer lead stays in order (it shares more text); the quote moved ahead of it.
    assert [(p["op"], p["source_paragraphs"], p["copy_paragraphs"]) for p in pairs] == [
        ("move", [1], [0]), ("edit", [0], [1])]


def test_show_pages_on_a_terminal_unless_told_not_to(monkeypatch):
    from rich.pager import SystemPager

    paged: list[str] = []
    monkeypatch.setattr(SystemPager, "show", lambda self, content: paged.append(content))
    direct = run("show", SEEDS, "--color", "--no-pager")  # --color: a terminal for rich, here
    assert direct.exit_code == 0 and "syndicate diff" in direct.stdout and paged == []
    paged_run = run("show", SEEDS, "--color")
    assert paged_run.exit_code == 0 and "syndicate diff" not in paged_run.stdout
    assert len(paged) == 1 and "syndicate diff" in paged[0]
    assert run("show", SEEDS).stdout.count("syndicate diff") == 2  # not a terminal: printed, no pager
    assert len(paged) == 1


def test_show_reads_standard_input_once_and_still_finds_the_members():
    records = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))]
    result = CliRunner().invoke(app, ["show", "-", "--format", "json"],
                                input="".join(json.dumps(r) + "\n" for r in records))
    assert result.exit_code == 0, result.output
    assert [c["copy"] for c in json.loads(result.stdout)["copies"]] == [COPY_AFP, REWRITE_AFP]
