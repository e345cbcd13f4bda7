"""benchmarks/report_time.py runs end to end on the seeds (no timing assertions: figures live in benchmarks/)."""

from __future__ import annotations

from benchmarks import report_time


def test_report_time_measures_both_commands_and_the_stages(seeds_dir, tmp_path) -> None:
    report = report_time.main(["--corpus", str(seeds_dir), "--repeat", "1", "--json", str(tmp_path / "r.json")])
    assert len(report["scan_seconds"]) == len(report["report_seconds"]) == 1
    assert report["ratio"] == round(report["report_median"] / report["scan_median"], 2)
    assert report["stages"]["clusters"] == 1 and report["stages"]["copies"] == 2
    assert {"report_members", "report_composites", "report_clusters", "report_overview"} <= set(report["stages"])
    assert (tmp_path / "r.json").is_file()
