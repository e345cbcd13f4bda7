"""`syndicate index …` and the pre-ingest hook `syndicate check`: exit codes, output, bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import COPY_AFP, INDEPENDENT, REWRITE_AFP, SOURCE_AFP
from typer.testing import CliRunner

from syndicate.cli import app
from syndicate.index import Index

runner = CliRunner()


def run(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def db(tmp_path: Path, seeds_dir: Path) -> Path:
    """An index holding exactly the AFP source, 002."""
    path = tmp_path / "x.db"
    result = run("index", "add", "--db", str(path), str(seeds_dir / f"{SOURCE_AFP}.txt"))
    assert result.exit_code == 0, result.output
    return path


def held(path: Path) -> list[str]:
    with Index.open(path, create=False) as index:
        return list(index.ids())


def test_acceptance_sequence_from_the_issue(db: Path, seeds_dir: Path, tmp_path: Path) -> None:
    copy = run("check", "--db", str(db), str(seeds_dir / f"{COPY_AFP}.txt"), "--format", "json")
    assert copy.exit_code == 1, copy.output
    verdict = json.loads(copy.stdout)
    assert (verdict["id"], verdict["verdict"]) == (COPY_AFP, "duplicate")
    assert [(m["id"], m["kind"]) for m in verdict["matches"]] == [(SOURCE_AFP, "copy")]
    for independent in INDEPENDENT:
        result = run("check", "--db", str(db), str(seeds_dir / f"{independent}.txt"))
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("new:")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = run("check", "--db", str(db), str(binary))
    assert result.exit_code == 2
    assert "binary" in result.stderr and str(binary) in result.stderr
    assert held(db) == [SOURCE_AFP]


def test_text_output_names_the_source(db: Path, seeds_dir: Path) -> None:
    result = run("check", "--db", str(db), str(seeds_dir / f"{COPY_AFP}.txt"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"duplicate: {COPY_AFP}"
    assert f"copy of {SOURCE_AFP}" in result.stdout


def test_a_rewrite_is_reported_but_not_a_duplicate(db: Path, seeds_dir: Path) -> None:
    result = run("check", "--db", str(db), str(seeds_dir / f"{REWRITE_AFP}.txt"), "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["verdict"] == "new" and data["matches"][0]["kind"] == "rewrite"


def test_stdin_json_object_and_add_if_new(db: Path, seeds_dir: Path) -> None:
    text = (seeds_dir / f"{INDEPENDENT[0]}.txt").read_text()
    record = json.dumps({"id": "wire-42", "text": text, "title": "T", "outlet": "example.org",
                         "date": "2018-03-01", "url": "https://example.org/42"})
    first = run("check", "--db", str(db), "-", "--add-if-new", "--format", "json", input=record)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"id": "wire-42", "verdict": "new", "matches": [], "added": True}
    again = run("check", "--db", str(db), "-", "--add-if-new", "--format", "json", input=record)
    assert again.exit_code == 1
    assert json.loads(again.stdout) == {"id": "wire-42", "verdict": "already indexed", "matches": [], "added": False}
    other = record.replace('"text": "', '"text": "A new first paragraph.\\n')
    conflict = run("check", "--db", str(db), "-", "--add-if-new", "--format", "json", input=other)
    assert conflict.exit_code == 2
    assert json.loads(conflict.stdout)["verdict"] == "error" and "--replace" in json.loads(conflict.stdout)["error"]
    assert sorted(held(db)) == sorted([SOURCE_AFP, "wire-42"])
    with Index.open(db, create=False) as index:
        stored = index.get("wire-42")
    assert (stored.title, stored.outlet, stored.date, stored.url) == ("T", "example.org", "2018-03-01",
                                                                    "https://example.org/42")


def test_stdin_plain_text(db: Path, seeds_dir: Path) -> None:
    result = run("check", "--db", str(db), "-", "--id", "stdin-copy", input=(seeds_dir / f"{COPY_AFP}.txt").read_text())
    assert result.exit_code == 1


BAD_INPUTS = {
    "empty": (b"", "empty"),
    "binary": (b"\x00\x01\x02ELF" * 100, "binary"),
    "malformed-json": (b'{"id": "a", "text": "unterminated', "malformed JSON"),
    "missing-text": (b'{"id": "a", "headline": "no body here"}', "missing text field"),
    "not-an-object": (b'["a", "b"]', "expected a JSON object"),
}


# On stdin, text that does not start with "{" is read as plain text, so a JSON array is only bad in a file.
@pytest.mark.parametrize(("via", "name"), [("file", name) for name in sorted(BAD_INPUTS)]
                         + [("stdin", name) for name in sorted(BAD_INPUTS) if name != "not-an-object"])
def test_bad_input_exits_2_and_leaves_the_index_unchanged(db: Path, tmp_path: Path, name: str, via: str) -> None:
    raw, message = BAD_INPUTS[name]
    before = db.read_bytes() if not Path(f"{db}-wal").exists() else None
    ids_before = held(db)
    if via == "file":
        path = tmp_path / (f"{name}.jsonl" if raw.startswith((b"{", b"[")) else f"{name}.txt")
        path.write_bytes(raw)
        results = [run("check", "--db", str(db), str(path), "--add-if-new"), run("index", "add", "--db", str(db),
                                                                                  str(path))]
    else:
        results = [run("check", "--db", str(db), "-", "--add-if-new", input=raw)]
    for result in results:
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output
    assert held(db) == ids_before
    if before is not None:
        assert db.read_bytes() == before


def test_a_50_mb_article_is_refused(db: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    line = b"The quick brown fox jumps over the lazy dog near the river bank today.\n"
    with huge.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    for args in (("check", "--db", str(db), str(huge), "--add-if-new"), ("index", "add", "--db", str(db), str(huge))):
        result = run(*args)
        assert result.exit_code == 2
        assert "MB limit" in result.stderr and str(huge) in result.stderr
    assert held(db) == [SOURCE_AFP]


def test_bad_input_never_creates_an_index(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    target = tmp_path / "new.db"
    assert run("index", "add", "--db", str(target), str(empty)).exit_code == 2
    assert run("check", "--db", str(target), str(empty), "--add-if-new").exit_code == 2
    assert not target.exists()


def test_unreadable_index_exits_2(tmp_path: Path, seeds_dir: Path) -> None:
    article = str(seeds_dir / f"{COPY_AFP}.txt")
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are notes, not a database\n" * 100)
    for target in (not_a_db, tmp_path / "missing.db", tmp_path):
        result = run("check", "--db", str(target), article)
        assert result.exit_code == 2, (target, result.output)
        assert str(target) in result.stderr
    assert run("check", article).exit_code == 2  # no index given
    assert not_a_db.read_text().startswith("these are notes")


def test_mismatched_parameters_exit_2(db: Path, seeds_dir: Path) -> None:
    result = run("scan", "--db", str(db), "--ngram", "4")
    assert result.exit_code == 2
    assert "other parameters" in result.stderr


def test_index_add_batches_and_reports(tmp_path: Path, seeds_dir: Path) -> None:
    path = tmp_path / "all.db"
    result = run("index", "add", "--db", str(path), str(seeds_dir), "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "5 articles added" in result.stderr
    stats = run("index", "stats", "--db", str(path), "--format", "json")
    data = json.loads(stats.stdout)
    assert data["articles"] == 5 and data["scheme"] == "affine32" and data["num_perm"] == 128
    assert data["bucket_rows"] > 0 and data["bytes"] > 0


def test_index_check_passes_a_sound_index_and_flags_orphans(db: Path) -> None:
    ok = run("index", "check", "--db", str(db))
    assert ok.exit_code == 0 and ok.stdout.startswith("ok: 1 articles")
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM articles")
    broken = run("index", "check", "--db", str(db))
    assert broken.exit_code == 1
    assert "buckets rows point to no article" in broken.stdout


def test_index_remove(db: Path) -> None:
    assert run("index", "remove", "--db", str(db), SOURCE_AFP).exit_code == 0
    assert held(db) == []
    assert run("index", "remove", "--db", str(db), SOURCE_AFP).exit_code == 1


def test_scan_works_from_an_index(db: Path, seeds_dir: Path) -> None:
    result = run("scan", "--db", str(db), str(seeds_dir / f"{COPY_AFP}.txt"), "--format", "json")
    assert result.exit_code == 0, result.output
    (cluster,) = json.loads(result.stdout)["clusters"]
    assert sorted(cluster["members"]) == sorted([SOURCE_AFP, COPY_AFP])
    assert run("scan").exit_code == 2


def test_diff_and_show_work_from_an_index(tmp_path: Path, seeds_dir: Path) -> None:
    db = tmp_path / "seeds.db"
    assert run("index", "add", "--db", str(db), str(seeds_dir)).exit_code == 0
    from_index = run("diff", "--source", SOURCE_AFP, "--copy", COPY_AFP, "--db", str(db), "--format", "json")
    from_files = run("diff", str(seeds_dir / f"{SOURCE_AFP}.txt"), str(seeds_dir / f"{COPY_AFP}.txt"),
                     "--format", "json")
    assert from_index.exit_code == 0, from_index.output
    assert json.loads(from_index.stdout) == json.loads(from_files.stdout)
    show = run("show", "--cluster", "1", "--db", str(db), "--format", "json")
    assert show.exit_code == 0, show.output
    data = json.loads(show.stdout)
    assert data["source"] == SOURCE_AFP
    assert sorted(copy["copy"] for copy in data["copies"]) == sorted([COPY_AFP, REWRITE_AFP])
    missing = run("diff", "--source", "no-such-id", "--copy", COPY_AFP, "--db", str(db))
    assert missing.exit_code == 2 and "no-such-id" in missing.stderr
    assert run("show", "--cluster", "1").exit_code == 2


def test_check_takes_many_articles_and_exits_with_the_worst_verdict(db: Path, seeds_dir: Path) -> None:
    result = run("check", "--db", str(db), str(seeds_dir), "--format", "json")
    assert result.exit_code == 1, result.output
    verdicts = {v["id"]: v["verdict"] for v in map(json.loads, result.stdout.splitlines())}
    assert verdicts == {INDEPENDENT[0]: "new", REWRITE_AFP: "new", SOURCE_AFP: "already indexed",
                        COPY_AFP: "duplicate", INDEPENDENT[1]: "new"}
    news = run("check", "--db", str(db), *(str(seeds_dir / f"{i}.txt") for i in INDEPENDENT))
    assert news.exit_code == 0 and news.stdout.count("new: ") == 2


def test_json_errors_are_one_object_naming_the_input(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine words here for a line"}\n{"id": "b", "text": \n')
    result = run("check", "--db", str(db), str(bad), "--format", "json")
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    assert (error["input"], error["line"]) == (str(bad), 2) and "malformed JSON" in error["error"]
    missing = run("index", "stats", "--db", str(tmp_path / "none.db"), "--format", "json")
    assert missing.exit_code == 2 and json.loads(missing.stderr)["input"] is None


def test_index_add_json_reports_each_batch_and_refuses_silent_replacement(tmp_path: Path, seeds_dir: Path) -> None:
    path = tmp_path / "all.db"
    result = run("index", "add", "--db", str(path), str(seeds_dir), "--batch-size", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["committed"] for line in lines[:-1]] == [2, 4, 5]
    assert lines[-1] == {"done": True, "added": 5, "already_indexed": 0, "replaced": [], "articles": 5,
                         "index": str(path)}
    changed = tmp_path / f"{SOURCE_AFP}.txt"
    changed.write_text("An unrelated story about the weather in a small mountain town this morning.\n")
    refused = run("index", "add", "--db", str(path), str(changed))
    assert refused.exit_code == 2 and "already indexed with different text" in refused.stderr
    replaced = run("index", "add", "--db", str(path), str(changed), "--replace")
    assert replaced.exit_code == 0 and f"replaced: {SOURCE_AFP}" in replaced.stderr
    twice = tmp_path / "twice.jsonl"
    twice.write_text('{"id": "x", "text": "one two three four five six"}\n{"id": "x", "text": "one two three"}\n')
    assert f"{twice}:2: article id 'x' is used twice" in run("index", "add", "--db", str(path), str(twice)).stderr


def test_index_remove_and_check_as_json(db: Path) -> None:
    result = run("index", "remove", "--db", str(db), SOURCE_AFP, "nope", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"removed": [SOURCE_AFP], "missing": ["nope"]}
    check = run("index", "check", "--db", str(db), "--format", "json")
    assert check.exit_code == 0 and json.loads(check.stdout) == {"ok": True, "articles": 0, "problems": []}


def test_a_check_imports_only_what_it_uses(db: Path, seeds_dir: Path) -> None:
    """Start-up is most of a one-article `syndicate check`, which a pipeline may run per article: a check in a fresh
    interpreter loads neither the other commands (the evaluator, simulator, reports) nor what would cost it for
    nothing (numpy.ma, which np.unique imports on first use; datasketch and scipy; pydantic, which typer 0.29 loads
    on every run)."""
    import subprocess
    import sys

    code = ("import json, sys\nfrom syndicate.cli import main\ntry:\n    main()\nexcept SystemExit as done:\n"
            "    print(done.code, json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code, "check", "--db", str(db), str(seeds_dir / f"{COPY_AFP}.txt")],
                            capture_output=True, text=True, timeout=120)
    code_seen, modules = result.stderr.split(" ", 1)
    assert code_seen == "1" and "duplicate" in result.stdout  # the copy of the indexed source
    loaded = set(json.loads(modules))
    assert not {"numpy.ma", "pydantic", "scipy", "datasketch", "syndicate.evaluate", "syndicate.simulate",
                "syndicate.provenance", "syndicate.outlets", "syndicate.diffview", "syndicate.cli.eval"} & loaded
    assert {name for name in loaded if name.startswith("syndicate.cli.")} == {
        "syndicate.cli.common", "syndicate.cli.group", "syndicate.cli.index"}  # the check's command module alone
