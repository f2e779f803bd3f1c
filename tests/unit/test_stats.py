"""Comparison statistics: intervals against known values, coverage, and known answers through
the real model (common random numbers make a no-op reform's effect exactly zero)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from missionsim.analysis import stats
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import compare
from missionsim.model.missions import MISSIONS
from missionsim.writeup.summary import markdown as summary_markdown_table

# --- wilson -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n", "expected"), [
    (0, 10, (0.0, 0.0, 0.2775)),
    (10, 10, (1.0, 0.7225, 1.0)),
    (5, 10, (0.5, 0.2366, 0.7634)),
    (1, 10, (0.1, 0.0179, 0.4042)),
    (50, 100, (0.5, 0.4038, 0.5962)),
    (1, 1, (1.0, 0.2065, 1.0)),
])
def test_wilson_known_values(k, n, expected):
    assert stats.wilson(k, n) == pytest.approx(expected, abs=1e-3)


def test_wilson_is_symmetric_and_contains_the_share():
    for n in (1, 2, 7, 30):
        for k in range(n + 1):
            p, lo, hi = stats.wilson(k, n)
            assert 0.0 <= lo <= p + 1e-12 and p - 1e-12 <= hi <= 1.0
            q, qlo, qhi = stats.wilson(n - k, n)
            assert (1 - hi, 1 - lo) == pytest.approx((qlo, qhi), abs=1e-12)


def test_wilson_interval_contains_the_share_exactly():
    for n in range(1, 201):
        for k in range(n + 1):
            p, lo, hi = stats.wilson(k, n)
            assert lo <= p <= hi, (k, n, lo, hi)
        assert stats.wilson(0, n)[1] == 0.0 and stats.wilson(n, n)[2] == 1.0


def test_wilson_without_trials_is_nan():
    assert all(math.isnan(v) for v in stats.wilson(0, 0))


# --- mean_ci and paired_effect ------------------------------------------------------------------
VALUES = np.array([2.1, -0.4, 3.3, 1.7, 0.0, 2.8, 1.1, -1.2, 4.0, 0.9])


def test_mean_ci_matches_scipy_t_interval():
    for level in (0.95, 0.9, 0.99):
        mean, lo, hi = stats.mean_ci(VALUES, level)
        expected = sps.t.interval(level, VALUES.size - 1, loc=VALUES.mean(),
                                  scale=sps.sem(VALUES))
        assert mean == pytest.approx(VALUES.mean(), rel=1e-12)
        assert (lo, hi) == pytest.approx(expected, rel=1e-10)


def test_paired_effect_is_the_ci_of_the_differences():
    control = np.linspace(10.0, 19.0, VALUES.size)
    treatment = control + VALUES
    mean, lo, hi = stats.paired_effect(treatment, control)
    expected = sps.t.interval(0.95, VALUES.size - 1, loc=VALUES.mean(), scale=sps.sem(VALUES))
    assert mean == pytest.approx(VALUES.mean(), rel=1e-10)
    assert (lo, hi) == pytest.approx(expected, rel=1e-9)
    assert stats.paired_effect(control, control) == (0.0, 0.0, 0.0)


def test_small_samples_give_nan_bounds():
    mean, lo, hi = stats.mean_ci([3.5])
    assert mean == 3.5 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(v) for v in stats.mean_ci([]))
    mean, lo, hi = stats.paired_effect([2.0], [0.5])
    assert mean == 1.5 and math.isnan(lo) and math.isnan(hi)


def test_non_finite_values_are_left_out():
    with_nan = np.append(VALUES, [np.nan, np.inf])
    assert stats.mean_ci(with_nan) == pytest.approx(stats.mean_ci(VALUES))


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="paired_effect"):
        stats.paired_effect([1.0, 2.0, 3.0], [1.0, 2.0])


def test_paired_interval_covers_the_truth_95_percent_of_the_time():
    rng = np.random.default_rng(20260501)
    trials, n, truth = 4000, 10, 0.7
    common = rng.normal(50.0, 5.0, size=(trials, n))  # shared by both arms (paired)
    control = common + rng.normal(0.0, 1.0, size=(trials, n))
    treatment = common + truth + rng.normal(0.0, 1.5, size=(trials, n))
    covered = 0
    for t, c in zip(treatment, control, strict=True):
        _, lo, hi = stats.paired_effect(t, c)
        covered += lo <= truth <= hi
    assert abs(covered / trials - 0.95) <= 0.015, covered / trials


# --- known answers through the real model -------------------------------------------------------
BASE = Scenario.from_mapping({"name": "baseline", "world": {"preset": "small"}, "horizon": 24,
                              "replicates": 3, "seed": 99})
NO_OPS = {
    "renamed": {},
    "devolution_off": {"reforms": {"devolution": {"intensity": 0.0}}},
    "leadership_off": {"reforms": {"mission_leadership": {"intensity": 0.0}}},
    "capacity_switched_off": {"reforms": {"local_capacity": {"enabled": False}}},
    "leadership_zero": {"reforms": {"mission_leadership": {"start": 6, "end": 12,
                                                           "intensity": 0.0}}},
}
IDENTITY = ["run_id", "scenario", "point", "replicate", "seed"]


@pytest.fixture(scope="module")
def no_op_study() -> Results:
    scenarios = [BASE] + [BASE.with_changes(name=name, **change)
                          for name, change in NO_OPS.items()]
    return compare(scenarios, options=RunOptions(workers=1))


def test_no_op_scenarios_have_exactly_zero_effect(no_op_study):
    summary = stats.summarise(no_op_study)
    assert list(summary["scenario"]) == ["baseline", *NO_OPS]
    assert (summary["n"] == 3).all()
    for column in ("effect_deadline", "effect_end", "effect_most_deprived", "effect_inequality",
                   "extra_spend"):
        for suffix in ("", "_lo", "_hi"):
            assert (summary[column + suffix] == 0.0).all(), column + suffix
    assert (summary["rank"] == 1).all()  # all tied


def test_no_op_scenarios_reproduce_the_baseline_month_by_month(no_op_study):
    m = no_op_study.months
    values = [c for c in m.columns if c not in IDENTITY]
    base = m[m["scenario"] == "baseline"][values].reset_index(drop=True)
    for name in NO_OPS:
        other = m[m["scenario"] == name][values].reset_index(drop=True)
        pd.testing.assert_frame_equal(other, base, check_exact=True, obj=name)


HORIZON = 40  # past the early-years deadline (36), so targets are assessed
STUDY = Scenario.from_mapping({"name": "baseline", "world": {"preset": "small"},
                               "horizon": HORIZON, "replicates": 8, "seed": 5})
CAPACITY = STUDY.with_changes(name="local_capacity", reforms={"local_capacity": {}})
PACKAGE = STUDY.with_changes(name="package", reforms={
    "local_capacity": {}, "long_term_funding": {}, "workforce_codesign": {},
    "learning_accountability": {"intensity": 0.5}})


@pytest.fixture(scope="module")
def study() -> Results:
    return compare([STUDY, CAPACITY, PACKAGE], options=RunOptions(workers=1))


def test_local_capacity_raises_council_capacity(study):
    m = study.months
    at_end = m[m["month"] == HORIZON].pivot_table(index="replicate", columns="scenario",
                                                  values="council_capacity")
    assert len(at_end) == 8
    effect, lo, hi = stats.paired_effect(at_end["local_capacity"], at_end["baseline"])
    assert lo > 0.0, (effect, lo, hi)
    assert lo <= effect <= hi
    # replicate r of every scenario ran with the same seed (common random numbers)
    seeds = study.runs.pivot_table(index="replicate", columns="scenario", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()


def test_summary_ranks_by_effect_at_the_deadline(study):
    summary = stats.summarise(study)
    assert summary.attrs["deadline"] == MISSIONS["early_years"].deadline
    assert summary.attrs["end"] == HORIZON
    assert summary.attrs["baseline"] == "baseline"
    assert list(summary["scenario"]) == ["baseline", "local_capacity", "package"]
    base = summary.set_index("scenario").loc["baseline"]
    assert base["baseline"] and base["n"] == 8
    for key in ("effect_deadline", "effect_end", "extra_spend"):
        assert (base[key], base[f"{key}_lo"], base[f"{key}_hi"]) == (0.0, 0.0, 0.0)
    gains = summary["effect_deadline"] * MISSIONS["early_years"].direction
    best = summary.loc[gains.idxmax(), "scenario"]
    assert summary.set_index("scenario").loc[best, "rank"] == 1
    order = summary.sort_values("rank")
    assert list(order["effect_deadline"]) == sorted(summary["effect_deadline"], reverse=True)
    assert sorted(summary["rank"]) == list(range(1, len(summary) + 1)) or gains.duplicated().any()
    for _, row in summary.iterrows():
        assert row["effect_deadline_lo"] <= row["effect_deadline"] <= row["effect_deadline_hi"]
        assert 0.0 <= row["p_target_lo"] <= row["p_target"] <= row["p_target_hi"] <= 1.0
        assert 0.0 <= row["p_best"] <= 1.0
    assert summary["p_best"].sum() == pytest.approx(1.0)
    assert summary.set_index("scenario").loc["package", "reform_cost"] > 0
    assert base["reform_cost"] == 0


def test_summary_baseline_can_be_chosen(study):
    summary = stats.summarise(study, baseline="local_capacity").set_index("scenario")
    assert summary.loc["local_capacity", "effect_end"] == 0.0
    default = stats.summarise(study).set_index("scenario")
    assert summary.loc["baseline", "effect_end"] == pytest.approx(
        -default.loc["local_capacity", "effect_end"])
    with pytest.raises(ValueError, match="not one of the scenarios"):
        stats.summarise(study, baseline="nope")


def test_markdown_has_one_line_per_scenario(study):
    summary = stats.summarise(study)
    text = summary_markdown_table(summary)
    lines = text.splitlines()
    assert len(lines) == 2 + len(summary)
    assert lines[0].startswith("| rank | scenario |")
    for name in summary["scenario"]:
        assert sum(f" {name} " in line or f" {name} (baseline)" in line
                   for line in lines[2:]) == 1, name
    assert "baseline (baseline)" in text and "reference" in text
    assert all(line.count("|") == lines[0].count("|") for line in lines)


def test_by_deprivation_has_five_groups_and_zero_baseline_effects(study):
    table = stats.by_deprivation(study)
    assert table.attrs["at"] == "deadline"
    assert list(table["scenario"].unique()) == ["baseline", "local_capacity", "package"]
    for _, frame in table.groupby("scenario"):
        assert sorted(frame["group"]) == [1, 2, 3, 4, 5]
    base = table[table["scenario"] == "baseline"]
    assert (base[["effect", "effect_lo", "effect_hi"]] == 0.0).all().all()
    assert table["share_behind"].between(0.0, 1.0).all()
    assert np.isfinite(table["outcome"]).all()
    assert (table["effect_lo"] <= table["effect"]).all()
    assert (table["effect"] <= table["effect_hi"]).all()
    at_end = stats.by_deprivation(study, at="end", groups=4)
    assert at_end.attrs["at"] == "end" and sorted(at_end["group"].unique()) == [1, 2, 3, 4]
    assert stats.by_deprivation(study, at="nonsense").attrs["at"] == "end"


# --- summarise on hand-made results: rank in both directions --------------------------------
def synthetic(mission: str, outcomes: dict[str, list[float]], deadline: int) -> Results:
    """Results with the given outcome per replicate at months ``deadline`` and ``deadline+1``
    (everything else constant)."""
    months, runs = [], []
    for name, values in outcomes.items():
        for r, y in enumerate(values):
            run_id = f"{name}/p00000/r{r:04d}"
            for month in (deadline, deadline + 1):
                months.append({
                    "run_id": run_id, "scenario": name, "point": 0, "replicate": r, "seed": r,
                    "month": month, "outcome": y, "outcome_most_deprived": y - 5,
                    "inequality": 1.0, "spend_total": 100.0, "charity_closures": 0,
                    "gaming_gap": 0.0, "staff_turnover": 0.1, "staff_morale": 0.6,
                    "vacancy_rate": 0.05, "cost_department": 0.0, "cost_council": 0.0,
                    "donations": 1.0, "volunteer_value": 0.5, "transfers": 0.0,
                    "capacity_used": 0.0})
            target = MISSIONS[mission].target
            runs.append({"run_id": run_id, "scenario": name, "point": 0, "replicate": r,
                         "seed": r, "mission": mission, "horizon": deadline + 1,
                         "target_met": bool((y - target) * MISSIONS[mission].direction >= 0),
                         "reform_cost_total": 0.0, "people_served": 115_600.0})
    manifest = {"baseline": next(iter(outcomes)), "scenarios": {n: {} for n in outcomes}}
    return Results(pd.DataFrame(months), pd.DataFrame(runs), pd.DataFrame(), manifest)


@pytest.mark.parametrize("mission", ["early_years", "rough_sleeping"])
def test_rank_follows_the_missions_direction(mission):
    m = MISSIONS[mission]
    up = m.direction * 3.0
    base = [m.target - 2 * up + d for d in (0.0, 0.5, -0.5, 0.2)]
    outcomes = {"base": base,
                "good": [y + up for y in base],
                "best": [y + 3 * up + d for y, d in zip(base, (0.1, -0.1, 0.2, 0.0),
                                                        strict=True)],
                "bad": [y - up for y in base]}
    summary = stats.summarise(synthetic(mission, outcomes, m.deadline)).set_index("scenario")
    assert summary["rank"].to_dict() == {"best": 1, "good": 2, "base": 3, "bad": 4}
    assert summary.loc["good", "effect_deadline"] == pytest.approx(up)
    assert summary.loc["good", "effect_deadline_lo"] == pytest.approx(up)  # constant shift
    assert summary.loc["base", "effect_deadline"] == 0.0
    assert summary.loc["best", "p_best"] == 1.0
    assert summary.loc["best", "p_target"] == 1.0 and summary.loc["base", "p_target"] == 0.0
    assert summary.loc["good", "cost_per_point"] == 0.0  # no public cost for a gain
    assert math.isnan(summary.loc["bad", "cost_per_point"])  # no gain
    assert summary_markdown_table(summary.reset_index()).count("\n") == 1 + len(outcomes)


def test_summarise_refuses_empty_results():
    empty = pd.DataFrame(columns=IDENTITY)
    with pytest.raises(ValueError, match="no runs"):
        stats.summarise(Results(empty, empty.copy(), empty.copy(), {}))
