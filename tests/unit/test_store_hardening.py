"""The results store's guards, in one process: the lock, runs stored twice, what differs on
resume, unreadable and missing chunk files, file modes and file systems that refuse writes.

Real stores on disk throughout; only the failing-write tests replace the Parquet writer, with
one that raises the ``OSError`` a full or read-only disk raises, after the first chunks.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import missionsim.experiments.store as store_module
import missionsim.experiments.study as study
from missionsim.cli import main
from missionsim.errors import StoreError
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.store import LOCK, TABLES, Store, difference
from missionsim.experiments.study import compare
from missionsim.limits import MAX_QUOTED_CHARS

BASE = Scenario.from_mapping({"name": "base", "world": {"preset": "small"}, "horizon": 12,
                              "seed": 7})
REFORM = Scenario.from_mapping({"name": "capacity", "world": {"preset": "small"},
                                "horizon": 12, "seed": 7,
                                "reforms": {"local_capacity": {"start": 3}}})
REPLICATES = 3
RUNS = 2 * REPLICATES  # two scenarios
FLUSH = 2
"""Runs per chunk in these tests, so that a study writes several chunks."""
CHUNKS = RUNS // FLUSH
MESSAGE_CHARS = 200
"""Longest one-line message these tests accept (besides the folder's own name)."""


@pytest.fixture
def flush(monkeypatch):
    monkeypatch.setattr(study, "FLUSH_RUNS", FLUSH)


@pytest.fixture
def reference() -> Results:
    return compare([BASE, REFORM], replicates=REPLICATES, options=RunOptions(workers=1))


def _study(out: Path, **kwargs) -> Results:
    return compare([BASE, REFORM], replicates=REPLICATES,
                   options=RunOptions(workers=1, out=out, **kwargs))


def _same(a: Results, b: Results) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_dtype=False)


def _one_line(text: str, root: Path | None = None) -> str:
    line = text.strip()
    assert "\n" not in line and "Traceback" not in line, text
    budget = MESSAGE_CHARS + (2 * len(str(root)) if root is not None else 0)
    assert len(line) <= budget, line
    return line


def _copy_chunk(out: Path, number: int, new: int) -> None:
    """A chunk's three files copied under another number: its runs stored twice."""
    for kind in TABLES:
        shutil.copy(out / "chunks" / f"{number:06d}.{kind}.parquet",
                    out / "chunks" / f"{new:06d}.{kind}.parquet")


def _cli_args(out: Path, tmp_path: Path) -> list[str]:
    files = []
    for scenario in (BASE, REFORM):
        path = tmp_path / f"{scenario.name}.toml"
        reforms = "" if not scenario.reforms else "[reforms.local_capacity]\nstart = 3\n"
        path.write_text(f'name = "{scenario.name}"\nhorizon = 12\nreplicates = {REPLICATES}\n'
                        f'seed = 7\n[world]\npreset = "small"\n{reforms}')
        files.append(str(path))
    return ["compare", *files, "--out", str(out), "--workers", "1", "--no-progress"]


# --- the lock ---------------------------------------------------------------------------------
def test_a_second_writer_is_refused_with_the_holders_process(tmp_path, flush):
    out = tmp_path / "out"
    _study(out)
    holder = Store(out)
    with holder.locked():
        written = json.loads((out / LOCK).read_text())
        assert written["pid"] == os.getpid() and written["host"]
        for writer in (lambda: _study(out, resume=True), lambda: Store(out).repair()):
            with pytest.raises(StoreError) as refused:
                writer()
            message = _one_line(str(refused.value), out)
            assert message.startswith(f"{out}: in use by another study (process {os.getpid()} "
                                      f"on {written['host']}, since {written['started']})")
        assert len(Results.load(out).runs) == RUNS  # reading takes no lock
    assert (out / LOCK).read_text() == ""  # released: the holder's name goes with the lock
    assert len(_study(out, resume=True).runs) == RUNS  # the lock is free again


def test_the_lock_nests_and_is_released_by_close(tmp_path):
    store = Store(tmp_path / "out")
    with store.locked(), store.locked():
        assert store._lock_fd is not None
    assert store._lock_fd is None
    store.open({"study": "x"}, resume=False)  # takes the lock itself
    with pytest.raises(StoreError, match="in use"):
        Store(tmp_path / "out").open({"study": "x"}, resume=True)
    store.close()
    Store(tmp_path / "out").close()  # closing a store that holds nothing does nothing


# --- runs stored twice ------------------------------------------------------------------------
def test_runs_stored_twice_are_refused_on_reading_and_repaired_by_resuming(
        tmp_path, flush, reference, caplog, capsys):
    out = tmp_path / "out"
    _same(reference, _study(out))
    _copy_chunk(out, 1, CHUNKS + 1)
    with pytest.raises(StoreError) as refused:
        Results.load(out)
    message = _one_line(str(refused.value), out)
    assert f"holds {FLUSH} runs twice" in message and f"missionsim repair {out}" in message
    assert main(["report", str(out), "--report", str(tmp_path / "r.html")]) == 2
    assert "holds 2 runs twice" in _one_line(capsys.readouterr().err, out)

    with caplog.at_level(logging.WARNING, logger="missionsim.experiments.store"):
        resumed = _study(out, resume=True)
    notes = [r.getMessage() for r in caplog.records if r.name == "missionsim.experiments.store"]
    assert notes == [f"{out}: removed {FLUSH} runs stored twice (from chunk {CHUNKS + 1:06d})"]
    _same(reference, resumed)
    assert not (out / "chunks" / f"{CHUNKS + 1:06d}.months.parquet").exists()


def test_repair_keeps_one_copy_and_finishes_an_interrupted_repair(tmp_path, flush, reference,
                                                                 capsys):
    out = tmp_path / "out"
    _study(out)
    chunks = out / "chunks"
    # chunk 2 is lost, and a new chunk holds chunk 1's runs again beside chunk 2's
    new = CHUNKS + 1
    for kind in TABLES:
        both = pd.concat([pd.read_parquet(chunks / f"{n:06d}.{kind}.parquet") for n in (1, 2)])
        pq.write_table(store_module.to_arrow(kind, both), chunks / f"{new:06d}.{kind}.parquet")
        (chunks / f"000002.{kind}.parquet").unlink()
    # a repair stopped after rewriting the new chunk's places file (runs is rewritten last)
    first = set(pd.read_parquet(chunks / "000001.runs.parquet")["run_id"])
    places = pq.read_table(chunks / f"{new:06d}.places.parquet").to_pandas()
    pq.write_table(store_module.to_arrow("places", places[~places["run_id"].isin(first)]),
                   chunks / f"{new:06d}.places.parquet")
    (chunks / ".000009.runs.parquet.x.tmp").write_bytes(b"partial")
    with pytest.raises(StoreError, match="holds 2 runs twice"):
        Results.load(out)

    assert main(["repair", str(out)]) == 0
    said = _one_line(capsys.readouterr().out, out)
    assert said == (f"{out}: removed 2 runs stored twice (from chunk {new:06d}); removed 1 "
                    f"leftover file of unfinished chunks; {RUNS} of {RUNS} planned runs stored, "
                    "each once")
    _same(reference, Results.load(out))
    assert main(["repair", str(out)]) == 0  # again: nothing left to do
    assert capsys.readouterr().out.strip() == (f"{out}: nothing to repair; {RUNS} of {RUNS} "
                                               "planned runs stored, each once")


def test_repair_refuses_a_folder_without_a_study_and_creates_nothing(tmp_path, capsys):
    assert main(["repair", str(tmp_path / "typo")]) == 2
    assert "no results here" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "typo").exists()


# --- what differs -----------------------------------------------------------------------------
CHANGES = {
    "setting": (lambda: [BASE, REFORM.with_changes(reforms={"local_capacity": {"start": 4}})],
                {}, "scenario 'capacity': reforms.local_capacity.start is 3 in the store, 4 now"),
    "replicates": (lambda: [BASE, REFORM], {"replicates": REPLICATES + 1},
                   f"replicates: {REPLICATES} in the store, {REPLICATES + 1} now"),
    "seed": (lambda: [BASE, REFORM], {"seed": 8}, "root seed: 7 in the store, 8 now"),
    "order": (lambda: [REFORM, BASE], {}, "its scenarios are in another order: ['base', "
              "'capacity'] in the store, ['capacity', 'base'] now"),
    "scenarios": (lambda: [BASE, REFORM.with_changes(name="other")], {},
                  "its scenarios are ['base', 'capacity'], this study's ['base', 'other']"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_resume_refusal_names_what_differs(tmp_path, change):
    out = tmp_path / "out"
    _study(out)
    items, settings, expected = CHANGES[change]
    with pytest.raises(StoreError) as refused:
        compare(items(), **{"replicates": REPLICATES, **settings},
                options=RunOptions(workers=1, out=out, resume=True))
    assert str(refused.value) == (f"{out}: holds a different study: {expected}; choose another "
                                  "--out folder to run this one")


def test_difference_names_a_sweeps_design_the_version_and_counts_the_rest():
    old = {"kind": "sweep", "design": "morris", "samples": 4, "sample_seed": 1,
           "factors": {"x": {"low": 0.1, "high": 0.3}}, "version": "1.0"}
    assert difference(old, {**old, "samples": 8}) == "the sweep's samples: 4 in the store, 8 now"
    factor = {**old, "factors": {"x": {"low": 0.2, "high": 0.3}}}
    assert difference(old, factor) == "the sweep's factors.x.low: 0.1 in the store, 0.2 now"
    assert difference(old, {**old, "version": "1.1"}) == (
        "it was made by missionsim 1.0, this is 1.1")
    both = difference(old, {**old, "design": "sobol", "version": "1.1"})
    assert both == "the sweep's design: 'morris' in the store, 'sobol' now (and 1 other difference)"
    long = {**old, "design": "x" * 10 * MAX_QUOTED_CHARS}
    words = len("the sweep's design:  in the store,  now")
    assert len(difference(old, long)) <= 2 * MAX_QUOTED_CHARS + words  # the values shortened


# --- unreadable and missing chunk files -------------------------------------------------------
def test_an_unreadable_chunk_is_one_line_and_repair_sets_it_aside(tmp_path, flush, reference,
                                                                 capsys):
    out = tmp_path / "out"
    _study(out)
    months = out / "chunks" / "000002.months.parquet"
    months.write_bytes(months.read_bytes()[: months.stat().st_size // 2])  # truncated
    expected = (f"{months}: unreadable (corrupt or truncated); run `missionsim repair {out}` to "
                "set chunk 000002 aside, then resume to run its runs again")
    with pytest.raises(StoreError) as refused:
        Results.load(out)
    assert str(refused.value) == expected
    _one_line(expected, out)
    with pytest.raises(StoreError, match="unreadable"):  # resuming refuses too
        _study(out, resume=True)
    (out / "chunks" / "000001.runs.parquet").write_bytes(b"not parquet at all")  # garbage
    assert main(["report", str(out), "--report", str(tmp_path / "r.html")]) == 2
    assert "000001.runs.parquet: unreadable" in _one_line(capsys.readouterr().err, out)

    assert Store(out).repair().set_aside == [1, 2]
    assert sorted(p.name for p in (out / "corrupt").iterdir()) == sorted(
        f"00000{n}.{kind}.parquet" for n in (1, 2) for kind in TABLES)
    assert len(Results.load(out).runs) == RUNS - 2 * FLUSH
    _same(reference, _study(out, resume=True))


def test_a_missing_runs_file_is_one_line_not_a_file_not_found_error(tmp_path, flush,
                                                                     reference, capsys):
    out = tmp_path / "out"
    _study(out)
    runs = out / "chunks" / "000003.runs.parquet"
    runs.unlink()
    for read in (lambda: Results.load(out), lambda: Store(out).completed(),
                 lambda: _study(out, resume=True)):
        with pytest.raises(StoreError) as refused:
            read()
        assert str(refused.value).startswith(f"{runs}: missing (the chunk's months file exists)")
    assert main(["report", str(out), "--report", str(tmp_path / "r.html")]) == 2
    assert "missionsim repair" in _one_line(capsys.readouterr().err, out)
    assert Store(out).repair().set_aside == [3]
    _same(reference, _study(out, resume=True))


# --- file modes -------------------------------------------------------------------------------
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_store_files_take_the_umask_as_open_does(tmp_path, flush, mask, mode):
    old = os.umask(mask)
    store_module.umask.cache_clear()
    try:
        out = tmp_path / "out"
        _study(out)
        assert store_module.umask() == mask
    finally:
        os.umask(old)
        store_module.umask.cache_clear()
    files = [out / "manifest.json", out / LOCK, *(out / "chunks").iterdir()]
    assert len(files) == 2 + CHUNKS * len(TABLES)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_the_umask_is_read_without_changing_it():
    store_module.umask.cache_clear()
    before = os.umask(0o022)
    os.umask(before)
    assert store_module.umask() == before
    assert os.umask(before) == before  # unchanged


# --- file systems that refuse a write (the Parquet writer replaced) ---------------------------
FAILURES = {
    "full": (errno.ENOSPC, "no space left on the device", "free some space"),
    "read-only": (errno.EROFS, "read-only file system", "make it writable"),
    "denied": (errno.EACCES, "permission denied", "give yourself write permission"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_refused_chunk_write_is_one_line_status_2_and_keeps_the_runs(
        tmp_path, flush, monkeypatch, capsys, reference, failure):
    code, problem, remedy = FAILURES[failure]
    out = tmp_path / "out"
    real = pq.write_table
    calls = []
    kept_chunks = 2

    def failing(table, where, *args, **kwargs):
        calls.append(where)
        if len(calls) > kept_chunks * len(TABLES):
            raise OSError(code, os.strerror(code), str(where))
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", failing)
    args = _cli_args(out, tmp_path)
    assert main(args) == 2
    err = _one_line(capsys.readouterr().err, out)
    assert err == (f"missionsim: error: {out}: cannot write chunk {kept_chunks + 1:06d} "
                   f"({problem}); the runs stored before are kept: {remedy}, then run the same "
                   "command with --resume")
    assert not list((out / "chunks").glob(".*.tmp"))
    assert len(Results.load(out).runs) == kept_chunks * FLUSH
    monkeypatch.setattr(pq, "write_table", real)
    assert main([*args, "--resume"]) == 0
    _same(reference, Results.load(out))


def test_a_refused_manifest_write_is_one_line_status_2(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"

    def refuse(path, write):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr("missionsim.experiments.store.store.write_atomic", refuse)
    assert main(_cli_args(out, tmp_path)) == 2
    assert _one_line(capsys.readouterr().err, out) == (
        f"missionsim: error: {out}: cannot write manifest.json (read-only file system); make it "
        "writable or choose another --out folder")
