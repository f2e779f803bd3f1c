"""The figures of ``docs/robustness.md``, drawn with matplotlib, returned as PNG bytes.

:func:`figures` draws three, one panel per month analysed (the deadline and ten years):
``screening`` (grouped Morris μ* of each reform's gain, by group), ``best`` (P(best) with its
bootstrap interval) and ``evppi`` (the assumptions and uncertainties most worth learning).
"""

from __future__ import annotations

import numpy as np

from missionsim.analysis.robustness import MARGIN, Study
from missionsim.writeup import markdown as md
from missionsim.writeup.building import png

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")
"""One colour per reform (matplotlib's tab10 without grey)."""
TOP = 15
"""Factors shown in the EVPPI figure."""
ROLE_COLOURS = {"assumption": "#3182bd", "uncertainty": "#e6550d"}
"""Bar colour by a factor's role."""


def figures(study: Study) -> dict[str, bytes]:
    """The figures by name: ``screening``, ``best`` and ``evppi``."""
    return {"screening": screening(study), "best": best(study), "evppi": evppi(study)}


def colours(study: Study) -> dict[str, str]:
    """One colour per reform, in the plan's order."""
    return {r: COLOURS[i % len(COLOURS)] for i, r in enumerate(study.plan.reforms)}


def screening(study: Study) -> bytes:
    """Heat maps of grouped Morris μ*: group × output, each column shaded by its largest."""
    from matplotlib.figure import Figure

    outs = [*study.plan.reforms, MARGIN]
    groups = list(study.analyses[0].groups.index)
    n = len(study.analyses)
    fig = Figure(figsize=(n * (1.6 + 0.62 * len(outs)) + 1.5, 1.6 + 0.36 * len(groups)),
                 dpi=100)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for k, (ax, a) in enumerate(zip(axes, study.analyses, strict=True)):
        mu = a.morris.pivot(index="group", columns="output", values="mu_star")
        mu = mu.reindex(index=groups, columns=outs)
        scaled = mu / mu.max(axis=0).replace(0, np.nan)
        ax.imshow(scaled.fillna(0).to_numpy(), cmap="Blues", vmin=0, vmax=1.15, aspect="auto")
        for i in range(len(groups)):
            for j in range(len(outs)):
                ax.text(j, i, md.number(mu.iloc[i, j], 2), ha="center", va="center",
                        fontsize=6.5, color="white" if scaled.iloc[i, j] > 0.7 else "black")
        ax.set_xticks(range(len(outs)), [o if o != MARGIN else "best − second" for o in outs],
                      rotation=40, ha="right", fontsize=7.5)
        ax.set_yticks(range(len(groups)), groups if k == 0 else [""] * len(groups),
                      fontsize=7.5)
        ax.set_title(f"month {a.month}", fontsize=9)
    fig.suptitle("Grouped Morris μ* of each reform's equal-cost gain (points; shading: share of "
                 "the column's largest)", fontsize=9.5)
    fig.tight_layout()
    return png(fig)


def best(study: Study) -> bytes:
    """P(best) of each reform with its bootstrap interval, one panel per month."""
    from matplotlib.figure import Figure

    colour = colours(study)
    reforms = list(study.plan.reforms)
    n = len(study.analyses)
    fig = Figure(figsize=(3.6 * n + 1.2, 0.38 * len(reforms) + 1.4), dpi=100)
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    y = np.arange(len(reforms))
    for ax, a in zip(axes, study.analyses, strict=True):
        t = a.best.reindex(reforms)
        err = np.vstack([t["p_best"] - t["low"], t["high"] - t["p_best"]]).clip(min=0)
        ax.barh(y, t["p_best"], xerr=err, color=[colour[r] for r in reforms], capsize=2,
                height=0.65)
        ax.set_xlim(0, 1)
        ax.set_title(f"month {a.month}", fontsize=9)
        ax.tick_params(labelsize=7.5)
        ax.set_xlabel("P(best) (95% bootstrap interval)", fontsize=8)
    axes[0].set_yticks(y, reforms)
    axes[0].invert_yaxis()
    fig.suptitle(f"Probability each reform is best at equal cost, over "
                 f"{len(study.analyses[0].sample_gains)} draws of every assumption and "
                 "uncertainty", fontsize=9.5)
    fig.tight_layout()
    return png(fig)


def evppi(study: Study) -> bytes:
    """Bar chart of the factors with the largest EVPPI, one panel per month."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    n = len(study.analyses)
    shown = min(TOP, len(study.table))
    fig = Figure(figsize=(4.2 * n + 2.0, 0.3 * shown + 1.5), dpi=100)
    axes = fig.subplots(1, n, squeeze=False)[0]
    unit = "pp" if study.info.get("unit") == "%" else study.info.get("unit", "")
    for ax, a in zip(axes, study.analyses, strict=True):
        top = a.evppi.head(shown)
        y = np.arange(len(top))
        ax.barh(y, top["evppi"], color=[ROLE_COLOURS.get(r, "#888") for r in top["role"]],
                height=0.65)
        ax.axvline(a.evppi.attrs["evpi"], color="#444", lw=0.8, ls="--")
        ax.axvline(a.evppi.attrs["floor"], color="#999", lw=0.8, ls=":")
        ax.set_yticks(y, list(top.index), fontsize=7)
        ax.invert_yaxis()
        ax.set_title(f"month {a.month} (dashed: EVPI {md.number(a.evppi.attrs['evpi'], 3)}; "
                     f"dotted: noise floor)", fontsize=9)
        ax.set_xlabel(f"EVPPI ({unit} of the outcome)", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    handles = [Patch(color=c, label=r) for r, c in ROLE_COLOURS.items()]
    fig.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)
    fig.suptitle("Expected value of perfect information on each factor (regression method)",
                 fontsize=9.5)
    fig.tight_layout()
    return png(fig)
