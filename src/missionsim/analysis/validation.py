"""Pattern-oriented validation: the four patterns of the calibration brief (section G).

Each ``g*`` function runs the model as a study would (shipped scenario files, paired seeds,
:mod:`missionsim.experiments.study`) and returns a :class:`Pattern`: the checks with the
model's value, the observed value and whether the model is within the stated tolerance, plus
the tables the figures of ``docs/validation.md`` are drawn from. The observed data and the
tolerances are ``missionsim/data/patterns.toml`` (:mod:`missionsim.analysis.observed`).
``missionsim docs validation`` runs them at full size and writes that document;
``tests/validation/`` runs them in reduced form.

1. **G1** — the first early-years profile (2012/13 to 2018/19) rose fast and saturated while
   councils converged and most improved; **G1s**, the same with the decade's squeeze to
   council money applied (:mod:`missionsim.analysis.validation_g1`).
2. **G2** — on current settings early-years progress is ≈ 0.6–1.0 pp a year, so the baseline
   misses 75% by 2028.
3. **G3** — rough sleeping 1998–2001: with a dedicated unit and money, a two-thirds cut in about
   three years, held afterwards; the same world without them does not get there.
4. **G4** — the capacity squeeze: cuts shift spending from early intervention towards crisis
   and hurt the most deprived places most.

These are the *fitted* patterns: ``data/patterns.toml`` (``[[fitted]]``) lists the parameters
fitted to each. The *held-out* episodes, run without any refit and reported with their misses,
are :data:`HELD_OUT` (:mod:`missionsim.analysis.validation_history`; C1, council by council,
:mod:`missionsim.analysis.validation_councils`).
"""

from __future__ import annotations

from missionsim.analysis import stats
from missionsim.analysis.observed import observed
from missionsim.analysis.validation_core import (
    MINUS,
    MONTHS_A_YEAR,
    Check,
    Pattern,
    fit_saturating,
    saturating,
    scenario,
)
from missionsim.analysis.validation_core import split as _split
from missionsim.analysis.validation_g1 import g1, g1s
from missionsim.analysis.validation_history import HELD_OUT, c1, h1, h2
from missionsim.experiments import study
from missionsim.experiments.options import RunOptions

__all__ = ["HELD_OUT", "MINUS", "MONTHS_A_YEAR", "PATTERNS", "Check", "Pattern", "c1",
           "fit_saturating", "g1", "g1s", "g2", "g3", "g4", "h1", "h2", "saturating", "scenario"]

HOLD_MONTH = 60
"""G3: the month (mid-2003) at which the cut must still be held."""
MONEY_MONTHS = 36
"""G3: how long the extra money lasts in the variant where it stops (three years)."""
FITTED_MONTH = 36
"""G3: June 2001, the cut `cohort_total` was fitted to (a row of the observed series)."""
PATH_MONTHS = (("August 2000", 26, "about "), ("November 2001", 41, ""))
"""G3: the other observed cuts, not fitted: when, the month of the observed series, and how
the count is quoted."""
SQUEEZE_MONTHS = 48
"""G4: the months the squeezed and unsqueezed worlds run (four years)."""
SQUEEZE_CUT = 0.3
"""G4: the default cut to council core funding from month 0."""


# --- G2 --------------------------------------------------------------------------------------
def g2(replicates: int = 10, options: RunOptions | None = None) -> Pattern:
    """G2: the baseline rises ≈ 0.6–1.0 pp a year and misses 75% by 2028."""
    s = scenario("baseline")
    mission = s.mission_record()
    deadline, years = mission.deadline, mission.deadline / MONTHS_A_YEAR
    low, high = observed().gain_range
    res = study.replicate(s.with_changes(horizon=deadline), replicates=replicates,
                          options=options)
    wide = res.months.pivot_table(index="month", columns="replicate", values="outcome")
    gain = (wide.loc[deadline] - wide.loc[0]) / years
    met = int(res.runs["target_met"].astype(bool).sum())
    share, lo, hi = stats.wilson(met, replicates)
    mean_gain = float(gain.mean())
    needed = (mission.target - mission.baseline) / years
    p = Pattern("G2", "The baseline misses 75% by 2028")
    p.checks = [
        Check("national gain a year to the deadline (2025 to 2028)",
              f"{mean_gain:.2f} pp (runs {gain.min():.2f}–{gain.max():.2f})",
              f"{low:.1f}–{high:.1f} pp", low <= mean_gain <= high, "within the range"),
        Check("GLD at the deadline", f"{wide.loc[deadline].mean():.1f}%",
              f"below {mission.target:g}%", bool((wide.loc[deadline] < mission.target).all()),
              f"every run below {mission.target:g}%"),
        Check("runs meeting the target", f"{met} of {replicates} (95% CI {lo:.0%}–{hi:.0%})",
              f"none (needs +{needed:.1f} pp a year)", met == 0, "none"),
    ]
    p.tables["national"] = wide
    return p


# --- G3 --------------------------------------------------------------------------------------
def g3(replicates: int = 5, options: RunOptions | None = None) -> Pattern:
    """G3: rough sleeping 1998–2001, with and without the unit and its money."""
    data = observed()
    tol, counts = data.tolerance, data.rough_sleeping.set_index("month")
    with_unit = scenario("rough_sleeping_1998")
    without = scenario("rough_sleeping_1998_without_unit")
    world = with_unit.model_dump(exclude={"source"})["world"]
    world["params"]["extra_money_months"] = MONEY_MONTHS
    stops = with_unit.with_changes(name="rough_sleeping_1998_money_stops", world=world)
    res = study.compare([without, with_unit, stops], replicates=replicates, options=options)
    wide = res.months.pivot_table(index="month", columns=["scenario", "replicate"],
                                  values="outcome")
    base = with_unit.name
    cut = 1.0 - wide / counts.loc[0, "count"]

    def at(name: str, month: int) -> float:
        return float(cut[name].loc[month].mean())

    def seen(month: int, about: str = "") -> str:
        row = counts.loc[month]
        return f"{row['cut']:.0%} ({about}{row['count']:,} people)"

    horizon = int(wide.index.max())
    hold = min(HOLD_MONTH, horizon)
    fitted = FITTED_MONTH
    stop = int(with_unit.world.params["extra_money_start"]) + MONEY_MONTHS
    p = Pattern("G3", "Rough sleeping 1998–2001: the unit and its money")
    p.checks = [
        Check(f"cut by June 2001 (month {fitted}) with the unit and money",
              f"{at(base, fitted):.0%}", seen(fitted), at(base, fitted) >= tol["g3_cut"],
              f"≥ {tol['g3_cut']:.0%}"),
        Check(f"cut held at month {hold} (2003) with the unit and money", f"{at(base, hold):.0%}",
              f"≈ {data.held_2006:.0%} (just over 500 in 2006)",
              at(base, hold) >= tol["g3_hold"], f"≥ {tol['g3_hold']:.0%}"),
        Check(f"cut by month {fitted} without the unit and money",
              f"{at(without.name, fitted):.0%}", "not reached (counterfactual)",
              at(without.name, fitted) < tol["g3_cut"], f"< {tol['g3_cut']:.0%}"),
        Check(f"the unit and money cut more than the same world without them (month {fitted})",
              f"{at(base, fitted) - at(without.name, fitted):+.0%}", "a large difference",
              at(base, fitted) > at(without.name, fitted), "a larger cut"),
        *[Check(f"cut by {when} (month {month}) with the unit and money",
                f"{at(base, month):.0%}", seen(month, about),
                abs(at(base, month) - counts.loc[month, "cut"]) <= tol["g3_path"],
                f"within {tol['g3_path'] * 100:.0f} points (not fitted)")
          for when, month, about in PATH_MONTHS],
    ]
    p.notes = [f"If the money had stopped after three years (month {stop}), the cut at month "
               f"{hold} "
               f"would be {at(stops.name, hold):.0%}: in the model the cut holds only while the "
               "money that pays for the extra posts does."]
    p.tables["count"] = wide
    return p


# --- G4 --------------------------------------------------------------------------------------
def g4(replicates: int = 10, cut: float = SQUEEZE_CUT,
       options: RunOptions | None = None) -> Pattern:
    """G4: a cut to council funding shifts spending to crisis and hurts deprived places most.

    Compares the baseline with the same world whose council core funding is cut by ``cut``
    from month 0 (`funding_shock`), over paired seeds, after four years.
    """
    seen = observed().squeeze
    base = scenario("baseline", horizon=SQUEEZE_MONTHS)
    squeezed = base.with_changes(
        name="squeeze",
        world={"preset": base.world.preset,
               "params": {**base.world.params, "funding_shock": cut, "funding_shock_month": 0}})
    res = study.compare([base, squeezed], replicates=replicates, options=options)
    m = res.months
    end = int(m["month"].max())
    last = m[m["month"] == end].pivot_table(index="replicate", columns="scenario",
                                            values=["early_intervention_share", "outcome",
                                                    "outcome_most_deprived"])
    share_b = float(last["early_intervention_share"][base.name].mean())
    share_s = float(last["early_intervention_share"][squeezed.name].mean())
    d_nat = stats.paired_effect(last["outcome"][squeezed.name].to_numpy(),
                                last["outcome"][base.name].to_numpy())
    d_dep = stats.paired_effect(last["outcome_most_deprived"][squeezed.name].to_numpy(),
                                last["outcome_most_deprived"][base.name].to_numpy())
    groups = stats.by_deprivation(res, at="end", baseline=base.name)
    g = groups[groups["scenario"] == squeezed.name].set_index("group")["effect"]
    shift = f"{_split(seen['early_share_from'])} → {_split(seen['early_share_to'])}"
    most, least = (f"{seen[k]:.0%}".replace("-", MINUS)
                   for k in ("cut_most_deprived", "cut_least_deprived"))
    p = Pattern("G4", "The capacity squeeze")
    p.checks = [
        Check(f"early-intervention share of council spending, {cut:.0%} cut vs none",
              f"{share_b:.0%} → {share_s:.0%}", f"{shift} (2010/11 to 2020/21)",
              share_s < share_b, "falls"),
        Check("national GLD after four years (paired difference, 95% CI)",
              f"{d_nat[0]:+.2f} pp ({d_nat[1]:+.2f} to {d_nat[2]:+.2f})", "worse",
              d_nat[2] < 0, "CI below 0"),
        Check("most deprived tenth of places (paired difference, 95% CI)",
              f"{d_dep[0]:+.2f} pp ({d_dep[1]:+.2f} to {d_dep[2]:+.2f})",
              f"hit hardest (IFS: {most} in the most deprived tenth, {least} in the least)",
              d_dep[0] < d_nat[0], "worse than the national effect"),
        Check("effect in the most vs least deprived fifth of places",
              f"{g.iloc[-1]:+.2f} vs {g.iloc[0]:+.2f} pp", "larger where more deprived",
              g.iloc[-1] < g.iloc[0], "more deprived fifth hit harder"),
    ]
    p.tables["months"] = m
    p.tables["groups"] = groups
    p.notes.append(f"The squeeze is `funding_shock` = {cut} from month 0, a uniform cut on top "
                   "of the month-0 state, which is already set on the squeezed side "
                   "(`crisis_share`, `capacity_deprivation`, `deprivation_funding_penalty`).")
    return p


PATTERNS = {"G1": g1, "G1s": g1s, "G2": g2, "G3": g3, "G4": g4}
"""The fitted patterns' functions by key (the held-out episodes are :data:`HELD_OUT`)."""
