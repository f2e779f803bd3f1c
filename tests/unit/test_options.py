"""RunOptions: one frozen set of run settings taken by every study-running function, and the
deprecated keywords that still mean what they meant."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from missionsim.experiments.options import RunOptions, resolve
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import compare, replicate
from missionsim.experiments.sweeps import Sweep, run_sweep

SMALL = Scenario.from_mapping({"name": "small", "world": {"preset": "small"}, "horizon": 6,
                               "seed": 3})
REFORMED = SMALL.with_changes(name="reformed", reforms={"devolution": {"start": 2}})
SERIAL = RunOptions(workers=1)


def test_options_are_frozen_and_checked():
    options = RunOptions(workers=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.workers = 3  # type: ignore[misc]
    assert options.but(workers=1) == RunOptions(workers=1)
    with pytest.raises(ValueError, match="choose one"):
        RunOptions(workers=1, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="resume = True needs out"):
        RunOptions(resume=True)
    with pytest.raises(ValueError, match="resume = 'yes'"):
        RunOptions(out="x", resume="yes")  # type: ignore[arg-type]
    assert RunOptions(max_chunk=1).max_chunk == 1
    for bad in (0, 17, 2.5, True):
        with pytest.raises(ValueError, match="max_chunk"):
            RunOptions(max_chunk=bad)  # type: ignore[arg-type]


def test_resolve_defaults_and_refusals():
    assert resolve(None, {}, "compare") == RunOptions()
    assert resolve(SERIAL, {}, "compare") is SERIAL
    with pytest.raises(TypeError, match="expected a RunOptions"):
        resolve({"workers": 1}, {}, "compare")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        resolve(None, {"colour": "red"}, "compare")
    with pytest.raises(TypeError, match="not both"):
        resolve(SERIAL, {"workers": 1}, "compare")


def test_deprecated_keywords_warn_and_mean_what_they_meant():
    with pytest.warns(DeprecationWarning, match="pass options=RunOptions"):
        assert resolve(None, {"workers": 1}, "compare") == SERIAL
    with pytest.warns(DeprecationWarning):  # as before: nothing to resume without a folder
        assert resolve(None, {"resume": True, "workers": 1}, "compare") == SERIAL
    with pytest.warns(DeprecationWarning):  # as before: a scheduler takes precedence
        assert resolve(None, {"workers": 4, "scheduler": "tcp://h:1"}, "compare") == RunOptions(
            scheduler="tcp://h:1")


def test_every_study_function_gives_the_same_runs_either_way():
    new = compare([SMALL, REFORMED], replicates=2, options=SERIAL)
    with pytest.warns(DeprecationWarning, match=r"compare\(..., workers=...\)"):
        old = compare([SMALL, REFORMED], replicates=2, workers=1)
    pd.testing.assert_frame_equal(new.months, old.months)
    with pytest.warns(DeprecationWarning, match=r"replicate\("):
        again = replicate(SMALL, replicates=2, workers=1)
    pd.testing.assert_frame_equal(again.months, replicate(SMALL, 2, options=SERIAL).months)
    sweep = Sweep.from_mapping({"name": "s", "scenario": SMALL, "design": "factorial",
                                "factors": {"devolution.start": {"values": [1, 3]}}})
    with pytest.warns(DeprecationWarning, match=r"run_sweep\("):
        swept = run_sweep(sweep, workers=1)
    pd.testing.assert_frame_equal(swept.months, run_sweep(sweep, SERIAL).months)


def test_options_reach_the_store_and_the_callback(tmp_path):
    seen = []
    options = RunOptions(out=tmp_path / "out", workers=1, on_result=lambda d, t: seen.append(d))
    stored = compare([SMALL], replicates=2, options=options)
    assert seen == [1, 2] and stored.complete
    assert stored.manifest["executor"] == "serial"
    resumed = compare([SMALL], replicates=2, options=options.but(resume=True))
    pd.testing.assert_frame_equal(resumed.months, stored.months)
