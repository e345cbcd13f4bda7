from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import COPY_AFP, INDEPENDENT, REWRITE_AFP, SOURCE_AFP
from typer.testing import CliRunner

from syndicate.cli import app

runner = CliRunner()


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_json_has_the_documented_shape(seeds_dir: Path) -> None:
    result = run("scan", str(seeds_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 5
    (cluster,) = data["clusters"]
    assert set(cluster) >= {"id", "source", "members", "links"}
    assert cluster["source"] == SOURCE_AFP
    assert sorted(cluster["members"]) == sorted([SOURCE_AFP, COPY_AFP, REWRITE_AFP])
    for link in cluster["links"]:
        assert set(link) >= {"a", "b", "kind", "jaccard", "a_in_b", "b_in_a", "grades", "unquoted_words", "passages"}
        assert link["kind"] in {"copy", "excerpt", "rewrite"}
        assert 0 < min(link["a_in_b"], link["b_in_a"]) <= max(link["a_in_b"], link["b_in_a"]) <= 1
        assert sum(link["grades"].values()) == pytest.approx(link["a_in_b"], abs=2e-3)  # grades split a's share
        assert link["passages"] >= 1 and link["unquoted_words"] > 0
    assert not set(INDEPENDENT) & set(cluster["members"])


def test_jsonl_and_csv(seeds_dir: Path) -> None:
    lines = run("scan", str(seeds_dir), "-f", "jsonl").stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["source"] == SOURCE_AFP
    rows = list(csv.DictReader(io.StringIO(run("scan", str(seeds_dir), "-f", "csv").stdout)))
    assert {(r["a"], r["b"], r["kind"]) for r in rows} >= {(SOURCE_AFP, COPY_AFP, "copy")}
    assert {"verbatim", "edited", "paraphrased", "a_in_b"} <= set(rows[0]) and "grades" not in rows[0]


def test_table_lists_the_cluster_with_its_source(seeds_dir: Path) -> None:
    result = run("scan", str(seeds_dir))
    assert result.exit_code == 0
    assert "1 cluster · 3 of 5 articles" in result.stdout
    words = " ".join(result.stdout.split())  # the table wraps its cells
    assert SOURCE_AFP in words and "agency credit (AFP)" in words


def test_threshold_option_changes_the_verdict(seeds_dir: Path) -> None:
    strict = json.loads(run("scan", str(seeds_dir), "-f", "json", "--threshold", "0.95").stdout)
    kinds = {link["kind"] for cluster in strict["clusters"] for link in cluster["links"]}
    assert "copy" not in kinds


BAD_INPUTS = [
    ("empty.txt", b"", None, "empty file"),
    ("binary.txt", b"\x00\x01\x02", None, "binary file"),
    ("bad.jsonl", b'{"id": "1", "text": "x"}\n{oops}\n', 2, "malformed JSON"),
    ("bad.csv", b"id,text\n1,a,b\n", 2, "row has 3 fields"),
    ("notext.jsonl", b'{"id": "1", "title": "t"}\n', 1, "missing text field"),
    ("twice.jsonl", b'{"id": "1", "text": "x"}\n{"id": 1, "text": "y"}\n', 2, "article id '1' is used twice"),
    ("open.csv", b'id,text\n1,"open\n2,b\n', 2, "quoted field is never closed"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_naming_it(tmp_path: Path, name: str, content: bytes, line: int | None,
                                                   message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("scan", path)
    assert result.exit_code == 2
    where = f"{path}:{line}" if line else str(path)
    assert result.stderr.startswith(f"syndicate: error: {where}: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 or len(" ".join(result.stderr.split())) > 80
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("name", "content", "line", "message"), BAD_INPUTS)
def test_with_format_json_the_error_is_a_json_object(tmp_path: Path, name: str, content: bytes, line: int | None,
                                                     message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("scan", path, "-f", "json")
    assert result.exit_code == 2 and result.stdout == ""
    error = json.loads(result.stderr)
    assert error["input"] == str(path) and error["line"] == line and message in error["error"]


def test_a_misspelt_field_option_is_an_error_not_blank_outlets(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,publisher,text\n1,P,Story one\n", encoding="utf-8")
    result = run("scan", path, "--outlet-field", "outlet_name")
    assert result.exit_code == 2
    assert "no field 'outlet_name' (for --outlet-field); fields present: id, publisher, text" in result.stderr


def test_a_csv_on_stdin_is_many_articles_not_one(seeds_dir: Path) -> None:
    rows = ["id,text"] + [f'{p.stem},"{p.read_text(encoding="utf-8").replace(chr(34), chr(39))}"'
                          for p in sorted(seeds_dir.glob("*.txt"))]
    from_stdin = json.loads(run("scan", "-", "-f", "json", input="\n".join(rows) + "\n").stdout)
    from_dir = json.loads(run("scan", seeds_dir, "-f", "json").stdout)
    assert from_stdin["articles"] == 5
    assert [c["members"] for c in from_stdin["clusters"]] == [c["members"] for c in from_dir["clusters"]]


def test_plain_text_on_stdin_needs_an_id(seeds_dir: Path) -> None:
    text = (seeds_dir / f"{COPY_AFP}.txt").read_text(encoding="utf-8")
    refused = run("scan", "-", input=text)
    assert refused.exit_code == 2 and "<stdin>: plain text on standard input needs an id" in refused.stderr
    accepted = json.loads(run("scan", "-", seeds_dir / f"{SOURCE_AFP}.txt", "--id", "pasted", "-f", "json",
                              input=text).stdout)
    assert sorted(accepted["clusters"][0]["members"]) == sorted(["pasted", SOURCE_AFP])


def test_an_input_that_yields_nothing_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "reut2-000.sgm").write_text("<REUTERS/>", encoding="utf-8")
    result = run("scan", tmp_path)
    assert result.exit_code == 2 and "no article files in this directory" in result.stderr and ".sgm" in result.stderr


def test_a_file_in_another_encoding_is_read_and_the_encoding_reported(tmp_path: Path, seeds_dir: Path) -> None:
    for seed in seeds_dir.glob("*.txt"):
        (tmp_path / seed.name).write_bytes(seed.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    result = run("scan", tmp_path, "-f", "json")
    assert result.exit_code == 0, result.output
    assert "read as cp1252" in result.stderr
    assert json.loads(result.stdout)["clusters"][0]["source"] == SOURCE_AFP


def test_skip_bad_warns_and_scans_the_rest(tmp_path: Path, seeds_dir: Path) -> None:
    for seed in seeds_dir.glob("*.txt"):
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    (tmp_path / "zz_binary.txt").write_bytes(b"\x00\x00")
    result = run("scan", str(tmp_path), "-f", "json", "--skip-bad")
    assert result.exit_code == 0
    assert run("scan", str(tmp_path), "-f", "json", "--skip-bad", "--no-skip-bad").exit_code == 2
    assert "skipped" in result.stderr and "zz_binary.txt" in result.stderr
    assert json.loads(result.stdout)["articles"] == 5


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run("scan", str(tmp_path / "absent"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_scan_runs_with_workers_a_window_and_spilling(seeds_dir: Path, tmp_path: Path) -> None:
    plain = json.loads(run("scan", str(seeds_dir), "--format", "json").stdout)
    result = run("scan", str(seeds_dir), "--format", "json", "--workers", "2", "--window", "3650", "--spill",
                 "--spill-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"] == plain["clusters"]
    assert list(tmp_path.iterdir()) == []


def test_an_address_without_ray_is_an_error(seeds_dir: Path) -> None:
    result = run("scan", str(seeds_dir), "--address", "auto")
    assert result.exit_code == 2
    assert "--address is for --engine ray" in result.output
