"""`syndicate report`, `syndicate outlets` and `syndicate trace` from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import INDEPENDENT, SEEDS, SOURCE_AFP
from report_support import broken_links, wire_archive
from typer.testing import CliRunner

from syndicate import read_articles
from syndicate.cli import app
from syndicate.html import is_report


def run(*args: object, input: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, env={"COLUMNS": "160", "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("archive") / "archive.jsonl"
    lines = [json.dumps({"id": a.id, "text": "\n".join(a.paragraphs), "title": a.title, "outlet": a.outlet,
                         "date": a.date}) for a in wire_archive()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_report_writes_the_report_and_says_where(archive_file, tmp_path) -> None:
    out = tmp_path / "report"
    result = run("report", archive_file, "--out", out)
    assert result.exit_code == 0, result.output
    assert is_report(out) and broken_links(out) == []
    assert f"open {out / 'index.html'}" in result.stderr.replace("\n", "")
    assert result.stdout == ""


def test_the_report_and_outlets_json_show_the_same_table(archive_file, tmp_path) -> None:
    out = tmp_path / "report"
    assert run("report", archive_file, "--out", out).exit_code == 0
    printed = json.loads(run("outlets", archive_file, "--format", "json").stdout)
    assert json.loads((out / "report.json").read_text())["outlets"] == printed
    assert [row["outlet"] for row in printed["outlets"]] == ["Gazette", "Herald", "Courier", "Daily Planet", "Reuters"]


def test_outlets_csv_and_text(archive_file) -> None:
    rows = list(csv.DictReader(io.StringIO(run("outlets", archive_file, "--format", "csv").stdout)))
    assert rows[0]["outlet"] == "Gazette" and rows[0]["AP_share"] == "0.3333" and "Reuters_words" in rows[0]
    text = run("outlets", archive_file).stdout
    assert "5 outlets · 5 of 8 articles reuse wire copy" in text and "Daily Planet" in text


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--out", "x"], "nothing to read"),
    (["outlets", "missing.jsonl"], "missing.jsonl: no such file"),
    (["trace", SEEDS, "--article", "nope"], "nope: no article with this id in"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path) -> None:
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_report_refuses_a_folder_that_is_not_a_report(archive_file, tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("report", archive_file, "--out", tmp_path)
    assert result.exit_code == 2 and f"{tmp_path}: directory is not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_trace_reads_standard_input_once_and_names_each_source(seeds_dir) -> None:
    seeds = {a.id: a.paragraphs for a in read_articles([seeds_dir])}
    afp, other = seeds[SOURCE_AFP], [p for p in seeds[INDEPENDENT[1]] if len(p.split()) > 20]
    composite = {"id": "composite", "text": "\n".join([afp[5], other[0], "Made up, short.", afp[6], other[1]])}
    result = run("trace", seeds_dir, "-", "--article", "composite", "--format", "json", input=json.dumps(composite))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["source"] for p in data["paragraphs"]] == [SOURCE_AFP, INDEPENDENT[1], None, SOURCE_AFP, INDEPENDENT[1]]
    assert data["composite"] and {s["id"] for s in data["sources"]} == {SOURCE_AFP, INDEPENDENT[1]}
    text = run("trace", seeds_dir, "-", "--article", "composite", input=json.dumps(composite)).stdout
    assert "Where composite came from" in text and "too short to trace" in text


def test_trace_and_outlets_read_an_index_with_db(tmp_path) -> None:
    from syndicate import Index

    database = tmp_path / "index.db"
    with Index.open(database) as index:
        index.add_many(wire_archive())
    data = json.loads(run("trace", "--db", database, "--article", "mix-courier", "--format", "json").stdout)
    assert [p["source"] for p in data["paragraphs"]][:3] == ["a-planet", "a-planet", None]
    printed = json.loads(run("outlets", "--db", database, "--format", "json").stdout)
    assert printed["articles"] == 8 and printed["agencies"] == ["AP", "Reuters"]
