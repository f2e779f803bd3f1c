"""Comparison statistics: paired effects, target probabilities, cost-effectiveness, ranking.

Every scenario in a comparison ran over the same replicates (common random numbers), so the
effect of a scenario is the mean of the per-replicate differences from the baseline, with a
95% confidence interval from the t distribution. The probability of meeting the target is a
share of replicates with a Wilson score interval. Effects are in the indicator's units; a
*gain* is an effect in the mission's direction (a fall in rough sleeping is a gain).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from missionsim.experiments.costs import GREEN_BOOK_RATE, england_factor, option_costs
from missionsim.limits import quote, whole_number
from missionsim.model.missions import mission_named

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.experiments.study import Results

Z95 = 1.959963984540054


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` and its confidence interval (t distribution; NaN bounds if n < 2)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    from scipy import stats as sps  # lazy: scipy.stats takes most of a second to import

    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, x.size - 1)) * sd / math.sqrt(x.size)
    return mean, mean - half, mean + half


def t_bounds(mean: np.ndarray, sd: np.ndarray, n: np.ndarray,
             level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of many means' confidence intervals at once (t distribution).

    The same interval as :func:`mean_ci`, element by element, for arrays of means, standard
    deviations (``ddof=1``) and counts; the bounds are NaN where a count is below 2.
    """
    from scipy import stats as sps

    n = np.asarray(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(n >= 2, sps.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)), np.nan)
        half = t * np.asarray(sd) / np.sqrt(n)
    return mean - half, mean + half


def paired_effect(treatment: np.ndarray, control: np.ndarray,
                  level: float = 0.95) -> tuple[float, float, float]:
    """Mean paired difference ``treatment - control`` and its confidence interval."""
    t, c = np.asarray(treatment, dtype=float), np.asarray(control, dtype=float)
    if t.shape != c.shape:
        raise ValueError(f"paired_effect: {t.size} treatment values but {c.size} controls")
    return mean_ci(t - c, level)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Share of successes and its Wilson score interval (95% by default).

    Raises:
        ValueError: ``successes`` or ``n`` is not a whole number, or ``successes`` is not
            between 0 and ``n``.
    """
    n = whole_number(n, "n", 0)
    successes = whole_number(successes, "successes", 0, n)
    if n == 0:
        return math.nan, math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # clamp: rounding must never put the share outside its own interval
    return p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def group_se(grouped):
    """Standard error of the mean of each group: SD (``ddof=1``) over the square root of its size.

    Args:
        grouped: A pandas ``groupby`` of a Series or a DataFrame.

    Returns:
        One value per group (per group and column for a DataFrame); NaN for a group of one.
    """
    return grouped.std(ddof=1).div(np.sqrt(grouped.size()), axis=0)


# --- verdicts -------------------------------------------------------------------------------
SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NOT_SHOWN = "not shown"
VERDICTS = (SUPPORTED, NOT_SHOWN, CONTRADICTED)
"""The three verdicts on a predicted sign, in the order they are counted and listed."""

VERDICT_RULE = (
    "**supported** when the 95% confidence interval of the paired difference (treatment − "
    "control) lies entirely on the side of zero that the claim predicts; **contradicted** when "
    "it lies entirely on the opposite side; **not shown** when it includes zero (the model "
    "cannot tell the effect from replicate noise at this number of replicates).")
"""The verdict rule in words (as documents state it); :func:`verdict` applies it."""


def verdict(lo: float, hi: float, direction: int) -> str:
    """Apply the verdict rule (:data:`VERDICT_RULE`) to a 95% confidence interval.

    Args:
        lo: Lower bound of the interval of treatment − control.
        hi: Upper bound.
        direction: +1 if a positive difference is predicted, −1 if a negative one.

    Returns:
        :data:`SUPPORTED`, :data:`CONTRADICTED` or :data:`NOT_SHOWN`.

    Raises:
        ValueError: ``direction`` is not +1 or −1.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction = {direction!r}: expected +1 or -1")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return NOT_SHOWN
    low, high = sorted((direction * lo, direction * hi))
    if low > 0:
        return SUPPORTED
    if high < 0:
        return CONTRADICTED
    return NOT_SHOWN


def key_months(results: Results) -> tuple[int, int]:
    """The months effects are measured at: the deadline and the end.

    The deadline is the mission's (or the last month common to every run, if earlier); the end
    is the last month common to every run.
    """
    end = int(results.runs["horizon"].min())
    mission = mission_named(results.runs["mission"].iloc[0])
    return min(mission.deadline, end), end


def _wide(results: Results, column: str, month: int) -> pd.DataFrame:
    """``column`` at ``month``: replicates as rows, scenarios as columns."""
    m = results.months
    at = m[m["month"] == month]
    return at.pivot_table(index="replicate", columns="scenario", values=column, aggfunc="first")


def summarise(results: Results, baseline: str | None = None,
              rate: float = GREEN_BOOK_RATE) -> pd.DataFrame:
    """One row per scenario: outcome, effects with 95% CIs, target probability, cost, ranking.

    Columns (``*_lo``/``*_hi`` are 95% interval bounds):

    - ``n``: replicates paired with the baseline;
    - ``outcome_deadline``, ``outcome_end``: mean true indicator;
    - ``effect_deadline``, ``effect_end``: paired difference from the baseline (indicator units);
    - ``effect_most_deprived``: the same for the most deprived tenth of places, at the end;
    - ``effect_inequality``: change in the gap between the best and worst deciles of places;
    - ``p_target``: share of replicates meeting the target at the deadline (Wilson interval);
    - ``extra_spend``: paired difference in total public spend over the run (£m, undiscounted);
    - ``reform_cost``: money the reforms cost (£m over the run, undiscounted);
    - ``public_cost``, ``public_department``, ``public_council``: the reforms' new public
      money in present value at ``rate`` (£m), and its split by payer;
    - ``drawn_donations``, ``drawn_volunteers``: paired change in donations and in the value
      of volunteer time (£m PV); ``resource_cost``: public cost plus both;
    - ``transfers``: money moved, not new (£m PV); ``capacity_used``: paired change in council
      capacity used (capacity-years);
    - ``cost_per_point``: public cost per point gained at the end (£m PV; empty without a
      gain); ``resource_per_point``: the same for the total resource cost;
    - ``turnover``, ``morale``, ``vacancy_rate``: workforce means over the last 12 months;
    - ``closures``: charities closed by the end; ``gaming_gap``: reported minus true at the end;
    - ``rank``: by gain at the deadline (1 best); ``p_best``: share of replicates in which the
      scenario had the best outcome at the deadline;
    - ``as_set``: in an equal-cost comparison, whether the row is an option at its
      intensities as set (ranked among themselves and the baseline) rather than at equal cost.
    """
    if results.runs.empty:
        raise ValueError("summarise: the results hold no runs")
    names = results.scenarios
    base = baseline or results.manifest.get("baseline") or names[0]
    if base not in names:
        raise ValueError(f"baseline = {quote(base)}: not one of the scenarios ({', '.join(names)})")
    mission = mission_named(results.runs["mission"].iloc[0])
    sign = mission.direction
    deadline, end = key_months(results)
    outcome_d = _wide(results, "outcome", deadline)
    outcome_e = _wide(results, "outcome", end)
    deprived = _wide(results, "outcome_most_deprived", end)
    inequality = _wide(results, "inequality", end)
    spend = _wide(results, "spend_total", end)
    closures = _wide(results, "charity_closures", end)
    gaming = _wide(results, "gaming_gap", end)
    last_year = results.months[results.months["month"] > end - 12]
    workforce = last_year.groupby("scenario")[["staff_turnover", "staff_morale",
                                                "vacancy_rate"]].mean()
    runs = results.runs.set_index(["scenario", "replicate"])
    best = (outcome_d * sign).idxmax(axis=1)
    costs = option_costs(results.months, base, rate)
    rows = []
    for name in names:
        if name not in outcome_e.columns:
            continue
        pair = outcome_e[[name, base]].dropna().index
        row: dict = {"scenario": name, "baseline": name == base, "n": len(pair)}
        row["outcome_deadline"] = float(outcome_d[name].mean())
        row["outcome_end"] = float(outcome_e[name].mean())
        for label, table in (("deadline", outcome_d), ("end", outcome_e),
                             ("most_deprived", deprived), ("inequality", inequality),
                             ("spend", spend)):
            ok = table[[name, base]].dropna()
            key = "extra_spend" if label == "spend" else (
                f"effect_{label}")
            row[key], row[f"{key}_lo"], row[f"{key}_hi"] = paired_effect(ok[name], ok[base])
        met = runs.loc[name, "target_met"].dropna() if deadline == mission.deadline else []
        k, n = int(np.sum(np.asarray(met, dtype=bool))), len(met)
        row["p_target"], row["p_target_lo"], row["p_target_hi"] = wilson(k, n)
        row["reform_cost"] = float(runs.loc[name, "reform_cost_total"].mean())
        c = costs.loc[name]
        row.update(public_cost=c["public"], public_department=c["department"],
                   public_council=c["council"], drawn_donations=c["donations"],
                   drawn_volunteers=c["volunteers"], resource_cost=c["resource"],
                   transfers=c["transfers"], capacity_used=c["capacity"])
        gain = sign * row["effect_end"]
        ok = name != base and gain > 0
        row["cost_per_point"] = row["public_cost"] / gain if ok else math.nan
        row["resource_per_point"] = row["resource_cost"] / gain if ok else math.nan
        row["turnover"] = float(workforce.loc[name, "staff_turnover"])
        row["morale"] = float(workforce.loc[name, "staff_morale"])
        row["vacancy_rate"] = float(workforce.loc[name, "vacancy_rate"])
        row["closures"] = float(closures[name].mean())
        row["gaming_gap"] = float(gaming[name].mean())
        row["p_best"] = float((best == name).mean())
        rows.append(row)
    table = pd.DataFrame(rows)
    as_set = set((results.manifest.get("equal_cost") or {}).get("as_set", {}).values())
    table["as_set"] = table["scenario"].isin(as_set)
    # equal-cost options and their versions as set are ranked apart, each with the baseline
    gain = table["effect_deadline"] * sign
    main, as_set_rows = ~table["as_set"], table["as_set"]
    table["rank"] = gain[main].rank(ascending=False, method="min")
    if as_set_rows.any():
        ranks = gain[as_set_rows | table["baseline"]].rank(ascending=False, method="min")
        table.loc[as_set_rows, "rank"] = ranks[as_set_rows]
    table["rank"] = table["rank"].astype(int)
    table.attrs.update({"baseline": base, "deadline": deadline, "end": end,
                        "mission": mission.name, "unit": mission.unit, "rate": rate,
                        "england_factor": england_factor(results.runs),
                        "equal_cost": results.manifest.get("equal_cost")})
    return table


def by_deprivation(results: Results, at: str = "deadline", groups: int = 5,
                   baseline: str | None = None) -> pd.DataFrame:
    """Which places are left behind: outcomes by deprivation group, per scenario.

    Places are grouped within each run into ``groups`` equal-sized groups by deprivation (1 =
    least deprived). Worlds differ between replicates, so places are compared by group, not by
    number. Columns: ``scenario``, ``group``, ``outcome`` (mean), ``share_behind`` (share of
    places behind their own trajectory), ``effect`` with ``effect_lo``/``effect_hi`` (paired
    difference from the baseline in the same group and replicate).
    """
    p = results.places
    if at not in set(p["at"]):
        at = "end"
    p = p[p["at"] == at].copy()
    p["group"] = p.groupby("run_id")["deprivation"].transform(
        lambda d: np.ceil(d.rank(method="first") / len(d) * groups).astype(int))
    p["is_behind"] = p["behind_trajectory"] > 0
    means = p.groupby(["scenario", "replicate", "group"]).agg(
        outcome=("outcome", "mean"), share_behind=("is_behind", "mean")).reset_index()
    base = baseline or results.manifest.get("baseline") or results.scenarios[0]
    ref = means[means["scenario"] == base].set_index(["replicate", "group"])["outcome"]
    rows = []
    for (name, group), frame in means.groupby(["scenario", "group"], sort=False):
        control = ref.reindex(list(zip(frame["replicate"], [group] * len(frame), strict=True)))
        effect = paired_effect(frame["outcome"].to_numpy(), control.to_numpy())
        rows.append({"scenario": name, "group": int(group),
                     "outcome": float(frame["outcome"].mean()),
                     "share_behind": float(frame["share_behind"].mean()),
                     "effect": effect[0], "effect_lo": effect[1], "effect_hi": effect[2]})
    table = pd.DataFrame(rows)
    rank = {n: i for i, n in enumerate(results.scenarios)}
    table = table.sort_values(["scenario", "group"], key=lambda c: c.map(rank) if c.name ==
                              "scenario" else c).reset_index(drop=True)
    table.attrs["at"] = at
    return table
