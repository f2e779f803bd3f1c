"""The figures of the generated documents, drawn with matplotlib, returned as PNG bytes.

:func:`robustness` draws the four figures of ``docs/robustness.md`` and :func:`validation` the
figure of each pattern of ``docs/validation.md``; the builders hand them to the registry, which
writes them beside the document (``images/``).
"""

from __future__ import annotations

import math

import numpy as np

from missionsim.analysis.observed import observed
from missionsim.analysis.robustness import MARGIN, OUTCOME, Analysis
from missionsim.analysis.validation import Pattern
from missionsim.model.missions import MISSIONS
from missionsim.writeup import markdown as md
from missionsim.writeup.building import png
from missionsim.writeup.robustness_reading import label, value_text

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")
"""One colour per ranked reform (matplotlib's tab10 without grey)."""
VALIDATION_DPI = 110
"""Resolution of the validation figures (dots per inch)."""
MODEL, DATA, PATH, LOSS, RANGE, QUIET, VARIANT = (
    "#1f78b4", "#202124", "#636363", "#d73027", "#33a02c", "#9e9e9e", "#ff7f00")
"""The validation figures' colours: the model, the observed data, a trajectory, a loss or a
requirement, the observed range, a counterfactual, a variant."""
BAND = (2.5, 97.5)
"""Percentiles of the model's band: the middle 95% of runs."""


# --- robustness -------------------------------------------------------------------------------
def robustness(a: Analysis) -> dict[str, bytes]:
    """The figures of the robustness write-up at the deadline, by name.

    Names: ``morris``, ``sobol``, ``best`` and ``effects``.
    """
    return {"morris": _morris(a), "sobol": _sobol(a), "best": _best(a), "effects": _effects(a)}


def _colours(a: Analysis) -> dict[str, str]:
    return {r: COLOURS[i % len(COLOURS)] for i, r in enumerate(a.plan.reforms)}


def _morris(a: Analysis) -> bytes:
    """The Morris μ* heat map: each column scaled by its largest value."""
    from matplotlib.figure import Figure

    factors = list(a.ranges)
    outs = [o for o in a.outputs if o != OUTCOME]
    mu = a.morris.indices.pivot(index="factor", columns="output", values="mu_star")
    mu = mu.reindex(index=factors, columns=outs)
    scaled = mu / mu.max(axis=0).replace(0, np.nan)
    fig = Figure(figsize=(1.0 + 0.85 * len(outs), 1.4 + 0.45 * len(factors)), dpi=100)
    ax = fig.add_subplot()
    ax.imshow(scaled.fillna(0).to_numpy(), cmap="Blues", vmin=0, vmax=1.15, aspect="auto")
    for i in range(len(factors)):
        for j in range(len(outs)):
            ax.text(j, i, md.number(mu.iloc[i, j], 2), ha="center", va="center", fontsize=7.5,
                    color="white" if scaled.iloc[i, j] > 0.7 else "black")
    ax.set_xticks(range(len(outs)), [label(o) for o in outs], rotation=40, ha="right",
                  fontsize=8)
    ax.set_yticks(range(len(factors)), factors, fontsize=8)
    ax.set_title(f"Morris μ* at month {a.month} (points; shading: share of the column's "
                 "largest)", fontsize=9)
    fig.tight_layout()
    return png(fig)


def _sobol(a: Analysis) -> bytes:
    """S1 and ST with their intervals, one panel per output (margin and reforms)."""
    from matplotlib.figure import Figure

    shown = [MARGIN, *a.plan.reforms]
    cols = 5
    nrows = math.ceil(len(shown) / cols)
    fig = Figure(figsize=(2.4 * cols, 2.3 * nrows + 0.5), dpi=100)
    axes = fig.subplots(nrows, cols, squeeze=False)
    x = np.arange(len(a.leading))
    for k, output in enumerate(shown):
        ax = axes[k // cols][k % cols]
        sub = a.sobol.indices[a.sobol.indices["output"] == output].set_index("factor")
        sub = sub.reindex(a.leading)
        ax.bar(x - 0.2, sub["S1"], 0.4, yerr=sub["S1_conf"], color="#9ecae1", label="S1",
               capsize=2)
        ax.bar(x + 0.2, sub["ST"], 0.4, yerr=sub["ST_conf"], color="#3182bd", label="ST",
               capsize=2)
        ax.set_title(label(output), fontsize=8.5)
        ax.set_xticks(x, a.leading, rotation=35, ha="right", fontsize=6.5)
        ax.axhline(0, color="#888", lw=0.6)
        ax.set_ylim(-0.25, 1.25)
        ax.tick_params(axis="y", labelsize=7)
    for k in range(len(shown), nrows * cols):
        axes[k // cols][k % cols].set_visible(False)
    axes[0][0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"Sobol indices at month {a.month} (95% bootstrap intervals; axis cut at "
                 "−0.25 and 1.25)", fontsize=9.5)
    fig.tight_layout()
    return png(fig)


def _best(a: Analysis) -> bytes:
    """Where each reform ranks first: overall and by third of each leading uncertainty."""
    from matplotlib.figure import Figure

    colour = _colours(a)
    panels = ["overall", *a.leading]
    fig = Figure(figsize=(2.6 * len(panels) + 1.8, 3.2), dpi=100)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        if panel == "overall":
            labels = ["screening", "Sobol"]
            shares = [[float((st.points["best"] == r).mean()) for st in (a.morris, a.sobol)]
                      for r in a.plan.reforms]
        else:
            groups = a.sobol.by_group[a.sobol.by_group["factor"] == panel]
            labels = [f"{value_text(panel, lo)}–{value_text(panel, hi)}"
                      for lo, hi in zip(groups["low"], groups["high"], strict=True)]
            shares = [groups[r].tolist() for r in a.plan.reforms]
        bottom = np.zeros(len(labels))
        for r, share in zip(a.plan.reforms, shares, strict=True):
            share = np.asarray(share, float)
            if share.sum() > 0:
                ax.bar(range(len(labels)), share, bottom=bottom, color=colour[r], label=r,
                       width=0.7)
            bottom += share
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20)
        ax.set_title(panel, fontsize=8.5)
        ax.tick_params(axis="y", labelsize=7)
    axes[0].set_ylabel("share of points where it ranks first", fontsize=8)
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="center right", fontsize=7, frameon=False)
    fig.suptitle(f"Best reform at month {a.month}", fontsize=9.5)
    fig.tight_layout(rect=(0, 0, 1 - 1.7 / (2.6 * len(panels) + 1.8), 1))
    return png(fig)


def _effects(a: Analysis) -> bytes:
    """The distribution of each reform's effect across the screening points."""
    from matplotlib.figure import Figure

    colour = _colours(a)
    order = list(a.morris.ranking.sort_values("mean")["reform"])
    fig = Figure(figsize=(7.5, 0.45 * len(order) + 1.3), dpi=100)
    ax = fig.add_subplot()
    data = [a.morris.points[r].to_numpy(float) for r in order]
    box = ax.boxplot(data, vert=False, whis=(5, 95), showfliers=True,
                     patch_artist=True, flierprops={"markersize": 2})
    for patch, r in zip(box["boxes"], order, strict=True):
        patch.set_facecolor(colour[r])
        patch.set_alpha(0.6)
    ax.set_yticks(range(1, len(order) + 1), order, fontsize=8)
    ax.axvline(0, color="#444", lw=0.8)
    unit = "percentage points" if a.info.get("unit") == "%" else a.info.get("unit", "")
    ax.set_xlabel(f"paired effect at month {a.month} ({unit}); whiskers 5th–95th percentile",
                  fontsize=8)
    ax.set_title(f"Each reform's effect across the {len(a.morris.points)} screening points",
                 fontsize=9.5)
    fig.tight_layout()
    return png(fig)



# --- validation -------------------------------------------------------------------------------
def validation(p: Pattern) -> bytes:
    """A validation pattern's figure: the model's band against the observed data points."""
    draw = {"G1": _g1, "G2": _g2, "G3": _g3, "G4": _g4}[p.key]
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
