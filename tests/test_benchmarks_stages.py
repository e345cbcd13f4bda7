"""benchmarks/stages.py runs end to end on the seeds (no timing assertions: figures live in benchmarks/)."""

from __future__ import annotations

import json

from benchmarks import stages


def test_stages_measures_this_tree_beside_a_revision_and_compares_their_output(tmp_path, seeds_dir):
    out = tmp_path / "stages.json"
    report = stages.main(["--corpus", str(seeds_dir), "--baseline", "HEAD", "--repeat", "1", "--json", str(out)])
    assert json.loads(out.read_text()) == report
    assert set(report["trees"]) == {"HEAD", "this tree"}
    assert report["same_output"] is True  # HEAD and the working tree detect alike on the seeds
    assert report["articles"] == 5
    for tree in report["trees"].values():
        assert tree["counts"]["articles"] == 5 and tree["counts"]["links"] >= 2
        assert set(tree["stages"]) == set(stages.STAGES)
        assert sum(tree["stages"].values()) <= tree["scan"] + 0.01  # CPU seconds of the scan's stages, within its own
        assert len(tree["runs"]) == 1
