"""What the Compare page shows of a finished comparison: the effect table, fan charts, headline.

Nothing here depends on Solara. :func:`describe` builds a :class:`ComparisonView` from a
comparison's results (in the job's thread, off the page's): the effect table of
:func:`missionsim.analysis.stats.summarise` and :func:`missionsim.writeup.summary.effect_table`
(the figures the terminal and the HTML report show), the report's headline
(:func:`missionsim.writeup.summary.headline`) and fan charts of the mission indicator
(:mod:`missionsim.ui.charts`) in the report's colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from missionsim.analysis import stats
from missionsim.experiments.study import Results
from missionsim.model.missions import mission_named
from missionsim.ui import charts, labels
from missionsim.ui.echarts import Figure
from missionsim.writeup import report
from missionsim.writeup.report import html
from missionsim.writeup.summary import effect_table, headline


def ordered_summary(results: Results, baseline: str | None = None) -> pd.DataFrame:
    """:func:`~missionsim.analysis.stats.summarise`, best first, as the terminal prints it."""
    summary = stats.summarise(results, baseline)
    order = summary.assign(_name=summary["scenario"]).sort_values(["rank", "_name"],
                                                                   kind="stable")
    order = order.drop(columns="_name").reset_index(drop=True)
    order.attrs.update(summary.attrs)
    return order


def fan_table(results: Results, baseline: str) -> pd.DataFrame:
    """The mission indicator by scenario and month: mean and 95% CI across replicates.

    The interval is that of the mean (``mean ± t·sd/√n``, t with n − 1 degrees of freedom:
    :func:`missionsim.analysis.stats.t_bounds`), as in the report's trajectory figure.
    ``difference`` is the paired difference from the baseline in the same replicate, with its
    interval: at the deadline and at the end it is the effect of
    :func:`missionsim.analysis.stats.summarise`.

    Returns:
        Columns ``scenario``, ``month``, ``n``, ``mean``, ``lo``, ``hi``, ``difference``,
        ``difference_lo``, ``difference_hi`` (interval bounds are NaN with one replicate).
    """
    months = results.months
    wide = months.pivot_table(index=["month", "replicate"], columns="scenario",
                              values="outcome", aggfunc="first")

    def interval(values: pd.Series) -> tuple[np.ndarray, ...]:
        grid = values.unstack("replicate")
        n = grid.notna().sum(axis=1).to_numpy()
        mean = grid.mean(axis=1).to_numpy()
        sd = grid.std(axis=1, ddof=1).to_numpy()
        lo, hi = stats.t_bounds(mean, sd, n)
        return grid.index.to_numpy(), n, mean, lo, hi

    frames = []
    for name in results.scenarios:
        if name not in wide.columns:
            continue
        month, n, mean, lo, hi = interval(wide[name].dropna())
        diff = (wide[name] - wide[baseline]).dropna()
        d_month, _, d_mean, d_lo, d_hi = interval(diff)
        d = pd.DataFrame({"month": d_month, "difference": d_mean, "difference_lo": d_lo,
                          "difference_hi": d_hi})
        frame = pd.DataFrame({"scenario": name, "month": month, "n": n, "mean": mean,
                              "lo": lo, "hi": hi}).merge(d, on="month", how="left")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def effect_table_html(summary: pd.DataFrame, titles: Mapping[str, str] | None = None) -> str:
    """The effect table (:func:`~missionsim.writeup.summary.effect_table`) as HTML, best first.

    Its headings are in plain words (:data:`missionsim.ui.labels.EFFECT_HEADINGS`), each
    explained on hover from the glossary. Each row names its scenario (``data-scenario``); the
    baseline's has the class ``baseline``.

    Args:
        summary: :func:`ordered_summary` of a comparison.
        titles: Scenario name to the title shown in its row (default: the name).
    """
    header, rows = effect_table(summary)
    for row, name, base in zip(rows, summary["scenario"], summary["baseline"], strict=True):
        if titles and name in titles:
            row[1] = f"{titles[name]} (baseline)" if base else titles[name]
    plain = labels.effect_headings(header, summary.attrs.get("deadline"),
                                   summary.attrs.get("end"))
    classes = ["baseline" if base else "" for base in summary["baseline"]]
    names = [{"data-scenario": name} for name in summary["scenario"]]
    table = html.table(plain, rows, numeric_from=2, row_classes=classes,
                       cls="ms-effect-table", row_attributes=names)
    for text, (_, term) in zip(plain, labels.EFFECT_HEADINGS, strict=False):
        table = table.replace(f"<th>{html.escape(text)}</th>",
                              f'<th title="{html.escape(labels.tip(term))}">'
                              f"{html.escape(text)}</th>", 1)
    return table


@dataclass(frozen=True)
class ComparisonView:
    """Everything the page draws from finished results (built off the page's thread).

    Attributes:
        summary: :func:`missionsim.analysis.stats.summarise`, best first.
        header: Column headings of the effect table.
        rows: Its cells, one list per scenario, best first.
        table_html: The effect table as HTML.
        headline: The headline of the report (:func:`missionsim.writeup.summary.headline`).
        fan_outcome: Fan chart of the mission indicator (an ECharts figure with its data).
        fan_difference: Fan chart of the paired differences from the baseline.
        caption: What the charts' bands are.
    """

    summary: pd.DataFrame
    header: list[str]
    rows: list[list]
    table_html: str
    headline: str
    fan_outcome: Figure
    fan_difference: Figure
    caption: str


def describe(results: Results, baseline: str | None = None) -> ComparisonView:
    """Build the charts, the effect table and the headline of a comparison's results.

    Args:
        results: The results of :func:`missionsim.experiments.study.compare`.
        baseline: Scenario the others are compared with (default: the study's baseline).
    """
    summary = ordered_summary(results, baseline)
    base = summary.attrs["baseline"]
    mission = mission_named(summary.attrs["mission"])
    header, rows = effect_table(summary)
    fan = fan_table(results, base)
    names = [base, *[n for n in summary["scenario"] if n != base]]
    palette = report.scenario_colours(names, base)
    end = int(results.months["month"].max())
    n = int(fan["n"].min())
    caption = (f"Lines: mean of {n} replicates per scenario. Shaded: 95% confidence interval of "
               "the mean (mean ± t·sd/√n), as in the report. Differences are paired: replicate "
               "r of every scenario has the same seed, world and shocks.")
    return ComparisonView(
        summary=summary, header=header, rows=rows, table_html=effect_table_html(summary),
        headline=headline(summary),
        fan_outcome=charts.fan_outcome(fan, mission, names, palette, end),
        fan_difference=charts.fan_difference(fan, mission, names, palette, base, end),
        caption=caption)

