"""Input limits: declared once, applied the same way in files, on the command line and in Python."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import missionsim as ms
from missionsim import limits
from missionsim.analysis import stats
from missionsim.cli import main
from missionsim.experiments.runner import spec_for
from missionsim.experiments.scenario import Scenario, ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"name": "small", "world": {"preset": "small"}, "horizon": 12, "replicates": 2}
SERIAL = ms.RunOptions(workers=1)


def one_line(message: str, starts: str) -> None:
    assert "\n" not in message and message.startswith(starts), message
    assert len(message) <= 300, len(message)


@pytest.mark.parametrize(("value", "ok"), [
    (0, True), (7, True), (np.int64(3), True), (True, False), (1.5, False), (2.0, False),
    ("7", False), (None, False), (-1, False), (11, False), (math.inf, False)])
def test_whole_numbers_refuse_what_is_not_one_and_name_the_argument(value, ok):
    if ok:
        assert limits.whole_number(value, "count", 0, 10) == int(value)
        return
    with pytest.raises(ValueError) as info:
        limits.whole_number(value, "count", 0, 10)
    one_line(str(info.value), "count = ")
    assert str(info.value).endswith("expected a whole number from 0 to 10")


def test_quoted_values_are_cut_to_the_declared_length():
    text = limits.quote("x" * 10_000)
    assert len(text) == limits.MAX_QUOTED_CHARS and text.endswith("…")
    listed = limits.choices([f"name_{i}" for i in range(100)])
    assert len(listed) < limits.MAX_CHOICES_CHARS + 20 and listed.endswith("(100 in all)")
    assert limits.choices(["a", "b"]) == "a, b"


@pytest.mark.parametrize(("call", "starts"), [
    (lambda: ms.compare([SMALL], replicates=10**7, options=SERIAL), "replicates = 10000000"),
    (lambda: ms.compare([SMALL], replicates=0, options=SERIAL), "replicates = 0"),
    (lambda: ms.compare([SMALL], replicates=2.5, options=SERIAL), "replicates = 2.5"),
    (lambda: ms.compare([SMALL], seed=-1, options=SERIAL), "seed = -1"),
    (lambda: ms.compare([SMALL], seed="x", options=SERIAL), "seed = 'x'"),
    (lambda: ms.compare([SMALL], seed=1.5, options=SERIAL), "seed = 1.5"),
    (lambda: ms.RunOptions(workers=0), "workers = 0"),
    (lambda: ms.RunOptions(workers=10**6), "workers = 1000000"),
    (lambda: ms.run(SMALL, seed=-1), "seed = -1"),
    (lambda: ms.run(SMALL, seed="x"), "seed = 'x'"),
    (lambda: spec_for(Scenario.from_mapping(SMALL), 0, seed=1.5), "seed = 1.5"),
    (lambda: spec_for(Scenario.from_mapping(SMALL), -1), "replicate = -1"),
    (lambda: ms.MissionModel(preset="small", rng="x"), "rng = 'x'"),
    (lambda: ms.MissionModel(preset="small", rng=-1), "rng = -1"),
    (lambda: ms.MissionModel(preset="small", rng=1.5), "rng = 1.5"),
    (lambda: ms.MissionModel(preset="small", horizon=601), "horizon = 601"),
    (lambda: ms.MissionModel(preset="small", params={"n_localities": math.inf}),
     "parameter 'n_localities' = inf: expected a finite value"),
    (lambda: ms.MissionModel(preset="small", params={"staff_per_1000": 500.0,
                                                     "cohort_total": 5_000_000}),
     "world: about 2,500,"),
    (lambda: stats.wilson(11, 10), "successes = 11"),
    (lambda: stats.wilson(1, -2), "n = -2"),
])
def test_python_arguments_get_one_line_naming_the_argument(call, starts):
    with pytest.raises(ValueError) as info:
        call()
    one_line(str(info.value), starts)


def test_a_generator_is_still_a_valid_rng():
    model = ms.MissionModel(preset="small", rng=np.random.default_rng(3), horizon=2)
    assert model.run().month == 2


def test_names_are_stripped_so_padded_names_are_one_scenario():
    a = Scenario.from_mapping({**SMALL, "name": "base"})
    b = Scenario.from_mapping({**SMALL, "name": "  base "})
    assert a.name == b.name == "base"
    with pytest.raises(ScenarioError, match="two scenarios are named 'base'"):
        ms.compare([a, b], options=SERIAL)


@pytest.mark.parametrize(("argv", "starts"), [
    (["compare", "baseline", "--replicates", "10000000", "--out", "x"],
     "missionsim compare: error: Invalid value for '--replicates'"),
    (["compare", "baseline", "--seed", "-1", "--out", "x"],
     "missionsim compare: error: Invalid value for '--seed'"),
    (["compare", "baseline", "--workers", "5000", "--out", "x"],
     "missionsim compare: error: Invalid value for '--workers'"),
    (["compare", "--out", "x"], "missionsim compare: error: Missing argument"),
    (["nonsense"], "missionsim: error: No such command"),
])
def test_command_line_limits_and_usage_errors_are_one_line(argv, starts, capsys, tmp_path,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    one_line(captured.err.strip(), starts)
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_the_usage_guide_states_every_limit():
    doc = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- limits -->\n(.*?)<!-- /limits -->", doc, re.S)
    assert table, "docs/usage.md has no table of input limits"
    for name in dir(limits):
        if name.startswith(("MAX_", "CLUSTER_")):
            value = getattr(limits, name)
            shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
            assert f"`{name}`" in table.group(1) and shown in table.group(1), name
