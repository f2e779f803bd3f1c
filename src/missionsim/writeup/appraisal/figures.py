"""The appraisal's figures: the Pareto front (inline SVG) and who gains by deprivation (PNG).

Both are drawn with matplotlib off screen, with the comparison report's figure helpers
(:mod:`missionsim.writeup.report.figures`: fixed margins, no metadata, so equal figures give
equal bytes). The Pareto front is inline SVG, so each candidate's point is an element of the
page with its own id (``pareto-target-c0003``, ``pareto-outcome-c0003``; the preferred option's
star ``preferred-c0003``): a reader, or a test, can find every point. Figures of the places are
PNG data URIs, as in the report.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from missionsim.writeup.report.figures import (
    AXIS_COLOUR,
    GRID_ALPHA,
    TARGET_COLOUR,
    finish_figure,
    mpl_text,
    new_figure,
)
from missionsim.writeup.report.view import BASELINE_COLOUR, PALETTE, scenario_colours
from missionsim.writeup.summary import effect_unit

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from missionsim.writeup.appraisal.gather import Appraisal

OTHER_COLOUR, OVER_COLOUR, PREFERRED_COLOUR = "#b8b8b8", "#e0a0a0", "#d62728"
"""Candidates within the budget not on the front, those over it, and the preferred star."""
FRONT_COLOUR = PALETTE[0]
"""The Pareto candidates."""
SVG_SALT = "missionsim-appraisal"
"""Salt of matplotlib's SVG ids, so the same figure gives the same text."""


def _svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (no XML prologue, no metadata)."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None,
                                                    "Format": None, "Type": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def pareto(a: Appraisal) -> str:
    """Cost against P(target met) and against the outcome at the deadline, front marked.

    Returns:
        An ``<svg>`` element: a point per candidate evaluated; each Pareto candidate's
        point has the id ``pareto-target-NAME`` (left) and ``pareto-outcome-NAME`` (right),
        the preferred option's star ``preferred-NAME``.
    """
    advice = a.advice
    plan = advice.plan
    table = advice.candidates
    fig = new_figure(10.0, 4.2)
    axes = fig.subplots(1, 2)
    panels = (("target", "p_target_satisficing", "P(target met) over the futures (%)", 100.0),
              ("outcome", "deadline_mean",
               f"mean outcome at month {plan.deadline} ({a.unit})", 1.0))
    handles = []
    for ax, (key, column, ylabel, scale) in zip(axes, panels, strict=True):
        off = table[~table["pareto"]]
        within = off[off["feasible"]]
        over = off[~off["feasible"]]
        h_other = ax.scatter(within["cost_mean"], within[column] * scale, s=18,
                             color=OTHER_COLOUR, zorder=2)
        h_over = ax.scatter(over["cost_mean"], over[column] * scale, s=18, marker="x",
                            color=OVER_COLOUR, zorder=2)
        front = table[table["pareto"]].sort_values("cost_mean")
        ax.plot(front["cost_mean"], front[column] * scale, color=FRONT_COLOUR, lw=0.8,
                alpha=0.6, zorder=3)
        h_front = None
        for name, row in front.iterrows():
            h_front = ax.scatter([row["cost_mean"]], [row[column] * scale], s=40,
                                 color=FRONT_COLOUR, zorder=4, gid=f"pareto-{key}-{name}")
        h_best = None
        if a.preferred is not None:
            row = table.loc[a.preferred]
            h_best = ax.scatter([row["cost_mean"]], [row[column] * scale], s=180, marker="*",
                                color=PREFERRED_COLOUR, zorder=5, gid=f"preferred-{a.preferred}")
        for name in a.options:
            row = table.loc[name]
            ax.annotate(mpl_text(a.label(name).split(" (")[0].removeprefix("Option ")),
                        (row["cost_mean"], row[column] * scale), xytext=(5, 5),
                        textcoords="offset points", fontsize=8)
        h_budget = ax.axvline(plan.budget, color=TARGET_COLOUR, ls=":", lw=1.2)
        if key == "outcome":
            ax.axhline(plan.target, color=AXIS_COLOUR, ls="--", lw=1.0)
        ax.set_xlabel("mean public cost over the futures (£m, present value)")
        ax.set_ylabel(mpl_text(ylabel), fontsize=9)
        ax.grid(alpha=GRID_ALPHA)
        ax.tick_params(labelsize=8)
        handles = [(h_front, "on the Pareto front"), (h_best, "robust preferred option"),
                   (h_other, "within the budget, not on the front"),
                   (h_over, "over the budget"),
                   (h_budget, f"budget (£{plan.budget:,.2f}m)")]
    kept = [(h, label) for h, label in handles if h is not None]
    finish_figure(fig, [h for h, _ in kept], [label for _, label in kept], titled=False)
    return _svg(fig)


def tenths(a: Appraisal) -> str | None:
    """Each option's paired effect by tenth of deprivation, with 95% intervals (PNG URI).

    ``None`` when there is no comparison.
    """
    table = a.tenths
    if table is None or table.empty or a.base is None:
        return None
    names = [n for n in a.options if n in set(table["scenario"])]
    if not names:
        return None
    colours = scenario_colours([a.base, *names], a.base)
    fig = new_figure(9.0, 3.8)
    ax = fig.add_subplot()
    width = 0.7 / len(names)
    handles = []
    for i, name in enumerate(names):
        rows = table[table["scenario"] == name].sort_values("group")
        x = rows["group"].to_numpy() + (i - (len(names) - 1) / 2) * width
        y = rows["effect"].to_numpy()
        err = np.vstack([y - rows["effect_lo"].to_numpy(), rows["effect_hi"].to_numpy() - y])
        handles.append(ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="o", ms=4, capsize=2,
                                   lw=1, color=colours[name]))
    ax.axhline(0, color=BASELINE_COLOUR, lw=0.8)
    ax.set_xticks(range(1, 11))
    ax.set_xlabel("tenth of places by deprivation (1 = least deprived, 10 = most)")
    ax.set_ylabel(mpl_text(f"change ({effect_unit(a.unit)})"), fontsize=9)
    ax.grid(alpha=GRID_ALPHA)
    ax.tick_params(labelsize=8)
    return finish_figure(fig, handles, [mpl_text(a.label(n)) for n in names], titled=False)
