"""Held-out historical episodes: run without any refit and reported with their misses.

Each episode is a scenario in ``scenarios/history/`` with its mission file and its observed
series beside it (``<scenario>.observed.csv``, :mod:`missionsim.analysis.series`), declared in
``data/patterns.toml`` (``[held_out.*]``), where no ``[[fitted]]`` entry names it: nothing in
the model was set to meet it. Each check states the model's value, the observed value, the
tolerance (the ``tolerance`` of the observation's row, or the episode's entry) and the
difference; a value outside its tolerance is a *miss*, reported with its size, not a failure
of the suite.

1. **H1** — the A&E four-hour target, 2002/03 to 2004/05: under the target regime the trusts
   reported 96% of patients within four hours while the national patient survey found 77%
   (CALIBRATION §F). The model's reported–true gap under that regime is compared with it.
2. **H2** — rough sleeping under the squeeze, autumn 2010 to autumn 2017: the rough-sleeping
   world of pattern G3, unchanged, with the decade's cut to council money; the official count
   rose from 1,768 to 4,751.
3. **C1** — the first profile council by council, 2015/16 to 2017/18, on England's real
   councils (:mod:`missionsim.analysis.validation_councils`).
"""

from __future__ import annotations

import pandas as pd

from missionsim.analysis.observed import Episode, observed, series
from missionsim.analysis.validation_core import MINUS, Check, Pattern, scenario
from missionsim.analysis.validation_councils import c1
from missionsim.experiments import study
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario
from missionsim.model.params import PARAMETERS

__all__ = ["HELD_OUT", "REPORTED", "TRUE", "c1", "h1", "h2", "level_checks"]

REPORTED = "outcome_reported"
"""The model's reported indicator: what official returns are compared with."""
TRUE = "outcome"
"""The model's true indicator: what an independent measure (a survey) is compared with."""
MEASURES = (TRUE, REPORTED)
"""The measures an observed series may hold (:data:`missionsim.analysis.series.MEASURES`)."""
TREND = "core_funding_trend"
"""The parameter that carries the squeeze (a real change a year, compounding)."""
GAP_CAP = "outcome_gap_cap"
"""The parameter that bounds how far a place's gap to the best value can open."""


def _signed(x: float, digits: int = 1) -> str:
    return f"{x:+,.{digits}f}".replace("-", MINUS)


def _mean(res, name: str | None = None) -> pd.DataFrame:
    """Mean over replicates of the true and the reported indicator, by month."""
    m = res.months if name is None else res.months[res.months["scenario"] == name]
    return m.groupby("month")[list(MEASURES)].mean()


def level_checks(seen: pd.DataFrame, mean: pd.DataFrame, words: dict[str, str], unit: str,
                 digits: int = 1) -> list[Check]:
    """One check for each observed value whose row claims a tolerance.

    Args:
        seen: The observed series (:func:`missionsim.analysis.observed.series`).
        mean: The model's mean by month (columns: the measures).
        words: What each measure is called in the episode.
        unit: The indicator's unit, after a number (``pp``, ``people``).
        digits: Decimals of the model's value.
    """
    out = []
    for row in seen.dropna(subset=["tolerance"]).sort_values(["month", "measure"]).itertuples():
        value = float(mean.loc[row.month, row.measure])
        diff = value - row.value
        out.append(Check(f"{words[row.measure]}, {row.date} (month {row.month})",
                         f"{value:,.{digits}f}", f"{row.value:,g}",
                         bool(abs(diff) <= row.tolerance),
                         f"± {row.tolerance:,g} {unit}", f"{_signed(diff, digits)} {unit}"))
    return out


def _cited(episode: Episode) -> str:
    """The parameters whose source cites the episode, with their defaults and sources."""
    return ("Parameters whose declared source cites this episode, though no value was fitted "
            "to its numbers: " + "; ".join(
                f"`{n}` (default {PARAMETERS[n].default:g}; source \"{PARAMETERS[n].source}\")"
                for n in episode.cited) + ".")


# --- H1 --------------------------------------------------------------------------------------
def h1(replicates: int = 10, options: RunOptions | None = None) -> Pattern:
    """H1: the A&E four-hour target; the reported–true gap under the target regime."""
    episode = observed().held_out["H1"]
    s = scenario(episode.scenarios[0])
    mission = s.mission_record()
    seen = series(str(episode.observed)).table
    res = study.replicate(s, replicates=replicates, options=options)
    mean = _mean(res)
    tol = episode.settings["gap_tolerance"]
    both = seen.pivot_table(index="month", columns="measure", values="value").dropna()
    dates = seen.drop_duplicates("month").set_index("month")["date"]
    p = Pattern("H1", episode.title, held_out=True)
    for month, row in both.iterrows():
        gap_seen = mission.direction * (row[REPORTED] - row[TRUE])
        gap = mission.direction * float(mean.loc[month, REPORTED] - mean.loc[month, TRUE])
        p.checks.append(Check(
            f"reported minus true, {dates[month]} (month {month}): the trusts' returns "
            "minus the patients' survey", f"{gap:.1f} pp",
            f"{gap_seen:g} pp ({row[REPORTED]:g} − {row[TRUE]:g})",
            bool(abs(gap - gap_seen) <= tol),
            f"± {tol:g} pp", f"{_signed(gap - gap_seen)} pp"))
    p.checks += level_checks(seen, mean, {REPORTED: "share in the trusts' returns (reported)",
                                          TRUE: "share in the patients' survey (true)"}, "pp")
    last = int(both.index.max())
    hidden = _hidden_share(mean.loc[last, REPORTED], mean.loc[last, TRUE], mission.best)
    hidden_seen = _hidden_share(both.loc[last, REPORTED], both.loc[last, TRUE], mission.best)
    strength = PARAMETERS["gaming_strength"]
    needed = strength.default * hidden_seen / hidden
    p.notes = [
        f"In {dates[last]} the model's returns hide {hidden:.0%} of the true gap to "
        f"{mission.best:g}%; the trusts' returns hid {hidden_seen:.0%}. With the same pressure, "
        f"`gaming_strength` would have to be about {needed:.2f} instead of "
        f"{strength.default:g} to close the miss (its plausible range is "
        f"{strength.plausible[0]:g}–{strength.plausible[1]:g}).",
        *([_cited(episode)] if episode.cited else [])]
    p.tables = {"true": res.months.pivot_table(index="month", columns="replicate", values=TRUE),
                "reported": res.months.pivot_table(index="month", columns="replicate",
                                                   values=REPORTED),
                "observed": seen}
    return p


def _hidden_share(reported: float, true: float, best: float) -> float:
    """Share of the true gap to the best value that the reported value hides."""
    return float(abs(reported - true) / abs(best - true))


# --- H2 --------------------------------------------------------------------------------------
def _with_trend(s: Scenario, name: str, trend: float) -> Scenario:
    return s.with_changes(name=name, world={"preset": s.world.preset,
                                            "params": {**s.world.params, TREND: trend}})


def h2(replicates: int = 10, options: RunOptions | None = None) -> Pattern:
    """H2: rough sleeping from 2010 under the squeeze, on G3's world without any refit.

    Runs the episode's scenario and, on the same seeds, the same world without the squeeze
    and with the steeper cut of the episode's entry (notes, not checks).
    """
    episode = observed().held_out["H2"]
    s = scenario(episode.scenarios[0])
    mission = s.mission_record()
    seen = series(str(episode.observed)).table
    years = episode.settings["steeper_years"]
    steeper = (1.0 + episode.settings["steeper_cut"]) ** (1.0 / years) - 1.0
    plain = _with_trend(s, f"{s.name}_without_squeeze", 0.0)
    steep = _with_trend(s, f"{s.name}_steeper", steeper)
    res = study.compare([s, plain, steep], replicates=replicates, options=options)
    mean = _mean(res, s.name)
    p = Pattern("H2", episode.title, held_out=True)
    p.checks = level_checks(seen, mean, {REPORTED: "official count (counts and estimates)",
                                         TRUE: "true count"}, "people", digits=0)
    first, last = seen.loc[seen["month"].idxmin()], seen.loc[seen["month"].idxmax()]
    end = int(last["month"])
    rise = float(mean.loc[end, REPORTED] / mean.loc[0, REPORTED] - 1.0)
    rise_seen = float(last["value"] / first["value"] - 1.0)
    p.checks.append(Check(
        f"the count rises, {first['date']} to {last['date']}", f"{rise:+.0%}".replace(
            "-", MINUS), f"{rise_seen:+.0%}", bool(rise > 0), "rises",
        f"{_signed(100 * (rise - rise_seen), 0)} points"))
    cap = float(s.world.params.get(GAP_CAP, PARAMETERS[GAP_CAP].default))
    ceiling = mission.best - mission.direction * cap * abs(mission.baseline - mission.best)

    def at_end(name: str) -> float:
        return float(_mean(res, name).loc[end, REPORTED])

    trend = s.world.params.get(TREND, 0.0)
    posts = res.months[res.months["scenario"] == s.name].groupby("month")["staff_headcount"].mean()
    p.notes = [
        f"Staff in post in the episode fall from {posts.loc[0]:,.0f} to {posts.loc[end]:,.0f} "
        f"({posts.loc[end] / posts.loc[0] - 1:+.0%}) by {last['date']}.".replace("-", MINUS),
        f"On the same seeds: without the squeeze the count in {last['date']} would be "
        f"{at_end(plain.name):,.0f} (posts still drift down in this world of small "
        f"organisations, model.md section 11); with the steeper cut of the councils' spending "
        f"power over exactly this window ({episode.settings['steeper_cut']:.1%} real in "
        f"{years:g} years, NAO 2018, CALIBRATION §C: {TREND} = {steeper:.4f} instead of "
        f"{trend:g}) it would be {at_end(steep.name):,.0f}.".replace("-", MINUS),
        f"The model cannot reach the observed count: a place's gap to the best value opens "
        f"at most to {cap:g} times its month-0 size (`{GAP_CAP}`, "
        f"model.md section 7.7), so the national count stays below about {ceiling:,.0f} "
        "whatever happens to the delivery system."]
    p.tables = {name: res.months.pivot_table(index="month", columns=["scenario", "replicate"],
                                             values=column)
                for name, column in (("count", REPORTED), ("posts", "staff_headcount"))}
    p.tables["observed"] = seen
    p.tables["ceiling"] = pd.DataFrame({"count": [ceiling]})
    return p


HELD_OUT = {"H1": h1, "H2": h2, "C1": c1}
"""The held-out episodes by key (``data/patterns.toml``, ``[held_out.*]``); C1 is
:mod:`missionsim.analysis.validation_councils`."""
