"""Engines decide where a step runs, never what it computes."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from factories import wire_archive

from syndicate import ReaderOptions, read_articles, scan
from syndicate import engine as engine_module
from syndicate.article import write_jsonl
from syndicate.engine import SPOOL_BYTES, LocalEngine, frozen_heap, make_engine
from syndicate.errors import InputError


def scaled(context: int, task: int) -> tuple[int, int]:
    return task * context, os.getpid()


def failing(context: None, task: int) -> int:
    if task == 5:
        raise InputError("part.jsonl", "broken", task)
    return task


def test_local_results_come_back_in_task_order_from_several_processes():
    results = list(LocalEngine(2).map(scaled, 3, range(40)))
    assert [value for value, _ in results] == [3 * task for task in range(40)]
    assert len({pid for _, pid in results} - {os.getpid()}) >= 1


def test_inline_steps_run_in_this_process():
    assert {pid for _, pid in LocalEngine(2).map(scaled, 1, range(5), inline=True)} == {os.getpid()}
    assert {pid for _, pid in LocalEngine(1).map(scaled, 1, range(5))} == {os.getpid()}


def test_a_worker_error_reaches_the_driver_intact():
    with pytest.raises(InputError) as error:
        list(LocalEngine(2).map(failing, None, range(20)))
    assert (error.value.source, error.value.line) == ("part.jsonl", 5)


def filled(context: int, task: int) -> np.ndarray:
    return np.full(context, task % 251, dtype=np.uint8)


def test_large_results_come_back_through_memory_files_that_are_then_gone(monkeypatch, tmp_path):
    monkeypatch.setattr(engine_module, "SPOOL_ROOT", str(tmp_path))
    size = 3 * SPOOL_BYTES
    results = list(LocalEngine(2).map(filled, size, range(12)))
    assert [(len(r), int(r[0]), int(r[-1])) for r in results] == [(size, t % 251, t % 251) for t in range(12)]
    assert list(tmp_path.iterdir()) == []  # the pool's directory went with it


def several(context: None, task: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(task)
    return {"odd": rng.integers(0, 255, SPOOL_BYTES + 7, dtype=np.uint8), "empty": np.empty(0, dtype=np.int32),
            "words": rng.integers(-(2**62), 2**62, 1001), "grid": rng.random((3, 5, 7)),
            "tail": np.arange(4097, dtype=np.uint16)}


def test_a_spooled_result_comes_back_whole_and_writable(monkeypatch, tmp_path):
    """Arrays of every size and shape, none a whole number of pages, come back equal (each mapped on its own
    pages); each can be written without touching the others, or the next result."""
    monkeypatch.setattr(engine_module, "SPOOL_ROOT", str(tmp_path))
    results = list(LocalEngine(2).map(several, None, range(4)))
    for task, result in enumerate(results):  # each checked after the results before it were overwritten
        expected = several(None, task)
        assert list(result) == list(expected)
        for name, array in result.items():
            assert array.dtype == expected[name].dtype and np.array_equal(array, expected[name]), name
        for array in result.values():
            array.fill(0)
    assert list(tmp_path.iterdir()) == []


class Pair(NamedTuple):
    left: np.ndarray
    right: int


@dataclass(frozen=True, slots=True)
class Nested:
    grid: np.ndarray
    parts: list
    named: Pair
    meta: dict
    label: str


def nested(context: None, task: int) -> Nested:
    rng = np.random.default_rng(task)
    return Nested(grid=np.asfortranarray(rng.random((300, 500))), parts=[rng.integers(0, 9, 1000), b"raw", None],
                  named=Pair(np.arange(70_000, dtype=np.int32), task),
                  meta={"when": np.array(["2026-01-01", "NaT"], dtype="datetime64[D]"),
                        "objects": np.array([{"a": task}], dtype=object), "empty": np.zeros((3, 0))},
                  label=f"t{task}")


def test_a_spooled_result_keeps_its_shape_whatever_holds_its_arrays():
    """Arrays inside frozen dataclasses, named tuples, lists and dicts come back in place, with their dtype and
    shape (a Fortran-ordered one, dates, an empty 2-D one); an array of objects and other values travel as they
    are; the large arrays came through the spool file (they do not own their memory)."""
    for task, result in enumerate(LocalEngine(2).map(nested, None, range(3))):
        expected = nested(None, task)
        assert type(result) is Nested and type(result.named) is Pair
        assert (result.label, result.named.right, result.parts[1:]) == (expected.label, task, [b"raw", None])
        pairs = [(result.grid, expected.grid), (result.parts[0], expected.parts[0]),
                 (result.named.left, expected.named.left),
                 *((result.meta[k], v) for k, v in expected.meta.items() if k != "objects")]
        for got, want in pairs:
            assert got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()
        assert result.meta["objects"][0] == {"a": task}
        assert not result.grid.flags.owndata and not result.named.left.flags.owndata


def two_large(context: None, task: int) -> dict[str, np.ndarray]:
    return {"keys": np.full(SPOOL_BYTES, task, dtype=np.uint8), "values": np.arange(SPOOL_BYTES // 8),
            "small": np.arange(10), "ids": ["a", "b"]}


def _mapped_spool_files(directory: Path) -> set[str]:
    """The files of `directory` (unlinked or not) that this process has mapped."""
    with open("/proc/self/maps") as maps:
        return {line.split(None, 5)[5].removesuffix(" (deleted)").strip() for line in maps
                if len(line.split(None, 5)) == 6 and line.split(None, 5)[5].startswith(str(directory))}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mappings from /proc")
def test_each_large_spooled_array_is_a_file_of_its_own_that_goes_with_it(monkeypatch, tmp_path):
    """A file in memory keeps all its pages while any part of it is mapped: a result's large arrays each come in a
    file of their own, so freeing one (a scan drops its band keys once candidates are found, and spills the values)
    gives its memory back while the result's other arrays live on. The small arrays come in one file, read."""
    monkeypatch.setattr(engine_module, "SPOOL_ROOT", str(tmp_path))
    results = list(LocalEngine(2).map(two_large, None, range(2)))
    for task, result in enumerate(results):
        assert np.array_equal(result["values"], np.arange(SPOOL_BYTES // 8)) and int(result["keys"][-1]) == task
        assert result["small"].tolist() == list(range(10)) and result["ids"] == ["a", "b"]
    assert len(_mapped_spool_files(tmp_path)) == 4  # two results, two large arrays each
    del results[0]["keys"], results[1]["values"]
    gc.collect()
    assert len(_mapped_spool_files(tmp_path)) == 2
    assert int(results[0]["values"][-1]) == SPOOL_BYTES // 8 - 1 and int(results[1]["keys"][0]) == 1


def test_spooled_arrays_past_the_mapping_budget_are_read(monkeypatch, tmp_path):
    """Only so many arrays are mapped at once (a process's mappings are limited); the rest are read, the same
    values either way, and each mapping is counted off when its array is freed."""
    monkeypatch.setattr(engine_module, "SPOOL_ROOT", str(tmp_path))
    monkeypatch.setattr(engine_module, "MAP_SMALLEST", 4096)
    monkeypatch.setattr(engine_module, "MAP_MOST", 3)
    live_before = engine_module._mappings.live
    results = list(LocalEngine(2).map(several, None, range(4)))
    assert engine_module._mappings.live == live_before + 3  # 12 arrays over 4 KB came back: 3 mapped, 9 read
    for task, result in enumerate(results):
        for name, array in several(None, task).items():
            assert np.array_equal(result[name], array), name
    del results, result
    gc.collect()
    assert engine_module._mappings.live == live_before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fill a write")
def test_large_results_come_through_the_pipe_when_the_memory_file_system_is_full(monkeypatch, tmp_path):
    spooled, calls, make_file = tmp_path / "spooled", tmp_path / "calls", tempfile.mkstemp
    spooled.mkdir()

    def full(dir: str | None = None) -> tuple[int, str]:  # a file whose writes fail: ENOSPC, as a full /dev/shm
        handle, path = make_file(dir=spooled)
        os.close(handle)
        with calls.open("a") as log:
            log.write(path + "\n")
        return os.open("/dev/full", os.O_WRONLY), path

    monkeypatch.setattr(engine_module.tempfile, "mkstemp", full)
    size = 2 * SPOOL_BYTES
    results = list(LocalEngine(2).map(filled, size, range(6)))
    assert [(len(r), int(r[-1])) for r in results] == [(size, t) for t in range(6)]
    assert len(calls.read_text().splitlines()) == 6  # every result tried the memory file system, failed, and
    assert list(spooled.iterdir()) == []  # left nothing there


def test_the_spool_directories_of_dead_processes_are_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(engine_module, "SPOOL_ROOT", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"syndicate-{dead.stdout.strip()}-abcd"
    (orphan / "result").parent.mkdir()
    (orphan / "result").write_bytes(b"x" * 100)
    alive = tmp_path / f"syndicate-{os.getpid()}-efgh"  # a running scan's (this process's)
    alive.mkdir()
    other = tmp_path / "syndicate-notes"
    other.mkdir()
    results = list(LocalEngine(2).map(filled, 2 * SPOOL_BYTES, range(4)))
    assert [int(r[0]) for r in results] == [0, 1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


STOPPED_EARLY = """
import numpy as np
from syndicate.engine import LocalEngine
from test_engine import filled
for size in (300_000, 3_000_000):  # through the pipe, and through a memory file
    for _ in range(15):
        for number, _ in enumerate(LocalEngine(2).map(filled, size, range(20))):
            if number == 1:
                break
print("done")
"""


def test_a_step_stopped_with_large_results_in_flight_does_not_hang():
    """Stopping early used to kill workers halfway through writing a result, and Pool.terminate() then waited
    for the rest of it forever (about one time in two). In a child process, so a hang fails instead of stalling."""
    child = subprocess.run([sys.executable, "-c", STOPPED_EARLY], capture_output=True, text=True, timeout=240,
                           cwd=Path(__file__).parent)
    assert child.returncode == 0 and child.stdout.strip() == "done", child.stderr


def test_unknown_engines_and_misplaced_addresses_are_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(ValueError, match="--address"):
        make_engine("local", address="auto")


@pytest.fixture(scope="module")
def ray_engine():
    """A local Ray instance with 2 CPUs, as CI runs it; stopped after the module."""
    pytest.importorskip("ray")
    engine = make_engine("ray", workers=2)
    yield engine
    engine.close()


def output(result) -> dict:
    data = result.to_dict(quotes=True)
    data["stats"] = {k: v for k, v in data["stats"].items() if not k.startswith("seconds_")}
    return data


def test_ray_gives_the_local_engines_clusters_and_links(ray_engine, tiny_parts, seeds_dir):
    assert ray_engine.workers == 2
    for source in (wire_archive(), list(read_articles([seeds_dir]))):
        local = scan(source, workers=1)
        on_ray = scan(source, engine=ray_engine)
        assert on_ray.plan["engine"] == "ray"
        assert output(on_ray) == output(local)


def test_ray_gives_the_local_engines_output_on_helsinki(ray_engine, tiny_parts, helsinki_csv):
    archive = list(read_articles([helsinki_csv], ReaderOptions(paragraph_sep=" ### ")))
    assert output(scan(archive, engine=ray_engine)) == output(scan(archive, workers=1))


def test_ray_workers_on_this_machine_read_jsonl_themselves(ray_engine, tiny_parts, tmp_path):
    path = tmp_path / "wire.jsonl"
    with path.open("w") as handle:
        write_jsonl(wire_archive(), handle)
    on_ray = scan(read_articles([path]), engine=ray_engine)
    assert "read_and_sketch" in on_ray.plan["task_seconds"] and "read_and_sketch" not in on_ray.plan["inline_steps"]
    assert output(on_ray) == output(scan(list(read_articles([path])), workers=1))


def test_ray_reports_a_repeated_id_like_the_local_engine(ray_engine, tiny_parts):
    articles = wire_archive()
    articles.append(articles[0])
    with pytest.raises(InputError, match="duplicate article id") as error:
        scan(articles, engine=ray_engine)
    assert error.value.source == articles[0].id


def test_the_default_leaves_busy_cores_alone(monkeypatch):
    """Busy cores are read from /proc/stat over a short sample: 16 cores, 3.4 of them busy, leave 13 (rounded)."""
    from syndicate import engine as engine_module

    samples = iter([(1000, 2000), (1000 + 126, 2000 + 160)])  # idle 126 of 160 ticks: 21.25 % busy
    monkeypatch.setattr(engine_module, "available_cores", lambda: 16)
    monkeypatch.setattr(engine_module.os, "cpu_count", lambda: 16)
    monkeypatch.setattr(engine_module, "_cpu_times", lambda: next(samples))
    monkeypatch.setattr(engine_module, "BUSY_SAMPLE_SECONDS", 0.0)
    monkeypatch.setattr(engine_module.os, "getloadavg", lambda: (40.0, 0.0, 0.0))  # lagging: not what is read
    assert engine_module.default_workers() == 13
    samples = iter([(0, 0), (0, 100)])  # nothing idle
    assert engine_module.default_workers() == 1


def test_without_proc_stat_the_default_falls_back_to_the_load_average(monkeypatch):
    from syndicate import engine as engine_module

    monkeypatch.setattr(engine_module, "available_cores", lambda: 16)
    monkeypatch.setattr(engine_module, "_cpu_times", lambda: None)
    monkeypatch.setattr(engine_module.os, "getloadavg", lambda: (3.4, 0.0, 0.0))
    assert engine_module.default_workers() == 13
    monkeypatch.setattr(engine_module.os, "getloadavg", lambda: (40.0, 0.0, 0.0))
    assert engine_module.default_workers() == 1


def test_the_worker_count_is_decided_only_when_a_step_needs_a_pool(monkeypatch):
    """A batch or a scan too small for a pool never pays for sampling the machine's load."""
    from syndicate import engine as engine_module

    decided = []
    monkeypatch.setattr(engine_module, "default_workers", lambda: decided.append(1) or 2)
    engine = LocalEngine()
    assert [value for value, _ in engine.map(scaled, 10, [1, 2], inline=True)] == [10, 20]
    assert not decided
    assert engine.workers == 2 and decided == [1]
    assert LocalEngine(3).workers == 3 and decided == [1]


def test_proc_stat_reads_as_idle_and_total_ticks():
    from syndicate.engine import _cpu_times

    times = _cpu_times()
    if times is None:
        pytest.skip("no /proc/stat here")
    idle, total = times
    assert 0 <= idle <= total and total > 0


def test_a_frozen_heap_stays_frozen_until_the_outermost_section_ends() -> None:
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        outer = gc.get_freeze_count()
        assert outer > 0
        made_between = [[n] for n in range(100)]  # tracked objects the inner section's freeze takes in
        with frozen_heap():
            assert gc.get_freeze_count() >= outer + len(made_between)
        assert gc.get_freeze_count() >= outer + len(made_between)  # the inner section's end unfreezes nothing
    assert gc.get_freeze_count() == 0
