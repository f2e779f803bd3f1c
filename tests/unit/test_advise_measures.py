"""Robustness measures against direct NumPy computations; the Pareto set; the preferred option."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis.advise import measures, pareto, preferred, regret
from missionsim.analysis.advise.measures import scores, wide

TARGET = 70.0
BUDGET = 10.0


def synthetic(seed: int, candidates: int = 5, futures: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(candidates):
        for k in range(futures):
            rows.append({"candidate": f"c{c:04d}", "future": k, "seed": 100 + k,
                         "deadline": rng.normal(70, 2), "horizon": rng.normal(71, 2),
                         "most_deprived": rng.normal(60, 3),
                         "target_met": bool(rng.random() < 0.4),
                         "cost": rng.uniform(0, 15)})
    return pd.DataFrame(rows)


def matrix(frame: pd.DataFrame, column: str) -> np.ndarray:
    names = sorted(frame["candidate"].unique())
    return np.array([frame[frame["candidate"] == n].sort_values("future")[column].to_numpy(
        dtype=float) for n in names])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("direction", [1, -1])
def test_measures_equal_direct_numpy(seed, direction):
    frame = synthetic(seed)
    table = measures(frame, direction, TARGET, BUDGET)
    for objective in ("deadline", "horizon", "most_deprived"):
        x = matrix(frame, objective)
        good = direction * x
        np.testing.assert_allclose(table[f"{objective}_mean"], x.mean(axis=1))
        worst = np.percentile(x, 10 if direction == 1 else 90, axis=1)
        np.testing.assert_allclose(table[f"{objective}_p10"], worst)
        np.testing.assert_allclose(table[f"{objective}_regret"],
                                   (good.max(axis=0) - good).max(axis=1))
        np.testing.assert_allclose(table[f"{objective}_satisficing"],
                                   (direction * (x - TARGET) >= 0).mean(axis=1))
    met = matrix(frame, "target_met")
    np.testing.assert_allclose(table["p_target_mean"], met.mean(axis=1))
    np.testing.assert_allclose(table["p_target_satisficing"], met.mean(axis=1))
    np.testing.assert_allclose(table["p_target_regret"], (met.max(axis=0) - met).max(axis=1))
    cost = matrix(frame, "cost")
    np.testing.assert_allclose(table["cost_mean"], cost.mean(axis=1))
    np.testing.assert_allclose(table["cost_p10"], np.percentile(cost, 90, axis=1))
    np.testing.assert_allclose(table["cost_regret"], (cost - cost.min(axis=0)).max(axis=1))
    np.testing.assert_allclose(table["cost_satisficing"], (cost <= BUDGET).mean(axis=1))


def test_regret_is_against_the_best_of_the_reference_candidates():
    frame = synthetic(4)
    x = matrix(frame, "deadline")
    within = ["c0001", "c0003"]
    got = regret(wide(frame, "deadline"), "deadline", 1, within)
    best = x[[1, 3]].max(axis=0)
    np.testing.assert_allclose(got, np.clip((best - x).max(axis=1), 0, None))
    assert got.loc["c0001"] >= 0 and got.loc["c0003"] >= 0


def test_a_candidate_best_in_every_future_has_no_regret():
    frame = synthetic(5)
    frame.loc[frame["candidate"] == "c0002", "deadline"] += 100.0
    table = measures(frame, 1, TARGET, BUDGET)
    assert table.loc["c0002", "deadline_regret"] == 0.0
    assert (table.drop(index="c0002")["deadline_regret"] > 0).all()


@pytest.mark.parametrize("direction", [1, -1])
def test_search_scores_are_mean_or_worst_tenth_in_the_direction_of_better(direction):
    frame = synthetic(6)
    x = matrix(frame, "deadline")
    cost = matrix(frame, "cost")
    mean = scores(frame, ["deadline", "cost"], "mean", direction)
    np.testing.assert_allclose(mean["deadline"], direction * x.mean(axis=1))
    np.testing.assert_allclose(mean["cost"], -cost.mean(axis=1))
    p10 = scores(frame, ["deadline", "cost"], "p10", direction)
    np.testing.assert_allclose(p10["deadline"], np.percentile(direction * x, 10, axis=1))
    np.testing.assert_allclose(p10["cost"], np.percentile(-cost, 10, axis=1))


def test_the_pareto_set_holds_exactly_the_candidates_nothing_beats():
    table = pd.DataFrame({"deadline": [1.0, 2.0, 3.0, 2.0, 1.0],
                          "cost": [-1.0, -2.0, -3.0, -1.5, -0.5]},
                         index=["a", "b", "c", "d", "e"])
    # larger is better: d beats b (same outcome, cheaper), e beats a
    assert pareto(table) == ["c", "d", "e"]
    rng = np.random.default_rng(7)
    random = pd.DataFrame(rng.normal(size=(40, 3)), index=[f"c{i}" for i in range(40)])
    front = set(pareto(random))
    values = random.to_numpy()
    for i, name in enumerate(random.index):
        beaten = any((values[j] >= values[i]).all() and (values[j] > values[i]).any()
                     for j in range(len(values)))
        assert (name in front) == (not beaten), name


def test_the_preferred_option_follows_the_rule():
    table = pd.DataFrame({"p_target_satisficing": [0.5, 0.75, 0.75, 0.75],
                          "deadline_regret": [0.0, 0.4, 0.2, 0.2],
                          "cost_mean": [1.0, 1.0, 9.0, 5.0]},
                         index=["c0001", "c0002", "c0003", "c0004"])
    assert preferred(table) == "c0004"  # highest share; then least regret; then cheaper
    assert preferred(table.drop(index="c0004")) == "c0003"
    assert preferred(table.iloc[:0]) is None
