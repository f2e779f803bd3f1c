"""The robustness write-up in words: the reading paragraphs and the phrases the tables share."""

from __future__ import annotations

import math

import numpy as np

from missionsim.analysis.robustness import MARGIN, OUTCOME, SHOCK_SIZES, Analysis
from missionsim.model.params import PARAMETERS, uncertainties
from missionsim.writeup.markdown import number, percent


def label(output: str) -> str:
    """An output's name in tables: the margin and the baseline outcome in words."""
    return {MARGIN: "best − second", OUTCOME: "baseline outcome"}.get(output, output)



def in_sobol(a: Analysis, factor: str) -> str:
    """Whether (and why) an uncertainty is varied by the Sobol stage, for its table."""
    if factor not in a.leading:
        return ""
    month = next((m for m, size in SHOCK_SIZES.items() if size == factor), None)
    top = list(a.scores.index[:a.plan.leading])
    if factor not in top and month in top:
        return f"yes (the size of `{month}`)"
    return "yes"


def fixed_values(a: Analysis) -> dict[str, float]:
    """The value every declared uncertainty has where a stage does not vary it."""
    params = a.morris.sweep.scenario.world.params
    return {p.name: float(params.get(p.name, p.default)) for p in uncertainties()}


def step_words(levels: int) -> str:
    """The Morris step as a share of a factor's range, in words where simple."""
    delta = levels / (2 * (levels - 1))
    return {4: "two thirds", 2: "all"}.get(levels, f"{delta:.2f}")


def count_words(n: int) -> str:
    """A small count in words (``3`` → ``three``), larger ones in digits."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)


def range_text(name: str, bounds: tuple[float, float]) -> str:
    """An uncertainty's range, whole numbers for whole-number parameters."""
    lo, hi = bounds
    if PARAMETERS[name].kind is int:
        return f"{int(lo)} – {int(hi)}"
    return f"{lo:g} – {hi:g}"


def value_text(name: str, value: float) -> str:
    """An uncertainty's value: whole for whole-number parameters, else 3 significant digits."""
    return f"{value:.0f}" if PARAMETERS[name].kind is int else f"{value:.3g}"


def reading(a: Analysis) -> list[str]:
    """The plain-language reading, one paragraph per item."""
    unit = "percentage points" if a.info.get("unit") == "%" else a.info.get("unit", "")
    m, s = a.morris, a.sobol
    rank = m.ranking.set_index("reform")
    best, first = a.choice, float(rank.loc[a.choice, "first"])
    others = [(r, float(rank.loc[r, "first"])) for r in rank.index
              if r != best and rank.loc[r, "first"] > 0]
    mean_rank = m.ranking.sort_values("mean", ascending=a.info.get("direction", 1) < 0)
    runner = next(r for r in mean_rank["reform"] if r != best)
    out = []
    text = (f"**Which reform looks best.** With every uncertainty varying over its range, "
            f"`{best}` gives the largest gain at month {a.month} at {percent(first)} of the "
            f"{len(m.points)} screening points; its effect averages "
            f"{number(rank.loc[best, 'mean'], sign=True)} {unit} (5th–95th percentile "
            f"{number(rank.loc[best, 'p05'], sign=True)} to "
            f"{number(rank.loc[best, 'p95'], sign=True)}).")
    if others:
        text += " Elsewhere the best is " + ", ".join(
            f"`{r}` ({percent(p)})" for r, p in others) + "."
    else:
        text += " No other reform is ever best."
    text += (f" The runner-up on average is `{runner}` "
             f"({number(rank.loc[runner, 'mean'], sign=True)} {unit}).")
    out.append(text)
    reg = a.regret["morris"]
    reg_s = a.regret["sobol"]
    text = (f"**How robust.** Choosing `{best}` everywhere loses on average "
            f"{number(reg['mean'], 3)} {unit} against the best reform at each point (95th "
            f"percentile {number(reg['p95'], 3)}, at most {number(reg['max'], 3)}); the best "
            f"reform beats the runner-up by {number(m.points[MARGIN].median())} {unit} at the "
            f"median point.")
    close = m.points[MARGIN] <= 2 * m.points[f"{MARGIN}_se"]
    if m.points[f"{MARGIN}_se"].notna().all():
        text += (f" At {percent(float(close.mean()))} of the points the margin is smaller than "
                 f"twice its standard error over the {m.points.attrs.get('replicates')} "
                 "replicates (a rough estimate with few replicates).")
    if reg["share"] == 0:
        text += " No other reform is better at any screening point."
    elif math.isfinite(reg["share_clear"]):
        text += (f" Another reform is better at {percent(reg['share'])} of the points, and "
                 f"better by more than twice the replicate noise at {percent(reg['share_clear'])}.")
    else:
        text += f" Another reform is better at {percent(reg['share'])} of the points."
    text += (f" In the Sobol sample (leading uncertainties varying, the others at the "
             f"scenarios' values) `{best}` is best at "
             f"{percent(float((s.points['best'] == best).mean()))} of "
             f"{len(s.points)} points, with a mean regret of {number(reg_s['mean'], 3)} {unit}.")
    out.append(text)
    flips = a.flips[a.flips["flips"] > 0]
    if len(flips):
        parts = [f"`{r.factor}` ({int(r.flips)} of {int(r.steps)} steps)"
                 for r in flips.itertuples()]
        text = ("**Which uncertainties change it.** A step of a Morris trajectory moves one "
                f"uncertainty by {step_words(a.plan.levels)} of its range; such a step changes the "
                "best reform for " + ", ".join(parts) + ".")
        moves = a.moves.to_dict("records")
        if moves and moves[0]["count"] > 1:
            text += (f" The most common change is from `{moves[0]['from']}` to "
                     f"`{moves[0]['to']}` when `{moves[0]['factor']}` moves.")
        elif moves:
            text += " The changes: " + "; ".join(
                f"from `{mv['from']}` to `{mv['to']}` when `{mv['factor']}` moves"
                for mv in moves) + "."
    else:
        text = ("**Which uncertainties change it.** No one-at-a-time step of the Morris "
                "trajectories changes the best reform.")
    mor = m.indices[m.indices["output"] == MARGIN].sort_values("mu_star", ascending=False)
    parts = []
    for row in mor.head(2).to_dict("records"):
        if row["mu"] <= -0.5 * row["mu_star"]:
            how = "it narrows as the uncertainty rises"
        elif row["mu"] >= 0.5 * row["mu_star"]:
            how = "it widens as the uncertainty rises"
        else:
            how = "either way, depending on the other uncertainties"
        parts.append(f"`{row['factor']}` (μ* = {number(row['mu_star'])} {unit}; {how})")
    if parts:
        text += " The margin moves most with " + " and ".join(parts) + "."
    sob = s.indices[s.indices["output"] == MARGIN].sort_values("ST", ascending=False)
    if len(sob):
        lead = sob.iloc[0]
        text += (f" By how much: the uncertainty with the largest total Sobol index for the "
                 f"margin of the best reform over the runner-up is `{lead['factor']}` "
                 f"(ST = {number(lead['ST'])}, S1 = {number(lead['S1'])}), and the margin itself "
                 f"ranges from {number(s.points[MARGIN].min())} to "
                 f"{number(s.points[MARGIN].max())} {unit} over the Sobol sample.")
    swings = []
    for factor in a.leading:
        groups = s.by_group[s.by_group["factor"] == factor]
        shares = groups[best].to_numpy(float)
        if len(shares) and np.ptp(shares) >= 0.1:
            low, high = shares[0], shares[-1]
            swings.append(f"`{factor}` ({percent(low)} of points in the lowest third of its "
                          f"range, {percent(high)} in the highest)")
    if swings:
        text += f" The share of points where `{best}` is best moves most with " + "; ".join(
            swings) + "."
    out.append(text)
    for package, beat in a.packages.items():
        out.append(f"**The package.** `{package}` (run for reference, not ranked) "
                   f"beats the best single reform at {percent(beat['share'])} of the screening "
                   f"points, by {number(beat['mean'], sign=True)} {unit} on average (from "
                   f"{number(beat['min'], sign=True)} to {number(beat['max'], sign=True)}).")
    return out

