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


def run(*args: str):
    return runner.invoke(app, list(args))


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
        assert set(link) >= {"a", "b", "kind", "jaccard", "containment_a_in_b", "containment_b_in_a",
                             "shared_paragraphs"}
        assert link["kind"] in {"copy", "rewrite"}
        assert 0 <= link["jaccard"] <= min(link["containment_a_in_b"], link["containment_b_in_a"]) <= 1
    assert not set(INDEPENDENT) & set(cluster["members"])


def test_jsonl_and_csv(seeds_dir: Path) -> None:
    lines = run("scan", str(seeds_dir), "-f", "jsonl").stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["source"] == SOURCE_AFP
    rows = list(csv.DictReader(io.StringIO(run("scan", str(seeds_dir), "-f", "csv").stdout)))
    assert {(r["a"], r["b"], r["kind"]) for r in rows} >= {(SOURCE_AFP, COPY_AFP, "copy")}


def test_table_lists_the_cluster_with_its_source(seeds_dir: Path) -> None:
    result = run("scan", str(seeds_dir))
    assert result.exit_code == 0
    assert "1 clusters · 3 of 5 articles" in result.stdout
    assert SOURCE_AFP[:12] in result.stdout and "agency credit" in result.stdout


def test_threshold_option_changes_the_verdict(seeds_dir: Path) -> None:
    strict = json.loads(run("scan", str(seeds_dir), "-f", "json", "--threshold", "0.95").stdout)
    kinds = {link["kind"] for cluster in strict["clusters"] for link in cluster["links"]}
    assert "copy" not in kinds


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x00\x01\x02", "binary file"),
        ("latin1.txt", "d\u00e9j\u00e0".encode("latin-1"), "not valid UTF-8"),
        ("bad.jsonl", b'{"id": "1", "text": "x"}\n{oops}\n', ":2: malformed JSON"),
        ("bad.csv", b"id,text\n1,a,b\n", ":2: row has 3 fields"),
        ("notext.jsonl", b'{"id": "1", "title": "t"}\n', "missing text field"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_it(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("scan", str(path), "-f", "json")
    assert result.exit_code == 2
    assert name in result.stderr and message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


def test_skip_bad_warns_and_scans_the_rest(tmp_path: Path, seeds_dir: Path) -> None:
    for seed in seeds_dir.glob("*.txt"):
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    (tmp_path / "zz_binary.txt").write_bytes(b"\x00\x00")
    result = run("scan", str(tmp_path), "-f", "json", "--skip-bad")
    assert result.exit_code == 0
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
