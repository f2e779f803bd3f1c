"""The figures of the generated documents, drawn with matplotlib, returned as PNG bytes.

:func:`validation` draws the figure of each pattern and held-out episode of
``docs/validation.md`` (those of
``docs/robustness.md`` are :mod:`missionsim.writeup.robustness_figures`); the builders hand
them to the registry, which writes them beside the document (``images/``).
"""

from __future__ import annotations

import numpy as np

from missionsim.analysis.observed import observed
from missionsim.analysis.validation import Pattern
from missionsim.model.missions import MISSIONS
from missionsim.writeup.building import png

VALIDATION_DPI = 110
"""Resolution of the validation figures (dots per inch)."""
MODEL, DATA, PATH, LOSS, RANGE, QUIET, VARIANT = (
    "#1f78b4", "#202124", "#636363", "#d73027", "#33a02c", "#9e9e9e", "#ff7f00")
"""The validation figures' colours: the model, the observed data, a trajectory, a loss or a
requirement, the observed range, a counterfactual, a variant."""
BAND = (2.5, 97.5)
"""Percentiles of the model's band: the middle 95% of runs."""


# --- validation -------------------------------------------------------------------------------
def validation(p: Pattern) -> bytes:
    """A validation pattern's figure: the model's band against the observed data points."""
    draw = {"G1": _g1, "G2": _g2, "G3": _g3, "G4": _g4, "H1": _h1, "H2": _h2,
            "C1": _c1}[p.key]
    fig = draw(p)
    for ax in fig.axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    return png(fig, VALIDATION_DPI)


def _axes(width: float = 9.0, height: float = 3.6, n: int = 2):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(1, n)


def _band(ax, x, frame, colour, name) -> None:
    values = np.asarray(frame, dtype=float)
    lo, hi = np.percentile(values, BAND, axis=0)
    ax.fill_between(x, lo, hi, color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, values.mean(axis=0), color=colour, linewidth=2, label=name)


def _g1(p: Pattern):
    seen = observed()
    fig, (a, b) = _axes()
    nat = p.tables["national"]
    _band(a, nat.columns.to_numpy() / 12.0, nat.to_numpy(), MODEL, "model (mean, 95% of runs)")
    a.plot(seen.first_profile["month"] / 12.0, seen.first_profile["gld"], "o", color=DATA,
           label="observed (DfE)")
    a.set(title="National GLD, first profile", xlabel="years from 2012/13", ylabel="%")
    sd = p.tables["sd"]
    _band(b, [m / 12.0 for m in sd.columns], sd.to_numpy(), MODEL, "model")
    b.plot([m / 12.0 for m in seen.first_profile_sd], list(seen.first_profile_sd.values()), "o",
           color=DATA, label="observed")
    b.set(title="Spread across councils (SD)", xlabel="years from 2012/13", ylabel="pp")
    return fig


def _g2(p: Pattern):
    seen, mission = observed(), MISSIONS["early_years"]
    years = mission.deadline / 12.0
    needed = round((mission.target - mission.baseline) / years, 1)
    fig, (a, b) = _axes()
    nat = p.tables["national"]
    _band(a, nat.index.to_numpy(), nat.T.to_numpy(), MODEL, "model (mean, 95% of runs)")
    a.plot(seen.reformed_profile["month"], seen.reformed_profile["gld"], "o", color=DATA,
           label="observed (DfE)")
    a.plot([0, mission.deadline], [mission.baseline, mission.target], "--", color=PATH,
           label=f"trajectory to {mission.target:g}%")
    a.set(title="National GLD, reformed profile", xlabel="months from 2024/25", ylabel="%")
    gains = (nat.loc[mission.deadline] - nat.loc[0]) / years
    low, high = seen.gain_range
    b.hist(gains, bins=10, color=MODEL, alpha=0.7, label="model runs")
    b.axvspan(low, high, color=RANGE, alpha=0.15, label=f"observed {low:.1f}–{high:.1f}")
    b.axvline(needed, color=LOSS, linestyle="--", label=f"needed: {needed}")
    b.set(title="Gain a year to the deadline", xlabel="pp a year", ylabel="runs")
    return fig


def _g3(p: Pattern):
    seen, target = observed().rough_sleeping, MISSIONS["rough_sleeping"].target
    fig, (a, b) = _axes()
    count = p.tables["count"]
    for name in count.columns.get_level_values(0).unique():
        colour = (QUIET if name.endswith("without_unit")
                  else VARIANT if name.endswith("money_stops") else MODEL)
        frame = count[name]
        _band(a, frame.index.to_numpy(), frame.T.to_numpy(), colour, name)
    a.plot(seen["month"], seen["count"], "o", color=DATA, label="observed counts")
    a.axhline(target, color=LOSS, linestyle="--", label=f"target {target:g}")
    a.set(title="People sleeping rough", xlabel="months from June 1998", ylabel="people")
    b.axis("off")
    b.text(0.0, 0.5, "\n".join(f"{'✓' if c.ok else '✗'} {c.label}: {c.model}"
                               for c in p.checks), fontsize=8, va="center", wrap=True)
    return fig


def _g4(p: Pattern):
    fig, (a, b) = _axes()
    m = p.tables["months"]
    for name, colour in zip(m["scenario"].unique(), (DATA, LOSS), strict=False):
        wide = m[m["scenario"] == name].pivot_table(index="month", columns="replicate",
                                                    values="early_intervention_share")
        _band(a, wide.index.to_numpy(), wide.T.to_numpy(), colour, name)
    a.set(title="Early-intervention share of council spending", xlabel="month", ylabel="share")
    g = p.tables["groups"]
    g = g[g["scenario"] == "squeeze"]
    b.bar(g["group"], g["effect"], color=LOSS, alpha=0.8)
    b.errorbar(g["group"], g["effect"], yerr=[g["effect"] - g["effect_lo"],
                                              g["effect_hi"] - g["effect"]],
               fmt="none", color=DATA)
    b.set(title="Effect of the cut on GLD by deprivation fifth",
          xlabel="deprivation fifth (5 = most deprived)", ylabel="pp (95% CI)")
    return fig


def _observed(ax, seen, measure: str, marker: str, label: str) -> None:
    rows = seen[seen["measure"] == measure]
    ax.plot(rows["month"], rows["value"], marker, color=DATA, label=label)


def _h1(p: Pattern):
    fig, (a, b) = _axes()
    true, reported, seen = p.tables["true"], p.tables["reported"], p.tables["observed"]
    months = true.index.to_numpy()
    _band(a, months, reported.T.to_numpy(), LOSS, "model, reported")
    _band(a, months, true.T.to_numpy(), MODEL, "model, true")
    _observed(a, seen, "outcome_reported", "o", "trusts' returns")
    _observed(a, seen, "outcome", "s", "patients' survey")
    a.set(title="A&E patients within four hours", xlabel="months from April 2002", ylabel="%")
    _band(b, months, (reported - true).T.to_numpy(), LOSS, "model (mean, 95% of runs)")
    both = seen.pivot_table(index="month", columns="measure", values="value").dropna()
    b.plot(both.index, both["outcome_reported"] - both["outcome"], "o", color=DATA,
           label="returns minus survey")
    b.set(title="Reported minus true", xlabel="months from April 2002", ylabel="pp")
    return fig


def _h2(p: Pattern):
    fig, (a, b) = _axes()
    seen = p.tables["observed"]
    for name in p.tables["count"].columns.get_level_values(0).unique():
        colour, label = ((QUIET, "without the squeeze") if name.endswith("without_squeeze")
                         else (VARIANT, "steeper cut (NAO)") if name.endswith("steeper")
                         else (MODEL, "the squeeze (the episode)"))
        for ax, table in ((a, "count"), (b, "posts")):
            frame = p.tables[table][name]
            _band(ax, frame.index.to_numpy(), frame.T.to_numpy(), colour, label)
    _observed(a, seen, "outcome_reported", "o", "official counts and estimates")
    a.axhline(float(p.tables["ceiling"]["count"].iloc[0]), color=PATH, linestyle=":",
              label="the model's ceiling")
    a.set(title="People sleeping rough", xlabel="months from autumn 2010", ylabel="people")
    b.set(title="Staff in post (model)", xlabel="months from autumn 2010", ylabel="people")
    return fig


def _c1(p: Pattern):
    fig, (a, b) = _axes()
    seen, model = p.tables["observed"], p.tables["model"]
    x = seen["gld_2018"].to_numpy(float)
    a.plot(x, model["naive_2018"], ".", color=QUIET, alpha=0.6,
           label="naive forecast (2016 + national change)")
    a.plot(x, model["model_2018"], "o", color=MODEL, markersize=3.5, label="model (mean of runs)")
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    a.plot([lo, hi], [lo, hi], "--", color=PATH, label="model = observed")
    a.set(title="Council GLD in 2017/18", xlabel="observed, %", ylabel="forecast, %")
    months = [int(m) for m in p.tables["sd"].columns]
    years = [m / 12.0 for m in months]
    _band(b, years, p.tables["sd"].to_numpy(), MODEL, "model (mean, 95% of runs)")
    if "sd_noise" in p.tables:
        factor = observed().held_out[p.key].settings["noise_factor"]
        _band(b, years, p.tables["sd_noise"].to_numpy(), VARIANT,
              f"model, noise × {factor:g}")
    sd = p.tables["observed_sd"]["sd"]
    b.plot([m / 12.0 for m in sd.index], sd.to_numpy(), "o", color=DATA, label="observed")
    b.set(title="Spread across councils (SD)", xlabel="years from 2015/16", ylabel="pp",
          xticks=years)
    return fig
