"""What the Advise page draws of an advice: the front chart, the table, the failure conditions.

:func:`describe` turns an :class:`~missionsim.analysis.advise.Advice` into an
:class:`AdviceView`:

- the **Pareto front** as an ECharts option (:func:`chart_option`): cost (£m PV) against the
  main outcome measure (:func:`main_measure`), one point per package on the front, the robust
  preferred option drawn apart, each point's tooltip giving its package in words
  (:meth:`~missionsim.analysis.advise.Advice.words`) and its measures;
- the front's **table** (:func:`front_table`), the columns of ``missionsim advise``;
- the preferred option in words and the rule that chose it
  (:data:`~missionsim.analysis.advise.RULE`);
- its **failure conditions** (:func:`failure_conditions`): PRIM boxes of
  :mod:`missionsim.analysis.discovery` when it misses the target in enough futures, otherwise
  one line saying why there are none.

Every term shown has a short explanation for hovering (:func:`explain`), taken from the
appraisal's glossary. Nothing here depends on Solara, so it is tested without a browser.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

from missionsim.analysis.advise import RULE, Advice
from missionsim.analysis.advise.measures import OUTCOMES
from missionsim.writeup.appraisal.evidence import failure
from missionsim.writeup.appraisal.glossary import TERMS

FONT_PX = 14
"""Font size of every text in the chart (axis labels, names, legend, tooltip), for reading."""
CHART_HEIGHT_PX = 460
"""Height of the front chart."""
POINT_SIZE = 14
"""Symbol size of a package on the front."""
PREFERRED_SIZE = 28
"""Symbol size of the preferred option, drawn over its point on the front."""
FRONT_COLOUR = "#1f4e79"
"""Colour of the front's points (the app's blue)."""
PREFERRED_COLOUR = "#c5221f"
"""Colour of the preferred option (red, apart from the front's blue)."""
TOOLTIP_WIDTH_PX = 460
"""Widest a tooltip grows before its package's words wrap."""
MIN_MISSES = 3
"""Fewest futures the preferred option must miss in before PRIM looks for failure
conditions: with one or two misses a "box" is those futures themselves, not a condition."""

TERM_NAMES = {
    "pareto": "Pareto front",
    "preferred": "Robust preferred option",
    "p10": "Worst tenth (p10)",
    "regret": "Regret",
    "p_target": "P(target met)",
    "pv": "Present value (PV)",
    "future": "Future",
    "prim": "Scenario discovery, PRIM",
    "coverage": "Coverage",
    "density": "Density",
}
"""The glossary's name (:data:`missionsim.writeup.appraisal.glossary.TERMS`) of each term the
page explains."""
MEAN_TEXT = "The average over the futures."
"""The explanation of a mean over the futures (the glossary has none)."""


def explain(term: str) -> str:
    """The short explanation of a term, for hovering (a key of :data:`TERM_NAMES`)."""
    return dict(TERMS)[TERM_NAMES[term]]


@dataclass(frozen=True)
class Column:
    """One column of the front's table: its heading, hover text and the candidate's cell."""

    heading: str
    hint: str
    key: str = ""
    numeric: bool = True


@dataclass(frozen=True)
class FailureView:
    """The preferred option's failure conditions, or why there are none.

    Attributes:
        boxes: Each box in words (:meth:`~missionsim.analysis.discovery.Discovery.describe`).
        message: Why there are no boxes (one line), or '' when there are.
        misses: Futures in which the preferred option missed the target.
        futures: Futures in the ensemble.
    """

    boxes: tuple[str, ...]
    message: str
    misses: int
    futures: int


@dataclass(frozen=True)
class AdviceView:
    """What the page shows of one advice.

    Attributes:
        summary: One line: the mission, target, budget, futures and packages evaluated.
        option: The ECharts option of the front chart.
        header: The table's columns.
        rows: One row of cells per package on the front (the preferred option marked ★).
        preferred: The preferred option in words ('' when no package is within the budget).
        rule: The rule that chose it, in words.
        failure: Its failure conditions.
        measure: The chart's outcome measure in words (its y axis).
        preferred_row: The preferred option's row in ``rows`` (-1: none).
    """

    summary: str
    option: dict[str, Any]
    header: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    preferred: str
    rule: str
    failure: FailureView
    measure: str
    preferred_row: int = -1


# --- numbers in words --------------------------------------------------------------------------
def _num(value: Any, digits: int = 2) -> str:
    number = float(value)
    return "–" if not math.isfinite(number) else f"{number:,.{digits}f}"


def _unit(unit: str) -> str:
    """A unit after a number: '69.5%' but '120 people'."""
    return unit if unit == "%" else f" {unit}"


def _points(unit: str) -> str:
    """The unit of a difference: percentage points for a percentage."""
    return " pp" if unit == "%" else f" {unit}"


def main_measure(advice: Advice) -> tuple[str, str]:
    """The chart's outcome measure: ``(objective, statistic)``.

    The first outcome the advice optimises (the deadline when it optimises none), by the
    measure the search optimised (mean or p10).
    """
    chosen = [o for o in advice.settings.objectives if o in OUTCOMES]
    return (chosen[0] if chosen else OUTCOMES[0]), advice.settings.measure


def measure_words(advice: Advice, objective: str, statistic: str) -> str:
    """E.g. 'Outcome at the deadline, month 36 (%), mean over the futures'."""
    plan = advice.plan
    unit = plan.scenario.mission_record().unit
    where = {"deadline": f"Outcome at the deadline, month {plan.deadline}",
             "horizon": f"Outcome at the horizon, month {plan.scenario.horizon}",
             "most_deprived": "Outcome in the most deprived tenth of places"}[objective]
    how = "mean over the futures" if statistic == "mean" else "worst tenth of futures (p10)"
    return f"{where} ({unit}), {how}"


# --- the table -------------------------------------------------------------------------------
def columns(advice: Advice) -> tuple[Column, ...]:
    """The front table's columns, as ``missionsim advise`` prints them, with hover texts."""
    plan = advice.plan
    unit = plan.scenario.mission_record().unit
    deadline, horizon = plan.deadline, plan.scenario.horizon
    return (
        Column("★", "★ marks the robust preferred option: " + explain("preferred"), "",
               numeric=False),
        Column("candidate", "The package's name in this search (c0000 is no reforms).",
               numeric=False),
        Column("package", "The reforms of the package: each at its intensity, from its "
               "start month, in the places it targets.", numeric=False),
        Column(f"deadline ({unit})", f"Outcome at month {deadline} (the deadline). "
               + MEAN_TEXT, "deadline_mean"),
        Column("worst tenth", f"Outcome at month {deadline}, at the worst tenth of futures. "
               + explain("p10"), "deadline_p10"),
        Column("largest regret", f"At month {deadline}, in{_points(unit)}. "
               + explain("regret"), "deadline_regret"),
        Column("P(target met)", explain("p_target"), "p_target_satisficing"),
        Column(f"horizon ({unit})", f"Outcome at month {horizon} (the horizon). " + MEAN_TEXT,
               "horizon_mean"),
        Column(f"most deprived ({unit})", "Outcome in the most deprived tenth of places at "
               "the horizon. " + MEAN_TEXT, "most_deprived_mean"),
        Column("cost (£m PV)", "The new public money the package needs. " + explain("pv")
               + " " + MEAN_TEXT, "cost_mean"),
    )


def front_table(advice: Advice) -> tuple[tuple[Column, ...], tuple[tuple[str, ...], ...]]:
    """The front's columns and one row of cells per package on it (cheapest first)."""
    header = columns(advice)
    front = advice.pareto.sort_values(["cost_mean", "deadline_mean"])
    rows = []
    for name, row in front.iterrows():
        cells = ["★" if name == advice.preferred else "", str(name), str(row["package"])]
        for column in header[3:]:
            value = row[column.key]
            cells.append(f"{float(value):.0%}" if column.key == "p_target_satisficing"
                         else _num(value))
        rows.append(tuple(cells))
    return header, tuple(rows)


# --- the chart -------------------------------------------------------------------------------
def tooltip(advice: Advice, name: str) -> str:
    """One package's tooltip: its name, its package in words and its measures (HTML)."""
    row = advice.candidates.loc[name]
    unit = advice.plan.scenario.mission_record().unit
    deadline = advice.plan.deadline
    title = f"{name} · the preferred option" if name == advice.preferred else name
    lines = [f"<b>{html.escape(title)}</b>", html.escape(advice.words(name)),
             f"cost £{_num(row['cost_mean'])}m PV (mean over the futures)",
             f"month {deadline}: mean {_num(row['deadline_mean'])}{_unit(unit)}, worst tenth "
             f"{_num(row['deadline_p10'])}{_unit(unit)}, largest regret "
             f"{_num(row['deadline_regret'])}{_points(unit)}",
             f"P(target met) {float(row['p_target_satisficing']):.0%}",
             f"horizon: mean {_num(row['horizon_mean'])}{_unit(unit)}; most deprived tenth "
             f"{_num(row['most_deprived_mean'])}{_unit(unit)}"]
    # ECharts reads {…} in a formatter as a template: the text must hold none
    return "<br/>".join(lines).replace("{", "(").replace("}", ")")


def _point(advice: Advice, name: str, objective: str, statistic: str) -> dict[str, Any]:
    row = advice.candidates.loc[name]
    return {"name": str(name),
            "value": [round(float(row["cost_mean"]), 4),
                      round(float(row[f"{objective}_{statistic}"]), 4)],
            "tooltip": {"formatter": tooltip(advice, name)}}


def chart_option(advice: Advice) -> dict[str, Any]:
    """The ECharts option of the front: cost against the main outcome measure.

    Two scatter series: ``Pareto front`` (every package on it) and ``Preferred option``
    (the preferred option alone, larger and red, drawn over its point); a dashed line marks
    the budget.
    """
    objective, statistic = main_measure(advice)
    names = list(advice.pareto.sort_values("cost_mean").index)
    text = {"fontSize": FONT_PX}
    axis = {"nameTextStyle": text, "axisLabel": text, "nameLocation": "middle",
            "scale": True}
    front = [_point(advice, n, objective, statistic) for n in names]
    budget = float(advice.plan.budget)
    series: list[dict[str, Any]] = [{
        "name": "Pareto front", "type": "scatter", "data": front, "symbolSize": POINT_SIZE,
        "itemStyle": {"color": FRONT_COLOUR},
        "markLine": {"silent": True, "symbol": "none", "data": [{"xAxis": budget}],
                     "lineStyle": {"type": "dashed", "color": "#5f6368"},
                     "label": {"formatter": f"budget £{budget:,.4g}m", "fontSize": FONT_PX}},
    }]
    if advice.preferred is not None and advice.preferred in names:
        series.append({"name": "Preferred option", "type": "scatter", "z": 3,
                       "data": [_point(advice, advice.preferred, objective, statistic)],
                       "symbol": "diamond", "symbolSize": PREFERRED_SIZE,
                       "itemStyle": {"color": PREFERRED_COLOUR, "borderColor": "#ffffff",
                                     "borderWidth": 2},
                       "label": {"show": True, "position": "top", "fontSize": FONT_PX,
                                 "formatter": f"preferred: {advice.preferred}"}})
    costs = [p["value"][0] for p in front] + [budget]
    return {
        "animation": False,
        "textStyle": text,
        "grid": {"left": 80, "right": 40, "top": 50, "bottom": 70},
        "legend": {"top": 0, "textStyle": text,
                   "data": [s["name"] for s in series]},
        "tooltip": {"trigger": "item", "confine": True, "textStyle": text,
                    "extraCssText": f"white-space: normal; max-width: {TOOLTIP_WIDTH_PX}px;"},
        "xAxis": {**axis, "type": "value", "name": "cost (£m PV, mean over the futures)",
                  "nameGap": 40, "min": 0, "max": _nice_max(max(costs))},
        "yAxis": {**axis, "type": "value", "nameGap": 55,
                  "name": measure_words(advice, objective, statistic)},
        "series": series,
    }


def _nice_max(value: float) -> float:
    """A round upper end of the cost axis, a little beyond ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    return math.ceil(value * 1.05 / step) * step


# --- failure conditions ----------------------------------------------------------------------
def failure_conditions(advice: Advice) -> FailureView:
    """When the preferred option misses the target: PRIM's boxes, or why there are none."""
    if advice.preferred is None:
        return FailureView((), "No package is within the budget, so there is no preferred "
                               "option to examine.", 0, len(advice.futures))
    missed = advice.outcomes(advice.preferred)["missed"].astype(bool)
    n, k = len(missed), int(missed.sum())
    if k == 0:
        return FailureView((), f"The preferred option meets the target in all {n} futures: "
                               "it did not miss in any future, so there are no failure "
                               "conditions to find.", k, n)
    if k < MIN_MISSES and k < n:
        return FailureView((), f"The preferred option misses the target in {k} of {n} "
                               f"futures: too few misses to find a condition (PRIM needs at "
                               f"least {MIN_MISSES}); a larger search has more futures.", k, n)
    found, why = failure(advice, advice.preferred)
    boxes = tuple(found.describe()) if found is not None and not why else ()
    return FailureView(boxes, "" if boxes else why, k, n)


# --- all of it -------------------------------------------------------------------------------
def describe(advice: Advice) -> AdviceView:
    """Everything the page shows of ``advice``."""
    plan = advice.plan
    unit = plan.scenario.mission_record().unit
    summary = (f"{plan.scenario.mission_name()}: target {plan.target:g}{_unit(unit)} by month "
               f"{plan.deadline}; budget £{plan.budget:,.2f}m (present value over "
               f"{plan.scenario.horizon} months); {len(advice.futures)} futures; "
               f"{len(advice.candidates)} packages evaluated; {len(advice.pareto)} on the "
               "Pareto front.")
    header, rows = front_table(advice)
    preferred = ""
    if advice.preferred is not None:
        best = advice.candidates.loc[advice.preferred]
        preferred = (f"{advice.preferred}: {advice.words()}. P(target met) "
                     f"{float(best['p_target_satisficing']):.0%}, largest regret at the "
                     f"deadline {_num(best['deadline_regret'])}{_points(unit)}, cost "
                     f"£{_num(best['cost_mean'])}m PV.")
    marked = [i for i, r in enumerate(rows) if r[0] == "★"]
    objective, statistic = main_measure(advice)
    return AdviceView(summary=summary, option=chart_option(advice), header=header, rows=rows,
                      preferred=preferred, rule=f"Chosen as {RULE}.",
                      failure=failure_conditions(advice),
                      measure=measure_words(advice, objective, statistic),
                      preferred_row=marked[0] if marked else -1)


def table_html(view: AdviceView) -> str:
    """The front's table as HTML, each heading with its explanation on hover."""
    head = "".join(f'<th title="{html.escape(c.hint)}">{html.escape(c.heading)}</th>'
                   for c in view.header)
    body = []
    for i, row in enumerate(view.rows):
        cells = "".join(f'<td class="{"num" if c.numeric else ""}">{html.escape(v)}</td>'
                        for c, v in zip(view.header, row, strict=True))
        marked = ' class="preferred"' if i == view.preferred_row else ""
        body.append(f'<tr data-candidate="{html.escape(row[1])}"{marked}>{cells}</tr>')
    return (f'<table class="ms-advice-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


__all__ = ["MIN_MISSES", "TERM_NAMES", "AdviceView", "Column", "FailureView", "chart_option",
           "columns", "describe", "explain", "failure_conditions", "front_table",
           "main_measure", "measure_words", "table_html", "tooltip"]
