"""One self-contained HTML report of a comparison, for policy teams' submissions.

:func:`write_report` turns the :class:`~missionsim.experiments.study.Results` of a comparison into a
single HTML file with no external resources: the CSS is inline and every figure is a matplotlib PNG
embedded as a base64 data URI, so the file can be mailed, archived or pasted into a submission as it
is. Its sections, in order:

1. summary: scenarios, replicates, preset, horizon and the headline result;
2. effects with 95% confidence intervals (the figures of
:func:`missionsim.writeup.summary.markdown`);
3. trajectories of the national outcome against the target trajectory, and reported vs true;
4. inequality, the most deprived places, and effects by deprivation quintile;
5. cost-effectiveness;
6. workforce and charities;
7. assumptions: presets, reforms, every parameter that differs from its default, uncertainties;
8. reproducibility: version, seeds, hashes, sources.

:func:`summary_markdown` gives the headline and the effect table as Markdown for the terminal.
The report is deterministic apart from the time it was generated (and the study's own creation
time and executor, which only stored studies record).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from missionsim import __version__
from missionsim.analysis import stats
from missionsim.model.missions import MISSIONS, Mission
from missionsim.model.params import PARAMETERS, PRESET_DESCRIPTIONS, PRESETS, defaults
from missionsim.model.reforms import REFORMS
from missionsim.writeup.summary import effect_table, format_effect, format_target, per_unit
from missionsim.writeup.summary import markdown as summary_markdown_table

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from missionsim.experiments.study import Results

DPI = 100
"""Resolution of the embedded figures (dots per inch)."""

BASELINE_COLOUR = "#222222"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")
"""Scenario colours (matplotlib's tab10 without grey); the baseline is near-black."""
PALETTE_2 = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
"""Colours of scenarios 10 to 16 (ColorBrewer Dark2 without grey), drawn dashed."""
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "^", "v", "D")

SERIES = ("outcome", "outcome_reported", "inequality", "outcome_most_deprived", "staff_morale",
          "staff_turnover", "vacancy_rate", "charity_closures", "charity_reserves_median",
          "charities_active")
"""Month-by-month reporters the figures draw."""

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1b1b1b;
max-width:1040px;margin:2em auto;padding:0 1.2em;line-height:1.45;font-size:15px}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;border-bottom:2px solid #ddd;
padding-bottom:.2em;margin-top:2em}h3{font-size:1.08em;margin-top:1.4em}
.sub{color:#555;margin-top:0}.headline{background:#f3f6fa;border-left:4px solid #1f77b4;
padding:.7em 1em}table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.86em}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}th{background:#f0f0f0;
text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.baseline td{background:#fafafa;font-style:italic}figure{margin:1em 0}
figure img{max-width:100%;height:auto}figcaption{font-size:.88em;color:#444}
.note{font-size:.88em;color:#444}code{font-size:.92em}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}
figure,table{page-break-inside:avoid}}
"""


# --- small formatting helpers -----------------------------------------------------------------
def _e(text: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _value(v: Any) -> str:
    """A parameter value as written in tables."""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return f"{float(v):g}"
    return str(v)


def _share(p: float) -> str:
    return f"{p:.0%}" if _finite(p) else "–"


def _effect_unit(mission: Mission) -> str:
    return "percentage points" if mission.unit == "%" else mission.unit


def _level(value: float, mission: Mission) -> str:
    if mission.unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.0f} {mission.unit}"


def _mpl_text(text: str) -> str:
    """Text safe for matplotlib (no mathtext)."""
    return str(text).replace("$", r"\$")


# --- what the report is about ---------------------------------------------------------------
@dataclass
class _Study:
    results: Results
    mission: Mission
    summary: pd.DataFrame
    base: str
    names: list[str]
    deadline: int
    end: int
    colours: dict[str, str]
    styles: dict[str, str]
    markers: dict[str, str]

    @property
    def others(self) -> pd.DataFrame:
        return self.summary[~self.summary["baseline"].astype(bool)]

    @property
    def best(self) -> pd.Series | None:
        """The non-baseline scenario with the largest gain at the deadline (ties: by name)."""
        others = self.others.sort_values("scenario")
        if others.empty:
            return None
        gain = others["effect_deadline"] * self.mission.direction
        return others.loc[gain.fillna(-np.inf).idxmax()]

    def row(self, name: str) -> pd.Series:
        return self.summary.set_index("scenario").loc[name]

    def ranked(self) -> pd.DataFrame:
        """The summary by rank (ties: baseline first, then by name)."""
        order = {name: i for i, name in enumerate(self.names)}
        key = self.summary["scenario"].map(order)
        return self.summary.assign(_order=key).sort_values(["rank", "_order"]).drop(
            columns="_order")


def _study(results: Results, baseline: str | None) -> _Study:
    runs = results.runs
    if "point" in runs.columns and runs["point"].nunique() > 1:
        raise ValueError("report: the results hold several design points (a sweep); a report "
                         "compares scenarios, so pass the results of compare() or replicate()")
    summary = stats.summarise(results, baseline)
    mission = MISSIONS[str(results.runs["mission"].iloc[0])]
    names = [n for n in results.scenarios if n in set(summary["scenario"])]
    base = summary.attrs["baseline"]
    # the baseline, then the others best first: the same order whatever order the results
    # hold the scenarios in (a stored study may list them differently from the one in memory)
    rank = dict(zip(summary["scenario"], summary["rank"], strict=True))
    others = sorted((n for n in names if n != base), key=lambda n: (rank[n], n))
    names = [base, *others]
    colours, styles, markers = {base: BASELINE_COLOUR}, {base: "-"}, {base: "s"}
    palette = PALETTE + PALETTE_2
    for k, name in enumerate(others):
        colours[name] = palette[k % len(palette)]
        turn = 0 if k < len(PALETTE) else 1 + (k - len(PALETTE)) // len(PALETTE_2)
        styles[name] = LINESTYLES[turn % len(LINESTYLES)]
        markers[name] = MARKERS[turn % len(MARKERS)]
    return _Study(results, mission, summary, base, names, int(summary.attrs["deadline"]),
                  int(summary.attrs["end"]), colours, styles, markers)


def _content(results: Results, name: str) -> dict[str, Any]:
    """A scenario's content from the manifest, or rebuilt from its runs when not recorded."""
    entry = results.manifest.get("scenarios", {}).get(name) or {}
    content = entry.get("content")
    if content:
        return dict(content)
    runs = results.runs[results.runs["scenario"] == name]
    first = runs.iloc[0]
    return {"mission": first["mission"], "preset": first["preset"],
            "params": json.loads(first["params"]), "reforms": json.loads(first["reforms"]),
            "uncertainties": {}, "horizon": int(first["horizon"])}


# --- headline ---------------------------------------------------------------------------------
def _headline(s: _Study) -> str:
    """The headline as plain text (escape it for HTML)."""
    m, d, unit = s.mission, s.deadline, _effect_unit(s.mission)
    base = s.row(s.base)
    parts = []
    if d < m.deadline:
        parts.append(f"The runs stop at month {s.end}, before the mission's deadline (month "
                     f"{m.deadline}), so effects are measured at month {d} and whether the "
                     "target is met cannot be assessed.")
    best = s.best
    if best is None:
        parts.append(f"Only one scenario ({s.base}) was run, so there are no effects to "
                     f"estimate; its mean outcome at month {d} is "
                     f"{_level(base['outcome_deadline'], m)}.")
    else:
        gain = m.direction * best["effect_deadline"]
        effect = format_effect(best, "effect_deadline")
        lo, hi = best["effect_deadline_lo"], best["effect_deadline_hi"]
        if _finite(lo) and _finite(hi):
            clear = lo > 0 or hi < 0
            note = (" (the 95% CI excludes zero)" if clear else
                    " (the 95% CI includes zero: not distinguishable from the baseline)")
        else:
            note = " (too few replicates for a confidence interval)"
        if gain > 0:
            parts.append(f"The best scenario at month {d} is {best['scenario']}: an effect of "
                         f"{effect} {unit} against {s.base}{note}, a mean outcome of "
                         f"{_level(best['outcome_deadline'], m)}.")
        else:
            parts.append(f"No scenario improved on {s.base} at month {d}; the closest is "
                         f"{best['scenario']}, with an effect of {effect} {unit}{note}.")
    if _finite(base["p_target"]):
        target = (f"Chance of meeting the target ({_level(m.target, m)} by month "
                  f"{m.deadline}), with 95% Wilson intervals: ")
        if best is None:
            parts.append(target + f"{format_target(base)}.")
        else:
            parts.append(target + f"{format_target(best)} for {best['scenario']}, "
                         f"{format_target(base)} for {s.base}.")
    if best is not None:
        parts.append("Effects are paired differences under common random numbers: replicate r "
                     "of every scenario runs with the same seed, world and shocks, so each "
                     "difference is due to the scenario alone.")
    return " ".join(parts)


def summary_markdown(results: Results, baseline: str | None = None) -> str:
    """A short Markdown summary for the terminal: the headline and the effect table.

    Args:
        results: The results of a comparison.
        baseline: Scenario the others are compared with (default: the study's baseline).

    Returns:
        The headline paragraph, a blank line and the table of
        :func:`missionsim.writeup.summary.markdown`.
    """
    s = _study(results, baseline)
    return f"{_headline(s)}\n\n{summary_markdown_table(s.summary)}\n"


# --- tables -----------------------------------------------------------------------------------
def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1,
           row_classes: Sequence[str] | None = None, cls: str = "") -> str:
    """An HTML table of plain-text cells (escaped here).

    Columns from ``numeric_from`` on are right-aligned.
    """
    out = [f'<table class="{_e(cls)}">' if cls else "<table>", "<thead><tr>"]
    out += [f"<th>{_e(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        klass = row_classes[i] if row_classes else ""
        out.append(f'<tr class="{_e(klass)}">' if klass else "<tr>")
        for j, cell in enumerate(row):
            num = ' class="num"' if j >= numeric_from else ""
            out.append(f"<td{num}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _effect_table(s: _Study) -> str:
    """The table of :func:`missionsim.writeup.summary.markdown`, cell for cell, as HTML."""
    ranked = s.ranked()
    header, rows = effect_table(ranked)
    classes = ["baseline" if b else "" for b in ranked["baseline"]]
    return _table(header, rows, numeric_from=2, row_classes=classes, cls="effects")


def _other_table(s: _Study) -> str:
    header = ["scenario", f"inequality change at month {s.end} (95% CI)",
              f"gaming gap at month {s.end}", "morale (last 12 months)",
              "vacancy rate (last 12 months)", "reform cost £m", "P(best at deadline)"]
    rows = []
    for _, r in s.ranked().iterrows():
        ineq = "reference" if r["baseline"] else format_effect(r, "effect_inequality")
        rows.append([r["scenario"], ineq, f"{r['gaming_gap']:+.2f}", f"{r['morale']:.2f}",
                     f"{r['vacancy_rate']:.1%}", f"{r['reform_cost']:,.1f}",
                     _share(r["p_best"])])
    return _table(header, rows)


# --- figures ----------------------------------------------------------------------------------
def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def _png(fig: Figure) -> str:
    """The figure as a PNG data URI (no metadata, so identical figures give identical bytes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img alt="{_e(alt)}" src="{uri}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _aggregate(months: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Mean, lower and upper 95% CI of the mean across replicates, by (scenario, month)."""
    cols = [c for c in SERIES if c in months.columns]
    grouped = months.groupby(["scenario", "month"], sort=True)[cols]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    t = pd.DataFrame(sps.t.ppf(0.975, np.maximum(n.to_numpy() - 1, 1)), index=n.index,
                     columns=n.columns)
    half = (t * sd / np.sqrt(n)).where(n >= 2)
    return {"mean": mean, "lo": mean - half, "hi": mean + half}


def _line(ax: Axes, agg: dict[str, pd.DataFrame], s: _Study, name: str, column: str,
          band: bool = True, label: str | None = None, style: str | None = None,
          scale: float = 1.0) -> Any:
    if name not in agg["mean"].index.get_level_values(0):
        return None
    mean = agg["mean"].loc[name, column] * scale
    x = mean.index.to_numpy()
    lw = 2.2 if name == s.base else 1.5
    (handle,) = ax.plot(x, mean.to_numpy(), color=s.colours[name], lw=lw,
                        ls=style or s.styles[name], label=_mpl_text(label or name))
    if band:
        lo = agg["lo"].loc[name, column].to_numpy() * scale
        hi = agg["hi"].loc[name, column].to_numpy() * scale
        if np.isfinite(lo).any():
            ax.fill_between(x, lo, hi, color=s.colours[name], alpha=0.13, lw=0)
    return handle


def _month_axis(ax: Axes, s: _Study) -> None:
    start = s.mission.start_label.split(" ")[0]
    ax.set_xlabel(f"month (0 = {start})")
    ax.grid(alpha=0.3)


def _finish(fig: Figure, handles: Sequence[Any] = (), labels: Sequence[str] = (),
            titled: bool = True) -> str:
    """Lay the axes out with fixed margins (in inches), add a legend below them, encode.

    The figure grows by the legend's height. A fixed layout is much faster than matplotlib's
    constrained layout.
    """
    width, height = fig.get_size_inches()
    n = len(fig.axes)
    bottom = 0.62
    if handles:
        longest = max(len(label) for label in labels)
        column = 0.55 + 0.068 * longest
        ncol = max(1, min(4, len(labels), int((width - 0.3) // column)))
        rows = math.ceil(len(labels) / ncol)
        fig.legend(list(handles), list(labels), loc="lower center", bbox_to_anchor=(0.5, 0.01),
                   ncol=ncol, frameon=False, fontsize=8)
        extra = 0.1 + 0.19 * rows
        bottom += extra
        height += extra
        fig.set_size_inches(width, height)
    left, right, gap, top = 0.8, 0.2, 0.9, 0.35 if titled else 0.15
    axis_width = (width - left - right - (n - 1) * gap) / n
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, wspace=gap / axis_width)
    return _png(fig)


def _fig_trajectories(s: _Study, agg: dict[str, pd.DataFrame]) -> str:
    m = s.mission
    fig = _figure(9.0, 4.4)
    ax = fig.add_subplot()
    handles, labels = [], []
    for name in s.names:
        h = _line(ax, agg, s, name, "outcome")
        if h is not None:
            handles.append(h)
            labels.append(_mpl_text(name))
    last = max(int(s.results.months["month"].max()), m.deadline)
    t = np.arange(0, last + 1)
    path = m.trajectory(t)
    (h1,) = ax.plot(t, path, color="#777777", ls="--", lw=1.4)
    h2 = ax.axhline(m.target, color="#b22222", ls=":", lw=1.4)
    h3 = ax.axvline(m.deadline, color="#b22222", ls="-", lw=0.8, alpha=0.6)
    handles += [h1, h2, h3]
    labels += ["target trajectory", f"target ({_level(m.target, m)})",
               f"deadline (month {m.deadline})"]
    ax.set_ylabel(_mpl_text(f"{m.indicator} ({m.unit})"))
    ax.set_title("National outcome (true indicator)", fontsize=11)
    _month_axis(ax, s)
    return _finish(fig, handles, labels)


def _fig_gaming(s: _Study, agg: dict[str, pd.DataFrame]) -> str:
    m = s.mission
    panels = [s.base] + ([s.best["scenario"]] if s.best is not None else [])
    fig = _figure(9.0 if len(panels) > 1 else 5.5, 3.3)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, name in zip(axes, panels, strict=True):
        h_true = _line(ax, agg, s, name, "outcome", label="true")
        h_rep = _line(ax, agg, s, name, "outcome_reported", label="reported", style="--")
        ax.set_title(_mpl_text(name + (" (baseline)" if name == s.base else " (best)")),
                     fontsize=10)
        _month_axis(ax, s)
    axes[0].set_ylabel(_mpl_text(f"{m.indicator} ({m.unit})"))
    return _finish(fig, [h_true, h_rep], ["true indicator (solid)",
                                           "reported indicator (dashed)"])


def _fig_panels(s: _Study, agg: dict[str, pd.DataFrame], panels: Sequence[tuple[str, str, float]],
                width: float = 10.0, band: bool = False) -> str:
    """One panel per reporter, one mean line per scenario."""
    panels = [p for p in panels if p[0] in agg["mean"].columns]
    fig = _figure(width, 3.2)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    handles: list = []
    for ax, (column, ylabel, scale) in zip(axes, panels, strict=True):
        handles = [_line(ax, agg, s, name, column, band=band, scale=scale) for name in s.names]
        ax.set_ylabel(_mpl_text(ylabel), fontsize=9)
        ax.tick_params(labelsize=8)
        _month_axis(ax, s)
    labels = [_mpl_text(n) for n, h in zip(s.names, handles, strict=True) if h is not None]
    return _finish(fig, [h for h in handles if h is not None], labels, titled=False)


def _fig_deprivation(s: _Study, deprivation: pd.DataFrame) -> str:
    m = s.mission
    others = [n for n in s.names if n != s.base]
    fig = _figure(10.0 if others else 5.5, 3.4)
    axes = fig.subplots(1, 2 if others else 1, squeeze=False)[0]
    handles = []
    for name in s.names:
        rows = deprivation[deprivation["scenario"] == name]
        (h,) = axes[0].plot(rows["group"], rows["outcome"], marker=s.markers[name],
                            color=s.colours[name],
                            ls=s.styles[name], lw=2.2 if name == s.base else 1.5)
        handles.append(h)
    axes[0].set_ylabel(_mpl_text(f"mean outcome per place ({m.unit})"), fontsize=9)
    axes[0].set_title("Outcome by deprivation quintile", fontsize=10)
    if others:
        ax = axes[1]
        width = 0.6 / max(1, len(others))
        for i, name in enumerate(others):
            rows = deprivation[deprivation["scenario"] == name]
            x = rows["group"].to_numpy() + (i - (len(others) - 1) / 2) * width
            y = rows["effect"].to_numpy()
            err = np.vstack([y - rows["effect_lo"].to_numpy(), rows["effect_hi"].to_numpy() - y])
            ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt=s.markers[name], ms=4,
                        color=s.colours[name], capsize=2, lw=1)
        ax.axhline(0, color=BASELINE_COLOUR, lw=0.8)
        ax.set_ylabel(_mpl_text(f"effect against {s.base} ({_effect_unit(m)})"), fontsize=9)
        ax.set_title("Paired effect by quintile (95% CI)", fontsize=10)
    for ax in axes:
        ax.set_xlabel("deprivation quintile (1 = least deprived, 5 = most)")
        ax.set_xticks(sorted(deprivation["group"].unique()))
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    return _finish(fig, handles, [_mpl_text(n) for n in s.names])


def _fig_cost(s: _Study) -> str:
    m = s.mission
    fig = _figure(8.0, 4.6)
    ax = fig.add_subplot()
    ax.axhline(0, color="#999999", lw=0.8)
    ax.axvline(0, color="#999999", lw=0.8)
    handles, labels = [], []
    for _, r in s.ranked().iterrows():
        name = r["scenario"]
        x, y = r["extra_spend"], r["effect_end"]
        if r["baseline"]:
            (h,) = ax.plot([x], [y], marker="s", color=BASELINE_COLOUR, ms=7, ls="none")
        else:
            xerr = np.nan_to_num([[x - r["extra_spend_lo"]], [r["extra_spend_hi"] - x]])
            yerr = np.nan_to_num([[y - r["effect_end_lo"]], [r["effect_end_hi"] - y]])
            h = ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt=s.markers[name],
                            color=s.colours[name], capsize=3, ms=6, lw=1.2)
        ax.annotate(str(r["rank"]), (x, y), xytext=(4, 4), textcoords="offset points",
                    fontsize=8, color=s.colours[name])
        handles.append(h)
        labels.append(_mpl_text(f"{r['rank']}. {name}" + (" (baseline)" if r["baseline"]
                                                          else "")))
    better = "higher is better" if m.direction > 0 else "lower is better"
    ax.set_xlabel(f"extra spend against {_mpl_text(s.base)} over the run (£m, paired, 95% CI)")
    ax.set_ylabel(_mpl_text(f"effect at month {s.end} ({_effect_unit(m)})"))
    ax.set_title(f"Extra spend and effect ({better})", fontsize=11)
    ax.grid(alpha=0.3)
    return _finish(fig, handles, labels)


# --- sections ---------------------------------------------------------------------------------
def _intro(s: _Study) -> str:
    r, m = s.results, s.mission
    reps = int(r.manifest.get("replicates") or r.runs["replicate"].nunique())
    presets = sorted({str(_content(r, n)["preset"]) for n in s.names})
    horizons = sorted({int(h) for h in r.runs["horizon"]})
    preset_text = "; ".join(f"{p} ({PRESET_DESCRIPTIONS.get(p, 'custom')})" for p in presets)
    horizon_text = (f"{horizons[0]} months" if len(horizons) == 1 else
                    f"{horizons[0]} to {horizons[-1]} months")
    others = [n for n in s.names if n != s.base]
    which = (f"{len(s.names)} scenarios — {s.base} (the baseline) and {', '.join(others)} —"
             if others else f"one scenario ({s.base})")
    text = (f"This report compares {which} for the mission “{m.title}”, with {reps} paired "
            f"replicate{'s' if reps != 1 else ''} each, on the {preset_text} world "
            f"preset{'s' if len(presets) > 1 else ''}, over {horizon_text}. Month 0 is "
            f"{m.start_label.replace(' (', ', ').rstrip(')')}; the deadline is month "
            f"{m.deadline}.")
    planned = int(r.manifest.get("planned", len(r.runs)))
    if len(r.runs) < planned:
        text += (f" The study is incomplete: {len(r.runs)} of {planned} planned runs are in the "
                 "results, and only replicates run for both a scenario and the baseline are "
                 "paired.")
    return f"<p>{_e(text)}</p>\n<p class=\"headline\">{_e(_headline(s))}</p>"


def _deprivation_tables(s: _Study, deprivation: pd.DataFrame) -> str:
    groups = sorted(int(g) for g in deprivation["group"].unique())
    head = [f"Q{g}" + (" (least deprived)" if g == groups[0] else
                       " (most deprived)" if g == groups[-1] else "") for g in groups]
    effect_rows, behind_rows, classes = [], [], []
    table = deprivation.set_index(["scenario", "group"])
    for name in s.names:
        if name not in table.index.get_level_values(0):
            continue
        cells_e, cells_b = [name], [name]
        for g in groups:
            row = table.loc[(name, g)] if (name, g) in table.index else None
            if row is None:
                cells_e.append("–")
                cells_b.append("–")
                continue
            outcome = _level(row["outcome"], s.mission)
            cells_e.append(outcome if name == s.base else format_effect(row, "effect"))
            cells_b.append(_share(row["share_behind"]))
        effect_rows.append(cells_e)
        behind_rows.append(cells_b)
        classes.append("baseline" if name == s.base else "")
    return ("<h3>Effect by deprivation quintile (paired, 95% CI; the baseline row gives its "
            "mean outcome per place)</h3>"
            + _table(["scenario", *head], effect_rows, row_classes=classes)
            + "<h3>Share of places behind their own trajectory</h3>"
            + _table(["scenario", *head], behind_rows, row_classes=classes))


def _cost_table(s: _Study) -> str:
    unit = _effect_unit(s.mission)
    header = ["scenario", "extra spend £m (95% CI)", f"effect at month {s.end} (95% CI)",
              "reform cost £m", per_unit(s.mission.unit)]
    rows, classes = [], []
    for _, r in s.ranked().iterrows():
        if r["baseline"]:
            rows.append([f"{r['scenario']} (baseline)", "reference", "reference",
                         f"{r['reform_cost']:,.1f}", "–"])
            classes.append("baseline")
            continue
        per = "–" if not _finite(r["cost_per_point"]) else f"{r['cost_per_point']:,.1f}"
        rows.append([r["scenario"], format_effect(r, "extra_spend", 1),
                     format_effect(r, "effect_end"), f"{r['reform_cost']:,.1f}", per])
        classes.append("")
    note = (f"<p class=\"note\">Extra spend is the paired difference in total public spend on "
            f"the mission over the run (reform costs included). Cost per point is extra spend "
            f"divided by the gain at month {_e(s.end)} in {_e(unit)}; it is left blank where "
            "there is no gain.</p>")
    return _table(header, rows, row_classes=classes) + note


def _param_rows(content: dict[str, Any]) -> list[list[str]]:
    preset = str(content.get("preset", ""))
    params = dict(content.get("params", {}))
    base = defaults()
    values = {**base, **PRESETS.get(preset, {}), **params}
    rows = []
    for name, value in values.items():
        if name in base and value == base[name] and name not in params:
            continue
        p = PARAMETERS.get(name)
        rows.append([name, _value(value), _value(p.default) if p else "–", p.unit if p else "",
                     "scenario" if name in params else f"preset {preset}",
                     p.meaning if p else "", p.source if p else ""])
    return rows


def _drawn(results: Results, name: str, parameter: str) -> str:
    runs = results.runs[results.runs["scenario"] == name].sort_values("replicate")
    values = [json.loads(p).get(parameter) for p in runs["params"]]
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) > 12:
        return f"{len(values)} draws from {_value(min(values))} to {_value(max(values))}"
    return ", ".join(_value(v) for v in values)


def _assumptions(s: _Study) -> str:
    r = s.results
    out = ["<p>Parameters not listed are at their defaults (see <code>missionsim.PARAMETERS"
           "</code> and docs/model.md). Preset values count as differences from the defaults. "
           "Uncertainties are drawn once per replicate, the same draw for every scenario with "
           "the same range (common random numbers).</p>"]
    for name in s.names:
        content = _content(r, name)
        entry = r.manifest.get("scenarios", {}).get(name) or {}
        preset = str(content.get("preset", ""))
        out.append(f"<h3>{_e(name)}{' (baseline)' if name == s.base else ''}</h3>")
        if entry.get("description"):
            out.append(f"<p>{_e(entry['description'])}</p>")
        out.append(f"<p>Preset <b>{_e(preset)}</b> ({_e(PRESET_DESCRIPTIONS.get(preset, ''))})"
                   f"; horizon {_e(content.get('horizon', ''))} months.</p>")
        reforms = content.get("reforms", {})
        if reforms:
            rows = []
            for reform, spec in reforms.items():
                cls = REFORMS.get(reform)
                end = spec.get("end")
                rows.append([cls.title if cls else reform, reform, spec.get("start", 0),
                             "end of run" if end is None else end,
                             _value(float(spec.get("intensity", 1.0))),
                             cls.cost_basis if cls else ""])
            out.append(_table(["reform", "name", "start month", "end month", "intensity",
                               "cost basis"], rows, numeric_from=2))
        else:
            out.append("<p>No reforms.</p>")
        rows = _param_rows(content)
        if rows:
            out.append(_table(["parameter", "value", "default", "unit", "set by", "meaning",
                               "source"], rows, numeric_from=1))
        else:
            out.append("<p>Every parameter at its default.</p>")
        unc = content.get("uncertainties", {})
        if unc:
            rows = []
            for pname, (low, high) in unc.items():
                p = PARAMETERS.get(pname)
                rows.append([pname, f"{_value(low)} to {_value(high)}",
                             _value(p.default) if p else "–", p.unit if p else "",
                             _drawn(r, name, pname), p.source if p else ""])
            out.append(_table(["uncertainty", "range (uniform)", "default", "unit",
                               "drawn values by replicate", "source"], rows, numeric_from=1))
        else:
            out.append("<p>No uncertainties drawn.</p>")
    return "\n".join(out)


def _seeds(results: Results, names: Sequence[str]) -> str:
    runs = results.runs
    if runs.empty:
        seeds = results.manifest.get("seeds", {})
        return _table(["run", "seed"], [[k, v] for k, v in seeds.items()])
    wide = runs.pivot_table(index="replicate", columns="scenario", values="seed",
                            aggfunc="first")
    wide = wide[[n for n in names if n in wide.columns]]
    shared = bool((wide.nunique(axis=1, dropna=True) <= 1).all())
    if shared:
        rows = [[int(rep), str(int(row.dropna().iloc[0]))] for rep, row in wide.iterrows()]
        return ("<p>Every scenario ran replicate r with the same seed (common random "
                "numbers):</p>" + _table(["replicate", "seed"], rows))
    rows = [[int(rep), *("–" if pd.isna(v) else str(int(v)) for v in row)]
            for rep, row in wide.iterrows()]
    return ("<p>Seeds by scenario and replicate:</p>"
            + _table(["replicate", *wide.columns], rows))


def _reproducibility(s: _Study, generated: str) -> str:
    r = s.results
    man = r.manifest
    rows = [
        ("missionsim version", man.get("version") or __version__, ""),
        ("study hash", man.get("study", "not recorded"), ""),
        ("kind", man.get("kind", "compare"), ""),
        ("mission", f"{s.mission.name}: {s.mission.title}", ""),
        ("baseline", s.base, ""),
        ("root seed", man.get("root_seed", "not recorded"), ""),
        ("replicates", man.get("replicates", r.runs["replicate"].nunique()), ""),
        ("runs", f"{len(r.runs)} of {man.get('planned', len(r.runs))} planned", ""),
        ("study created", man.get("created", "not recorded (results held in memory)"),
         "created"),
        ("executor", man.get("executor", "not recorded (results held in memory)"), "executor"),
        ("report generated", generated, "generated"),
    ]
    table = ["<table><tbody>"]
    for label, value, volatile in rows:
        attr = f' data-volatile="{volatile}"' if volatile else ""
        table.append(f"<tr{attr}><th>{_e(label)}</th><td>{_e(value)}</td></tr>")
    table.append("</tbody></table>")
    scen_rows = []
    for name in s.names:
        entry = man.get("scenarios", {}).get(name) or {}
        source = entry.get("source") or "(built in Python)"
        scen_rows.append([name, entry.get("digest", "–"), source, entry.get("summary", ""),
                          entry.get("description", "")])
    return ("".join(table) + "<h3>Scenarios</h3>"
            + _table(["scenario", "digest", "source file", "summary", "description"], scen_rows,
                     numeric_from=99)
            + "<h3>Seeds</h3>" + _seeds(r, s.names))


# --- the report -------------------------------------------------------------------------------
def render(results: Results, baseline: str | None = None, title: str | None = None,
           generated: str | None = None) -> str:
    """The report as an HTML string (see :func:`write_report`).

    Args:
        results: The results of a comparison.
        baseline: Scenario the others are compared with (default: the study's baseline).
        title: Heading (default: the mission's title).
        generated: Time stamp written as the report's generation time (default: now, UTC).

    Returns:
        A complete, self-contained HTML document.
    """
    s = _study(results, baseline)
    m = s.mission
    generated = generated or datetime.now(UTC).isoformat(timespec="seconds")
    deprivation = stats.by_deprivation(results, baseline=s.base)
    agg = _aggregate(results.months)
    unit = _effect_unit(m)
    at = deprivation.attrs.get("at", "deadline")
    at_month = s.deadline if at == "deadline" else s.end
    band = ("Lines are means across replicates; shaded bands are 95% confidence intervals of "
            "the mean (t distribution). Scenarios share seeds, so the paired effects in the "
            "table are more precise than overlapping bands suggest.")
    beyond = ("" if s.end >= m.deadline else
              f" The runs stop at month {s.end}, before the deadline (month {m.deadline}).")
    doc_title = title or m.title
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(doc_title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(doc_title)}</h1>",
        f'<p class="sub">missionsim comparison report · mission {_e(m.name)} · '
        f"{_e(m.indicator)}</p>",
        '<h2 id="summary">1. Summary</h2>',
        _intro(s),
        '<h2 id="effects">2. Effects on the mission</h2>',
        f"<p>Ranked by effect at month {_e(s.deadline)} in the mission's direction. Effects are "
        f"paired differences from {_e(s.base)} in {_e(unit)} with 95% confidence intervals "
        "(t distribution over replicates); P(target met) is the share of replicates meeting "
        "the target at the deadline, with a 95% Wilson interval; turnover is the annual rate "
        "over the last 12 months; closures are charities closed by the end.</p>",
        _effect_table(s),
        "<h3>Other measures</h3>",
        _other_table(s),
        '<h2 id="trajectories">3. Trajectories</h2>',
        _img(_fig_trajectories(s, agg), "national outcome by scenario against the target "
             "trajectory", f"National true outcome by month. {band} The dashed grey line is the "
             f"target trajectory (a straight line from {_level(m.baseline, m)} at month 0 to "
             f"{_level(m.target, m)} at month {m.deadline}); the dotted red line is the target "
             f"and the vertical line the deadline.{beyond}"),
        _img(_fig_gaming(s, agg), "reported against true indicator",
             "Reported (dashed) against true (solid) national indicator for the baseline"
             + (" and the best scenario" if s.best is not None else "")
             + f": the gap is gaming. {band}"),
        '<h2 id="left-behind">4. Which places are left behind</h2>',
        _img(_fig_panels(s, agg, [
            ("inequality", "best–worst decile gap"
             + (" (per 10,000)" if m.aggregate == "sum" else f" ({m.unit})"), 1.0),
            ("outcome_most_deprived", f"most deprived tenth ({m.unit})", 1.0)],
            width=10.0), "inequality and most deprived places over time",
             "Left: the gap between the best and the worst tenth of places (true indicator"
             + ("; per 10,000 of population" if m.aggregate == "sum" else "")
             + "). Right: the true indicator in the most deprived tenth of places"
             + (" (their total)" if m.aggregate == "sum" else "")
             + ". Lines are means across replicates."),
        _img(_fig_deprivation(s, deprivation), "outcomes and effects by deprivation quintile",
             f"Places grouped within each run into quintiles by deprivation, at month "
             f"{at_month}. Left: mean outcome per place. Right: paired effect against "
             f"{s.base} with 95% CIs."),
        _deprivation_tables(s, deprivation),
        '<h2 id="cost">5. Cost-effectiveness</h2>',
    ]
    if s.best is not None:
        parts.append(_img(_fig_cost(s), "extra spend against effect",
                          f"Extra spend against effect at month {s.end}, both paired "
                          f"differences from {s.base}, with 95% CIs; points are numbered by "
                          "rank."))
    parts += [
        _cost_table(s),
        '<h2 id="workforce">6. Workforce and charities</h2>',
        _img(_fig_panels(s, agg, [("staff_morale", "staff morale (0–1)", 1.0),
                                  ("staff_turnover", "staff turnover (annual rate, %)", 100.0),
                                  ("vacancy_rate", "vacancy rate (%)", 100.0)]),
             "workforce over time", "Frontline workforce: mean morale of staff in post, quits "
             "as an annual rate of staff in post, and the share of funded posts vacant. Lines "
             "are means across replicates."),
        _img(_fig_panels(s, agg, [("charity_closures", "charities closed (cumulative)", 1.0),
                                  ("charity_reserves_median", "median reserves (months)", 1.0),
                                  ("charities_active", "charities operating", 1.0)]),
             "charities over time", "Charities: closures since month 0, median reserves in "
             "months of current costs, and charities operating. Lines are means across "
             "replicates."),
        '<h2 id="assumptions">7. Assumptions</h2>',
        _assumptions(s),
        '<h2 id="reproducibility">8. Reproducibility</h2>',
        _reproducibility(s, generated),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(results: Results, path: str | Path, baseline: str | None = None,
                 title: str | None = None) -> Path:
    """Write a self-contained HTML report of a comparison.

    The file needs nothing else: its CSS is inline and its figures are PNG data URIs.

    Args:
        results: The results of a comparison (:func:`missionsim.experiments.study.compare` or
            :meth:`~missionsim.experiments.study.Results.load`).
        path: The HTML file to write (a folder gets ``report.html`` inside it).
        baseline: Scenario the others are compared with (default: the study's baseline).
        title: Heading (default: the mission's title).

    Returns:
        The path of the file written.

    Raises:
        ValueError: The results hold no runs, or ``baseline`` is not one of the scenarios.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "report.html"
    text = render(results, baseline=baseline, title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
