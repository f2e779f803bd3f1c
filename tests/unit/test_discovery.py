"""Scenario discovery: PRIM and CART recover planted failure boxes; plain-language text uses
the declared names and units; bad input gets one line; results are deterministic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis import discovery
from missionsim.analysis.discovery import (
    BOX_COLUMNS,
    TRAJECTORY_COLUMNS,
    Box,
    DiscoveryError,
    Restriction,
    describe,
    discover,
)
from missionsim.model.params import PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(5)
FUTURES = 2000
NOISE = 0.05  # share of the planted misses swapped with futures outside the box
EDGE_TOLERANCE = 0.05
METHODS = ("prim", "cart")


def planted(seed: int, futures: int = FUTURES, noise: float = NOISE):
    """Six inputs uniform on [0, 1]; the package misses when x1 > 0.7 and x3 < 0.3.

    Label noise: a share ``noise`` of the futures inside the box are relabelled as meeting the
    target and as many futures outside it as missing, so the box still holds (1 - noise) of
    the misses and (1 - noise) of its futures miss.
    """
    rng = np.random.default_rng(seed)
    inputs = pd.DataFrame(rng.uniform(size=(futures, 6)), columns=[f"x{i}" for i in range(1, 7)])
    miss = ((inputs["x1"] > 0.7) & (inputs["x3"] < 0.3)).to_numpy().copy()
    inside, outside = np.flatnonzero(miss), np.flatnonzero(~miss)
    swapped = round(noise * inside.size)
    miss[rng.choice(inside, swapped, replace=False)] = False
    miss[rng.choice(outside, swapped, replace=False)] = True
    return inputs, miss


def bounds(box: Box) -> dict[str, tuple[float | None, float | None]]:
    return {r.variable: (r.lower, r.upper) for r in box.restrictions}


# --- known answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS)
def test_the_planted_failure_box_is_recovered(method, seed):
    inputs, miss = planted(seed)
    found = discover(inputs, miss, method=method)
    assert found.boxes, "no box found"
    box = found.boxes[0]
    # only x1 (from below) and x3 (from above) are restricted, each near its planted edge
    assert set(bounds(box)) == {"x1", "x3"}
    (x1_low, x1_high), (x3_low, x3_high) = bounds(box)["x1"], bounds(box)["x3"]
    assert x1_high is None and x3_low is None
    assert x1_low == pytest.approx(0.7, abs=EDGE_TOLERANCE)
    assert x3_high == pytest.approx(0.3, abs=EDGE_TOLERANCE)
    assert box.coverage >= 0.8 and box.density >= 0.8
    # the statistics are those of the box over the whole ensemble
    inside = box.contains(inputs)
    assert box.n_futures == inside.sum() and box.n_misses == miss[inside].sum()
    assert box.coverage == pytest.approx(miss[inside].sum() / miss.sum())
    assert box.density == pytest.approx(miss[inside].mean())
    assert box.mass == pytest.approx(inside.mean())
    assert found.n_futures == FUTURES and found.n_misses == miss.sum()


def test_prim_finds_two_planted_boxes_one_after_the_other():
    rng = np.random.default_rng(7)
    inputs = pd.DataFrame(rng.uniform(size=(3000, 6)), columns=[f"x{i}" for i in range(1, 7)])
    miss = (((inputs.x1 > 0.8) & (inputs.x2 < 0.3))
            | ((inputs.x4 < 0.25) & (inputs.x5 > 0.7))).to_numpy()
    found = discover(inputs, miss, method="prim", max_boxes=3)
    assert [set(bounds(b)) for b in found.boxes] == [{"x4", "x5"}, {"x1", "x2"}]
    assert bounds(found.boxes[0])["x4"][1] == pytest.approx(0.25, abs=EDGE_TOLERANCE)
    assert bounds(found.boxes[1])["x1"][0] == pytest.approx(0.8, abs=EDGE_TOLERANCE)
    assert sum(b.coverage for b in found.boxes) == pytest.approx(1.0, abs=0.1)
    # the trajectory holds both searches, one chosen step each
    t = found.trajectory
    assert list(t.columns) == list(TRAJECTORY_COLUMNS)
    assert t.groupby("box")["chosen"].sum().to_dict() == {1: 1, 2: 1, 3: 0}
    assert (t[t.chosen].density >= discovery.DEFAULT_THRESHOLD).all()
    # asking for one box gives the first one only
    assert discover(inputs, miss, max_boxes=1).boxes == found.boxes[:1]


def test_prim_drops_the_restrictions_that_chance_explains():
    # few futures and many inputs: PRIM's chosen box also restricts inputs by chance, and
    # the quasi-p test removes exactly those
    unpruned = []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        inputs = pd.DataFrame(rng.uniform(size=(300, 12)), columns=[f"v{i}" for i in range(12)])
        miss = (((inputs.v0 > 0.5) & (inputs.v1 < 0.5)).to_numpy()
                & (rng.uniform(size=300) < 0.8))
        kept = discover(inputs, miss, max_boxes=1).boxes[0]
        assert set(bounds(kept)) == {"v0", "v1"}, seed
        everything = discover(inputs, miss, max_boxes=1, max_p=1.0).boxes[0]
        assert set(bounds(everything)) >= {"v0", "v1"}
        unpruned.append(len(everything.restrictions))
    assert sum(n > 2 for n in unpruned) >= 3, unpruned


@pytest.mark.parametrize("method", METHODS)
def test_misses_unrelated_to_the_inputs_give_no_box(method):
    rng = np.random.default_rng(3)
    inputs = pd.DataFrame(rng.uniform(size=(1000, 4)), columns=list("abcd"))
    miss = rng.uniform(size=1000) < 0.1
    found = discover(inputs, miss, method=method)
    assert found.boxes == () and found.describe() == []
    assert found.to_frame().empty and list(found.to_frame().columns) == list(BOX_COLUMNS)
    assert (method == "prim") == (not found.trajectory.empty)


def test_the_peeling_trajectory_trades_coverage_for_density():
    inputs, miss = planted(0)
    t = discover(inputs, miss, max_boxes=1).trajectory
    first = t[t.box == 1]
    # the first step is the whole ensemble; peeling then raises density and lowers coverage
    assert first.iloc[0][["coverage", "mass", "restricted"]].tolist() == [1.0, 1.0, 0]
    assert first.iloc[0].density == pytest.approx(miss.mean())
    best = first.density.idxmax()
    assert first.density[best] > 0.9 and first.coverage[best] < first.coverage.iloc[0]
    assert first.chosen.sum() == 1


# --- words --------------------------------------------------------------------------------------


def test_the_text_names_declared_parameters_with_their_units():
    names = ("labour_market_tightness", "response_lag")
    rng = np.random.default_rng(11)
    inputs = pd.DataFrame({n: rng.uniform(*PARAMETERS[n].plausible, size=FUTURES) for n in names})
    inputs["other"] = rng.uniform(size=FUTURES)
    miss = ((inputs.labour_market_tightness > 1.9) & (inputs.response_lag > 1.4)).to_numpy()
    found = discover(inputs, miss)
    text = found.describe()[0]
    tightness, lag = (PARAMETERS[n].unit for n in names)
    assert re.search(rf"labour market tightness > 1\.[89]\d* \({re.escape(tightness)}\)", text)
    assert re.search(rf"response lag > 1\.[34]\d* \({re.escape(lag)}\)", text)
    assert text.startswith("misses the target when ") and "_" not in text
    assert re.search(r"covers \d+% of misses; \d+% of the futures in it miss; it holds \d+% of",
                     text)
    # given labels and units win; an undeclared column keeps its name and has no unit
    box = found.boxes[0]
    relabelled = describe(box, {"response_lag": "the response lag"}, {"response_lag": "×"})
    assert "the response lag > 1." in relabelled and "(×)" in relabelled
    other = Box((Restriction("other", 0.25, 0.5),), 0.5, 0.6, 0.1, 10, 6)
    assert describe(other).startswith("misses the target when other between 0.25 and 0.5 (")


def test_the_text_writes_one_sided_two_sided_exact_and_large_bounds():
    box = Box((Restriction("a", lower=2.5), Restriction("b", upper=0.12345),
               Restriction("c", 1.0, 3.0), Restriction("d", 4.0, 4.0),
               Restriction("e", lower=123456.7)), 0.82, 0.91, 0.12, 120, 109)
    assert describe(box) == (
        "misses the target when a > 2.5 and b < 0.123 and c between 1 and 3 and d = 4 and "
        "e > 123,457 (covers 82% of misses; 91% of the futures in it miss; it holds 12% of "
        "the futures)")


def test_the_result_tabulates_and_serialises():
    inputs, miss = planted(1)
    found = discover(inputs, miss, labels={"x1": "demand"}, units={"x1": "index"})
    frame = found.to_frame()
    assert list(frame.columns) == list(BOX_COLUMNS)
    assert frame.loc[0, "condition"].startswith("demand > 0.7")
    assert frame.loc[0, "restricted"] == 2 and frame.loc[0, "coverage"] == found.boxes[0].coverage
    data = json.loads(json.dumps(found.to_dict()))
    assert data["method"] == "prim" and data["n_misses"] == int(miss.sum())
    assert data["descriptions"] == found.describe()
    assert data["boxes"][0]["restrictions"][0]["variable"] == "x1"
    assert data["settings"]["threshold"] == discovery.DEFAULT_THRESHOLD
    assert len(data["trajectory"]) == len(found.trajectory)


# --- determinism and alignment ------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_results_are_the_same_for_the_same_input(method):
    inputs, miss = planted(2)
    first = discover(inputs, miss, method=method)
    again = discover(inputs.copy(), miss.copy(), method=method)
    assert first.to_dict() == again.to_dict()
    assert first.trajectory.equals(again.trajectory)


def test_a_series_of_misses_is_aligned_on_the_inputs_index():
    inputs, miss = planted(3)
    inputs.index = inputs.index + 100
    shuffled = pd.Series(miss, index=inputs.index).sample(frac=1.0, random_state=0)
    assert (discover(inputs, shuffled, method="cart").to_dict()
            == discover(inputs, miss, method="cart").to_dict())
    # booleans among the inputs and 0/1 misses are accepted
    inputs["switch"] = inputs["x2"] > 0.5
    assert discover(inputs, miss.astype(int), method="cart").boxes


# --- bad input ----------------------------------------------------------------------------------


def _bad_cases():
    inputs, miss = planted(0, futures=50, noise=0.0)
    text = inputs.assign(x6=["a"] * 50)
    category = inputs.assign(x6=pd.Categorical(["a", "b"] * 25))
    gap = inputs.copy()
    gap.loc[3, "x2"] = np.nan
    infinite = inputs.copy()
    infinite.loc[4, "x5"] = np.inf
    twice = inputs.rename(columns={"x2": "x1"})
    shifted = pd.Series(miss, index=inputs.index + 1)
    return [
        ("empty", pd.DataFrame({"x1": []}), [], {}, "inputs: the ensemble is empty"),
        ("no columns", pd.DataFrame(index=range(5)), [True] * 5, {}, "ensemble is empty"),
        ("not a frame", inputs.to_numpy(), miss, {}, "inputs: expected a pandas DataFrame"),
        ("short", inputs, miss[:-1], {}, "miss: expected one value per future (50)"),
        ("2-d", inputs, np.c_[miss, miss], {}, "miss: expected one value per future"),
        ("index", inputs, shifted, {}, "miss: its index"),
        ("no misses", inputs, np.zeros(50, bool), {}, "meets its target in all 50 futures, so "
                                                      "there is nothing to discover"),
        ("all misses", inputs, np.ones(50, bool), {}, "misses its target in all 50 futures, so "
                                                      "there is nothing to discover"),
        ("not binary", inputs, np.where(miss, 0.5, 0.0), {}, "miss: expected true or false"),
        ("NaN miss", inputs, np.where(miss, np.nan, 0.0), {}, "miss: expected true or false"),
        ("text", text, miss, {}, "inputs column 'x6' is not numeric ("),
        ("category", category, miss, {}, "inputs column 'x6' is not numeric (category)"),
        ("NaN", gap, miss, {}, "inputs column 'x2' has 1 missing or infinite values"),
        ("inf", infinite, miss, {}, "inputs column 'x5' has 1 missing or infinite values"),
        ("twice", twice, miss, {}, "inputs: expected unique text column names"),
        ("method", inputs, miss, {"method": "forest"}, "method = 'forest': expected one of"),
        ("threshold 0", inputs, miss, {"threshold": 0}, "threshold = 0: expected a number in "
                                                         "(0, 1]"),
        ("threshold", inputs, miss, {"threshold": 1.5}, "threshold = 1.5"),
        ("threshold text", inputs, miss, {"threshold": "high"}, "threshold = 'high'"),
        ("threshold bool", inputs, miss, {"threshold": True}, "threshold = True"),
        ("min_mass", inputs, miss, {"min_mass": 1.0}, "min_mass = 1.0: expected a number in "
                                                       "(0, 1)"),
        ("peel_alpha", inputs, miss, {"peel_alpha": 0.5}, "peel_alpha = 0.5"),
        ("paste_alpha", inputs, miss, {"paste_alpha": -0.1}, "paste_alpha = -0.1"),
        ("max_p", inputs, miss, {"max_p": float("nan")}, "max_p = nan"),
        ("max_boxes", inputs, miss, {"max_boxes": 0}, "max_boxes = 0: expected a whole number"),
        ("max_depth", inputs, miss, {"max_depth": 2.5}, "max_depth = 2.5"),
    ]


@pytest.mark.parametrize(("inputs", "miss", "kwargs", "expected"),
                         [case[1:] for case in _bad_cases()],
                         ids=[case[0] for case in _bad_cases()])
def test_bad_input_gets_one_line(inputs, miss, kwargs, expected):
    with pytest.raises(DiscoveryError) as caught:
        discover(inputs, miss, **kwargs)
    message = str(caught.value)
    assert expected in message and "\n" not in message
    assert isinstance(caught.value, ValueError)


# --- the guide ----------------------------------------------------------------------------------


def test_the_guide_example_runs_and_the_defaults_it_quotes_are_current():
    guide = (ROOT / "docs" / "discovery.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", guide, re.M | re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/discovery.md", "exec"), {})  # noqa: S102
    for name in ("DEFAULT_THRESHOLD", "DEFAULT_MIN_MASS", "DEFAULT_PEEL_ALPHA",
                 "DEFAULT_MAX_P", "DEFAULT_MAX_BOXES", "DEFAULT_MAX_DEPTH"):
        assert f"`{name}` = {getattr(discovery, name):g}" in guide, name
