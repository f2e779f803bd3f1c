"""Studies end to end: executors agree, the store survives SIGKILL and resumes exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from missionsim.errors import ClusterError, StoreError
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.store import Store
from missionsim.experiments.study import compare

BASE = {"name": "baseline", "world": {"preset": "small"}, "horizon": 24, "seed": 11}
REFORM = {**BASE, "name": "capacity", "reforms": {"local_capacity": {"start": 3}}}
UNCERTAIN = {**BASE, "name": "uncertain",
             "uncertainties": {"programme_success_share": {"low": 0.1, "high": 0.3}}}


def scenarios() -> list[Scenario]:
    return [Scenario.from_mapping(d) for d in (BASE, REFORM, UNCERTAIN)]


def assert_same(a: Results, b: Results) -> None:
    for table in ("months", "runs", "places"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_dtype=False)


@pytest.fixture(scope="module")
def serial() -> Results:
    return compare(scenarios(), replicates=3, options=RunOptions(workers=1))


def test_processes_equal_serial(serial, tmp_path):
    parallel = compare(scenarios(), replicates=3,
                       options=RunOptions(workers=2, out=tmp_path / "out"))
    assert_same(serial, parallel)
    assert len(serial.runs) == 9 and serial.runs["run_id"].is_unique


def test_dask_local_cluster_equals_serial(serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        by_address = compare(scenarios(), replicates=3,
                             options=RunOptions(scheduler=cluster.scheduler_address))
        with distributed.Client(cluster) as client:
            by_client = compare(scenarios(), replicates=3,  # run by run, as the app sends
                                options=RunOptions(scheduler=client, max_chunk=1))
    assert_same(serial, by_address)
    assert_same(serial, by_client)


def test_common_random_numbers_across_scenarios(serial):
    runs = serial.runs.set_index(["scenario", "replicate"])
    for r in range(3):
        seeds = {runs.loc[(s, r), "seed"] for s in ("baseline", "capacity", "uncertain")}
        assert len(seeds) == 1
    assert serial.runs.groupby("scenario")["seed"].nunique().eq(3).all()
    months = serial.months
    # before the reform starts (month 3) the reform scenario is the baseline, month by month
    early = months[months["month"] <= 3]
    a = early[early["scenario"] == "baseline"].drop(columns=["run_id", "scenario"])
    b = early[early["scenario"] == "capacity"].drop(columns=["run_id", "scenario"])
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_tidy_frame_carries_settings_and_seed(serial):
    frame = serial.frame()
    assert {"scenario", "seed", "replicate", "month", "outcome", "local_capacity.intensity",
            "programme_success_share"} <= set(frame.columns)
    assert len(frame) == 9 * 25
    cap = frame[frame["scenario"] == "capacity"]
    assert (cap["local_capacity.intensity"] == 1.0).all()
    assert (frame[frame["scenario"] == "baseline"]["local_capacity.intensity"] == 0.0).all()
    drawn = frame[frame["scenario"] == "uncertain"].groupby("replicate")[
        "programme_success_share"].first()
    assert drawn.between(0.1, 0.3).all() and drawn.nunique() == 3


def test_store_refuses_to_mix_studies(tmp_path):
    out = tmp_path / "out"
    compare(scenarios()[:1], replicates=1, options=RunOptions(workers=1, out=out))
    with pytest.raises(StoreError, match="already holds results; pass --resume"):
        compare(scenarios()[:1], replicates=1, options=RunOptions(workers=1, out=out))
    with pytest.raises(StoreError, match="holds a different study"):
        compare(scenarios()[:1], replicates=2, options=RunOptions(workers=1, out=out, resume=True))
    again = compare(scenarios()[:1], replicates=1,
                    options=RunOptions(workers=1, out=out, resume=True))
    assert len(again.runs) == 1


def test_resume_removes_half_written_chunks(tmp_path):
    out = tmp_path / "out"
    full = compare(scenarios(), replicates=2, options=RunOptions(workers=1, out=out))
    store = Store(out)
    chunks = sorted(store.chunks.glob("*.months.parquet"))
    # simulate a kill between the files of the last chunk: its months file never landed
    chunks[-1].unlink()
    (store.chunks / ".000009.runs.parquet.abc.tmp").write_bytes(b"partial")
    missing = len(full.runs) - len(store.completed())
    assert missing > 0
    resumed = compare(scenarios(), replicates=2,
                      options=RunOptions(workers=1, out=out, resume=True))
    assert_same(full, resumed)
    assert not list(store.chunks.glob(".*.tmp"))


SIGKILL_SCENARIOS = """
name = "{name}"
horizon = 30
replicates = 24
seed = 5
[world]
preset = "small"
{extra}
"""


@pytest.mark.slow
def test_sigkill_then_resume_gives_every_run_exactly_once(tmp_path):
    files = []
    for name, extra in (("base", ""), ("devolved", "[reforms.devolution]\nstart = 6")):
        path = tmp_path / f"{name}.toml"
        path.write_text(SIGKILL_SCENARIOS.format(name=name, extra=extra))
        files.append(str(path))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "missionsim.cli", "compare", *files, "--out", str(out),
           "--workers", "2", "--no-progress"]
    env = {**os.environ, "MISSIONSIM_FLUSH_RUNS": "4"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    store = Store(out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(store.chunks.glob("*.months.parquet"))) >= 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the study finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = store.completed()
    assert 0 < len(partial) < 48

    resumed = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    results = Results.load(out)
    assert len(results.runs) == 48 and results.runs["run_id"].is_unique
    assert len(results.months) == 48 * 31
    assert results.months.groupby("run_id").size().eq(31).all()
    reference = compare(files, replicates=24, options=RunOptions(workers=1))
    assert_same(reference, results)


def test_a_study_that_stopped_before_its_first_chunk_does_not_claim_the_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ClusterError, match="cannot connect"):
        compare(scenarios()[:1], replicates=1,
                options=RunOptions(out=out, scheduler="tcp://127.0.0.1:9"))
    assert (out / "manifest.json").exists()
    done = compare(scenarios()[:1], replicates=1, options=RunOptions(workers=1, out=out))
    assert len(done.runs) == 1
